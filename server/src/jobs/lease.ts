// A lease on a job in PostgreSQL, so that of N servers (and cron) one at a time runs it: taken
// when free or expired, renewed while the job works, given back when it ends. A holder that dies
// loses it when it expires. Plain rows rather than advisory locks: those belong to a session, and
// a pooled connection is not one the job owns.
import type { Sql } from '../db/connection.js';
import { newId } from '../ids.js';

export class JobLease {
  readonly #sql: Sql;
  readonly #name: string;
  readonly #seconds: number;
  /** This holder: one per process and job. */
  readonly holder: string;

  constructor(sql: Sql, name: string, { seconds, holder = newId() }: { seconds: number; holder?: string }) {
    this.#sql = sql;
    this.#name = name;
    this.#seconds = seconds;
    this.holder = holder;
  }

  /** Takes the lease, or extends it if this holder has it; false when someone else holds it. */
  async take(): Promise<boolean> {
    const [taken] = await this.#sql`
      insert into job_leases (name, holder, expires_at, taken_at)
      values (${this.#name}, ${this.holder}, now() + make_interval(secs => ${this.#seconds}), now())
      on conflict (name) do update
        set holder = excluded.holder, expires_at = excluded.expires_at,
            taken_at = case when job_leases.holder = excluded.holder then job_leases.taken_at else excluded.taken_at end
        where job_leases.expires_at <= now() or job_leases.holder = excluded.holder
      returning holder`;
    return taken !== undefined;
  }

  /** Gives the lease back at once, if this holder still has it. */
  async release(): Promise<void> {
    await this.#sql`update job_leases set expires_at = now() where name = ${this.#name} and holder = ${this.holder}`;
  }
}
