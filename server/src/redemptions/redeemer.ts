// Redemptions go to the database in batches (redeem_batch() in 011_redemption_events.sql, with
// their audit entries by 070_redeem_batch_audited.sql): concurrent requests share one statement, so
// one round trip, one transaction and one ledger call, as transfers do in the Ledger.
import { auditRow, type PendingAuditEntry } from '../audit/audit-log.js';
import { Batcher } from '../db/batcher.js';
import type { Sql } from '../db/connection.js';
import { retryTransaction } from '../ledger/ledger.js';
import type { VoucherRefusal } from '../vouchers/unlock.js';

/** One request as redeem_batch() reads it. */
export interface RedeemRequest {
  /** The redemption's id, which is also its HOLD's. */
  id: string;
  capture_id: string;
  /** SHA-256 of the normalized code, in hex. */
  code_hash: string;
  pin: string;
  offer_id: string;
  seats: number;
  capture: boolean;
  hold_seconds: number;
  channel: 'in_page' | 'counter';
  key_id: string | null;
  booking_reference: string;
  /** The organization whose key asks (its offers, or its circuits' offers); null for the admin. */
  redeemer: string | null;
}

/** How vouchers are opened: attempts per voucher and window, and wrong PINs that lock one. */
export interface OpeningLimits {
  attemptLimit: number;
  windowSeconds: number;
  maxPinFailures: number;
}

/** What redeem_batch() answered for one request. */
export type RedeemOutcome =
  | {
      result: 'ok';
      /** The redemptions row, as to_jsonb writes it. */
      redemption: Record<string, unknown>;
      /** What is left on the voucher, in cents. */
      available: number;
      starts_at: string;
      cancellation_window_seconds: number;
    }
  | VoucherRefusal
  | { result: 'offer_not_found' }
  | { result: 'offer_started' }
  | { result: 'restriction_mismatch'; reason: 'circuit' | 'category' | 'offer' | 'provider'; allowed?: string[]; actual?: string }
  | { result: 'insufficient_funds'; available: number; amount: number }
  | { result: 'sold_out'; seats_left: number }
  | { result: 'ledger_refused'; ledger_result: string };

/** The HTTP answer each result gets: what a request's audit entry records (redeem_batch_audited()). */
export type RedeemAnswers = Record<RedeemOutcome['result'], { status: number; problemCode: string | null }>;

interface Queued {
  request: RedeemRequest;
  audit: PendingAuditEntry | undefined;
}

export class Redeemer {
  readonly #batcher: Batcher<Queued, RedeemOutcome>;

  /**
   * One writer, as the Ledger: batches never contend with each other for a provider's account.
   * `answers` are the HTTP answers the audit entries record.
   */
  constructor(sql: Sql, limits: OpeningLimits, { answers, writers = 1, batchSize = 64 }: { answers: RedeemAnswers; writers?: number; batchSize?: number }) {
    const { attemptLimit, windowSeconds, maxPinFailures } = limits;
    const answersJson = JSON.stringify(answers);
    this.#batcher = new Batcher(
      // One statement, its own transaction: the batch costs one round trip (070_redeem_batch_audited.sql).
      (queued) =>
        retryTransaction(async () => {
          // The batch fills in each entry's answer and object.
          const requests = queued.map(({ request, audit }) => (audit === undefined ? request : { ...request, audit: auditRow({ ...audit, objectId: null, status: null, problemCode: null }) }));
          const rows = await sql<{ outcome: RedeemOutcome }[]>`
            select outcome
            from redeem_batch_audited(${JSON.stringify(requests)}::text::jsonb, ${answersJson}::text::jsonb,
                                      ${attemptLimit}, ${windowSeconds}, ${maxPinFailures})
            order by request`;
          return rows.map((row) => row.outcome);
        }),
      { writers, batchSize },
    );
  }

  /** Decides `request`; with `audit`, its audit entry commits with it. */
  async redeem(request: RedeemRequest, audit?: PendingAuditEntry): Promise<RedeemOutcome> {
    const [outcome] = await this.#batcher.submit([{ request, audit }]);
    return outcome!;
  }
}
