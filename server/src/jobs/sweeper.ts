// The periodic clean-up every server runs: timed-out holds go back to their vouchers, redemption
// rows follow the ledger, and old idempotency records, rate-limit windows and webhook delivery
// logs (30 days after their event, once delivered or given up) are dropped. Every step is safe
// beside the same step on another server (SKIP LOCKED, conditional updates).
import type { Sql } from '../db/connection.js';
import { idempotencyWindowHours } from '../http/idempotency.js';
import type { Ledger } from '../ledger/ledger.js';
import { syncRedemptions } from '../redemptions/store.js';
import { every, type Periodic } from './every.js';

export interface SweepResult {
  holdsReleased: number;
  /** Held redemptions whose status now follows the ledger. */
  redemptionsSynced: number;
}

export async function sweep({ sql, ledger }: { sql: Sql; ledger: Ledger }): Promise<SweepResult> {
  const holdsReleased = await ledger.expireHolds();
  const redemptionsSynced = await syncRedemptions(sql);
  await sql`delete from idempotency_keys where created_at < now() - make_interval(hours => ${idempotencyWindowHours})`;
  await sql`delete from rate_limits where window_started_at < now() - interval '1 day'`;
  await sql`delete from webhook_deliveries where status <> 'pending' and event_created_at < now() - interval '30 days'`;
  return { holdsReleased, redemptionsSynced };
}

/** Runs {@link sweep} every `intervalMs` until stop(); a failed sweep is logged and retried next time. */
export function startSweeper(services: { sql: Sql; ledger: Ledger }, intervalMs = 5_000): Periodic {
  return every('sweeper', intervalMs, () => sweep(services));
}
