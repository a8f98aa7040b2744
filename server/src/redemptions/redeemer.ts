// Redemptions go to the database in batches (redeem_batch() in 004_open_vouchers_together.sql): concurrent
// requests share one round trip, one transaction and one ledger call, as transfers do in the Ledger.
import { auditRow, insertAuditRows, type AuditEntry, type PendingAuditEntry } from '../audit/audit-log.js';
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
  | { result: 'offer_not_found' | 'offer_started' }
  | { result: 'restriction_mismatch'; reason: 'circuit' | 'category' | 'offer' | 'provider'; allowed?: string[]; actual?: string }
  | { result: 'insufficient_funds'; available: number; amount: number }
  | { result: 'sold_out'; seats_left: number }
  | { result: 'ledger_refused'; ledger_result: string };

/**
 * The request's audit entry, stored in the batch's transaction: a redemption and the record of who
 * made it commit together, and the request waits for one commit rather than two.
 */
export interface RedeemAudit {
  entry: PendingAuditEntry;
  /** The answer the request will get for `outcome`. */
  answer(outcome: RedeemOutcome): Pick<AuditEntry, 'status' | 'problemCode' | 'objectId'>;
}

interface Queued {
  request: RedeemRequest;
  audit: RedeemAudit | undefined;
}

export class Redeemer {
  readonly #batcher: Batcher<Queued, RedeemOutcome>;

  /** One writer, as the Ledger: batches never contend with each other for a provider's account. */
  constructor(sql: Sql, limits: OpeningLimits, { writers = 1, batchSize = 64 } = {}) {
    const { attemptLimit, windowSeconds, maxPinFailures } = limits;
    this.#batcher = new Batcher(
      (queued) =>
        retryTransaction(() =>
          sql.begin(async (tx) => {
            const requests = queued.map((each) => each.request);
            const rows = await tx<{ outcome: RedeemOutcome }[]>`
              select outcome
              from redeem_batch(${JSON.stringify(requests)}::text::jsonb, ${attemptLimit}, ${windowSeconds}, ${maxPinFailures})
              order by request`;
            const outcomes = rows.map((row) => row.outcome);
            const audited = queued.flatMap(({ audit }, i) =>
              audit === undefined ? [] : [auditRow({ ...audit.entry, ...audit.answer(outcomes[i]!) })],
            );
            if (audited.length > 0) await insertAuditRows(tx, audited);
            return outcomes;
          }),
        ),
      { writers, batchSize },
    );
  }

  async redeem(request: RedeemRequest, audit?: RedeemAudit): Promise<RedeemOutcome> {
    const [outcome] = await this.#batcher.submit([{ request, audit }]);
    return outcome!;
  }
}
