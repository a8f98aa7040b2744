// Sends the outbox (webhook_deliveries). Any number of servers run this worker on one database:
// a round claims due deliveries with SKIP LOCKED and pushes their next attempt a lease ahead, so
// no other server takes them while they are being sent (outside any transaction); the outcome is
// then logged and the delivery done, failed, or due again after an exponential backoff with
// jitter, for 3 days. A server that dies mid-send leaves the lease to run out, and the delivery is
// sent again: delivery is at least once, receivers dedupe on the event id (DESIGN §3).
import type { Sql } from '../db/connection.js';
import { newId } from '../ids.js';
import { every, type Periodic } from '../jobs/every.js';
import { post, WebhookAgents } from './send.js';
import { signatureHeader } from './signature.js';

export const signatureHeaderName = 'Mentoring-Signature';

/** How long a receiver has to answer one delivery. */
export const deliveryTimeoutMs = 10_000;
/** How long a claimed delivery is left to its server before another may send it: well over the timeout. */
const leaseSeconds = 60;
/** The longest pause between two attempts. */
const maxRetryDelaySeconds = 6 * 3600;

/**
 * Seconds to wait after failed attempt number `attempt` (1, 2, …): 30 s doubling each time up to
 * 6 hours, each spread ±50% at random so that deliveries failing together do not retry together.
 */
export function retryDelaySeconds(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30 * 2 ** (attempt - 1), maxRetryDelaySeconds);
  return base * (0.5 + random());
}

export interface WebhookWorkerOptions {
  sql: Sql;
  /** Deliveries claimed, and sent at once, per claim. */
  batchSize?: number;
  /** Test-mode endpoints may be on loopback and private addresses (see config.ts); live ones never. */
  privateAddresses?: boolean;
  timeoutMs?: number;
  /** The time the worker works at; tests pass a later one instead of waiting for retries. */
  now?: () => Date;
  random?: () => number;
}

export interface DeliveryRound {
  delivered: number;
  /** Attempts that failed and will be tried again. */
  retrying: number;
  /** Deliveries given up: still failing 3 days after their event. */
  failed: number;
}

interface ClaimedDelivery {
  id: string;
  event_id: string;
  event_type: string;
  event_created_at: Date;
  data: unknown;
  attempts: number;
  give_up_at: Date;
  url: string;
  mode: 'test' | 'live';
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
}

/** A worker's state between rounds: its keep-alive connections and its settings. */
export class WebhookWorker {
  readonly #sql: Sql;
  readonly #agents = new WebhookAgents();
  readonly #batchSize: number;
  readonly #privateAddresses: boolean;
  readonly #timeoutMs: number;
  readonly #now: () => Date;
  readonly #random: () => number;

  constructor({
    sql,
    batchSize = 20,
    privateAddresses = false,
    timeoutMs = deliveryTimeoutMs,
    now = () => new Date(),
    random = Math.random,
  }: WebhookWorkerOptions) {
    this.#sql = sql;
    this.#batchSize = batchSize;
    this.#privateAddresses = privateAddresses;
    this.#timeoutMs = timeoutMs;
    this.#now = now;
    this.#random = random;
  }

  /** Sends every delivery due now, a batch at a time, until none is left. */
  async deliverDue(): Promise<DeliveryRound> {
    const round: DeliveryRound = { delivered: 0, retrying: 0, failed: await this.#giveUpOverdue() };
    for (;;) {
      const claimed = await this.#claim();
      const outcomes = await Promise.all(claimed.map((delivery) => this.#send(delivery)));
      for (const outcome of outcomes) round[outcome] += 1;
      if (claimed.length < this.#batchSize) return round;
    }
  }

  /** Closes the keep-alive connections. */
  close(): void {
    this.#agents.destroy();
  }

  async #giveUpOverdue(): Promise<number> {
    const now = this.#now();
    const given = await this.#sql`
      update webhook_deliveries set status = 'failed', next_attempt_at = ${now}
      where status = 'pending' and next_attempt_at <= ${now} and give_up_at <= ${now}`;
    return given.count;
  }

  async #claim(): Promise<ClaimedDelivery[]> {
    const now = this.#now();
    return this.#sql<ClaimedDelivery[]>`
      with due as (
        select d.id from webhook_deliveries d join webhook_endpoints e on e.id = d.endpoint_id
        where d.status = 'pending' and d.next_attempt_at <= ${now} and e.disabled_at is null
        order by d.next_attempt_at limit ${this.#batchSize}
        for update of d skip locked
      )
      update webhook_deliveries d
      set attempts = d.attempts + 1, next_attempt_at = ${now}::timestamptz + make_interval(secs => ${leaseSeconds})
      from due, webhook_endpoints e
      where d.id = due.id and e.id = d.endpoint_id
      returning d.id, d.event_id, d.event_type, d.event_created_at, d.data, d.attempts, d.give_up_at,
                e.url, e.mode, e.secret, e.previous_secret, e.previous_secret_expires_at`;
  }

  async #send(delivery: ClaimedDelivery): Promise<keyof DeliveryRound> {
    const attemptedAt = this.#now();
    const body = JSON.stringify({
      id: delivery.event_id,
      type: delivery.event_type,
      created_at: delivery.event_created_at.toISOString(),
      data: delivery.data,
    });
    const secrets = [delivery.secret];
    if (delivery.previous_secret !== null && delivery.previous_secret_expires_at! > attemptedAt) secrets.push(delivery.previous_secret);
    const result = await post(this.#agents, {
      url: delivery.url,
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Mentoring-Webhooks/1',
        // Signed with the real clock, whatever time the worker works at: receivers check it against theirs.
        [signatureHeaderName]: signatureHeader(secrets, body, Math.floor(Date.now() / 1000)),
        'Mentoring-Event-Id': delivery.event_id,
        'Mentoring-Event-Type': delivery.event_type,
        'Mentoring-Delivery-Attempt': String(delivery.attempts),
      },
      publicOnly: delivery.mode === 'live' || !this.#privateAddresses,
      timeoutMs: this.#timeoutMs,
    });
    const retryAt = new Date(attemptedAt.getTime() + retryDelaySeconds(delivery.attempts, this.#random) * 1000);
    const outcome = result.succeeded ? 'delivered' : retryAt < delivery.give_up_at ? 'retrying' : 'failed';
    const status = outcome === 'retrying' ? 'pending' : outcome;
    // The attempts check: a delivery claimed again meanwhile (its lease ran out) is its new sender's to settle.
    await this.#sql`
      with attempt as (
        insert into webhook_attempts (id, delivery_id, attempted_at, succeeded, response_status, duration_ms, error)
        values (${newId(attemptedAt.getTime())}, ${delivery.id}, ${attemptedAt}, ${result.succeeded}, ${result.status},
                ${result.durationMs}, ${result.error})
      )
      update webhook_deliveries
      set status = ${status}, next_attempt_at = ${outcome === 'retrying' ? retryAt : attemptedAt},
          last_attempt_at = ${attemptedAt}, last_response_status = ${result.status}, last_error = ${result.error},
          delivered_at = ${result.succeeded ? attemptedAt : null}
      where id = ${delivery.id} and attempts = ${delivery.attempts}`;
    return outcome;
  }
}

/** Runs {@link WebhookWorker.deliverDue} `intervalMs` after the previous round, until stop(). */
export function startWebhookWorker(options: WebhookWorkerOptions, intervalMs = 1_000): Periodic {
  const worker = new WebhookWorker(options);
  const rounds = every('webhooks', intervalMs, () => worker.deliverDue());
  return {
    async stop() {
      await rounds.stop();
      worker.close();
    },
  };
}
