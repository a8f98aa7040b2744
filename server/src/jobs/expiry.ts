// The expiry job: timed-out holds are released, vouchers expiring within 7 days get their
// voucher.expiring notice, and what is left on expired vouchers goes back to their pool (EXPIRE)
// with voucher.expired. A chunk of vouchers per transaction, taken with SKIP LOCKED and marked
// done in that transaction: a run that stops part-way is resumed by the next, a second run at the
// same time takes other vouchers, and a run after a complete one finds nothing to do.
import type { AuditLog } from '../audit/audit-log.js';
import type { Queryable, Sql } from '../db/connection.js';
import { decimalAmount } from '../http/schemas.js';
import { derivedId } from '../ids.js';
import { retryTransaction, type Ledger } from '../ledger/ledger.js';
import { syncRedemptions } from '../redemptions/store.js';
import { voucherColumns, voucherJson, type VoucherRow } from '../routes/vouchers.js';
import { enqueueEvents, type WebhookEventType } from '../webhooks/events.js';
import { every, type Periodic } from './every.js';
import { JobLease } from './lease.js';

/** How long before its expiry a voucher with money left gets voucher.expiring. */
export const expiringNoticeDays = 7;

export interface ExpiryServices {
  sql: Sql;
  ledger: Ledger;
  audit: AuditLog;
}

export interface ExpiryOptions {
  /** The moment vouchers are expired at; tests pass a later one instead of waiting. */
  now?: Date;
  /** Vouchers per transaction. */
  chunk?: number;
  /** Asked between chunks: false stops the run (its lease was lost). */
  keepGoing?: () => Promise<boolean>;
}

export interface ExpiryResult {
  holdsReleased: number;
  redemptionsSynced: number;
  /** Vouchers told of (voucher.expiring), with money left. */
  noticed: number;
  expired: number;
  /** What went back to the pools, in cents. */
  returned: bigint;
  /** False when the run stopped before the end (see {@link ExpiryOptions.keepGoing}). */
  complete: boolean;
}

type VoucherEventRow = VoucherRow & { referrer_id: string; operator_id: string };

/** One run of the job, to the end or until `keepGoing` says stop. */
export async function runExpiry(services: ExpiryServices, { now = new Date(), chunk = 500, keepGoing = async () => true }: ExpiryOptions = {}): Promise<ExpiryResult> {
  const result: ExpiryResult = {
    holdsReleased: await services.ledger.expireHolds(),
    redemptionsSynced: await syncRedemptions(services.sql),
    noticed: 0,
    expired: 0,
    returned: 0n,
    complete: false,
  };
  for (let noticed = chunk; noticed === chunk; ) {
    if (!(await keepGoing())) return recorded(services, result);
    noticed = await noticeChunk(services.sql, now, chunk, result);
  }
  for (let expired = chunk; expired === chunk; ) {
    if (!(await keepGoing())) return recorded(services, result);
    expired = await expireChunk(services, now, chunk, result);
  }
  return recorded(services, { ...result, complete: true });
}

/** Marks up to `chunk` vouchers expiring within the notice period as noticed; returns how many it took. */
async function noticeChunk(sql: Sql, now: Date, chunk: number, result: ExpiryResult): Promise<number> {
  const noticeUntil = new Date(now.getTime() + expiringNoticeDays * 24 * 3600 * 1000);
  return retryTransaction(() =>
    sql.begin(async (tx) => {
      const due = await tx<{ id: string }[]>`
        select id from vouchers
        where expiring_noticed_at is null and expired_at is null and expires_at > ${now} and expires_at <= ${noticeUntil}
        order by expires_at limit ${chunk} for update skip locked`;
      const ids = due.map((voucher) => voucher.id);
      await tx`update vouchers set expiring_noticed_at = ${now} where id = any(${ids}::uuid[])`;
      const withMoney = (await voucherEvents(tx, ids)).filter((voucher) => voucher.available > 0n);
      await enqueueEvents(tx, withMoney.map((voucher) => voucherEvent('voucher.expiring', voucher)));
      result.noticed += withMoney.length;
      return due.length;
    }),
  );
}

/**
 * Expires up to `chunk` vouchers past their expiry with no open hold (one still held waits until
 * its hold is captured or released, so that nothing comes back to it afterwards); returns how many.
 */
async function expireChunk({ sql, ledger }: ExpiryServices, now: Date, chunk: number, result: ExpiryResult): Promise<number> {
  return retryTransaction(() =>
    sql.begin(async (tx) => {
      const due = await tx<{ id: string; pool_id: string }[]>`
        select v.id, v.pool_id from vouchers v join accounts a on a.id = v.id
        where v.expired_at is null and v.expires_at <= ${now} and a.debits_pending = 0
        order by v.expires_at limit ${chunk} for update of v skip locked`;
      const outcomes = await ledger.within(tx).createTransfers(
        due.map((voucher) => ({ id: derivedId(voucher.id, 'expire'), code: 'EXPIRE' as const, debitAccountId: voucher.id, creditAccountId: voucher.pool_id })),
      );
      let returned = 0n;
      for (const outcome of outcomes) {
        if (outcome.result === 'ok' || outcome.result === 'exists') returned += outcome.amount!;
        else if (outcome.result !== 'nothing_to_expire') throw new Error(`the ledger refused expiry ${outcome.id}: ${outcome.result}`);
      }
      const ids = due.map((voucher) => voucher.id);
      await tx`update vouchers set expired_at = ${now} where id = any(${ids}::uuid[])`;
      await enqueueEvents(tx, (await voucherEvents(tx, ids)).map((voucher) => voucherEvent('voucher.expired', voucher)));
      result.expired += due.length;
      result.returned += returned;
      return due.length;
    }),
  );
}

async function voucherEvents(tx: Queryable, ids: string[]): Promise<VoucherEventRow[]> {
  if (ids.length === 0) return [];
  return tx<VoucherEventRow[]>`
    select ${tx.unsafe(voucherColumns)}, v.referrer_id, ci.operator_id
    from vouchers v join accounts a on a.id = v.id join circuits ci on ci.id = v.circuit_id
    where v.id = any(${ids}::uuid[])`;
}

function voucherEvent(type: WebhookEventType, voucher: VoucherEventRow) {
  return { type, objectId: voucher.id, organizations: [voucher.referrer_id, voucher.operator_id], data: voucherJson(voucher) };
}

/** The run in the audit log, when it changed anything. */
async function recorded(services: ExpiryServices, result: ExpiryResult): Promise<ExpiryResult> {
  if (result.holdsReleased + result.redemptionsSynced + result.noticed + result.expired > 0) {
    await services.audit.record({
      requestId: null,
      actor: 'job',
      keyId: null,
      organizationId: null,
      action: 'expire vouchers',
      objectId: null,
      status: null,
      problemCode: null,
      detail: { ...result, returned: decimalAmount(result.returned) },
    });
  }
  return result;
}

/** A sentence for logs: what one run did. */
export function describeExpiry(result: ExpiryResult): string {
  return (
    `released ${result.holdsReleased} timed-out holds, sent ${result.noticed} expiring notices, ` +
    `expired ${result.expired} vouchers (EUR ${decimalAmount(result.returned)} back to their pools)` +
    (result.complete ? '' : '; stopped before the end, the next run goes on')
  );
}

/** The lease's length: a run renews it between chunks, so it only has to outlast one chunk. */
const leaseSeconds = 5 * 60;

/**
 * Runs the job every `intervalMs` on whichever server holds its lease (see jobs/lease.ts), so
 * that N servers and a cron `npm run jobs:expire` never run it at the same time.
 */
export function startExpiryJob(services: ExpiryServices, intervalMs = 10 * 60_000): Periodic {
  const lease = new JobLease(services.sql, 'expiry', { seconds: leaseSeconds });
  const runWithLease = async () => {
    if (!(await lease.take())) return;
    try {
      const result = await runExpiry(services, { keepGoing: () => lease.take() });
      if (result.expired + result.noticed > 0) console.log(`expiry: ${describeExpiry(result)}`);
    } finally {
      await lease.release();
    }
  };
  // The first run a minute after start: servers restarted more often than every 10 minutes still run it.
  return every('expiry', intervalMs, runWithLease, 60_000);
}
