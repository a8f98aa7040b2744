// Opening a voucher with its code and PIN: the one door of POST /v1/vouchers/check and
// POST /v1/redemptions, so both count attempts, wrong PINs and locks the same way.
import type { Context } from 'hono';
import type { ApiEnv, Principal, Services } from '../http/context.js';
import { clientIp, hitRateLimit, rateLimited } from '../http/rate-limit.js';
import { Problem } from '../problem.js';
import { hashCode, normalizeCode } from './code.js';

/** Wrong PINs in a row that lock a voucher until its referrer unlocks it. */
export const maxPinFailures = 5;

export interface VoucherRestrictions {
  categories?: string[];
  offer_ids?: string[];
  provider_ids?: string[];
}

export interface UnlockedVoucher {
  id: string;
  referrerId: string;
  poolId: string;
  circuitId: string;
  /** What was issued. */
  amount: bigint;
  /** What can still be spent: the voucher account's balance less its holds. */
  available: bigint;
  currency: string;
  expiresAt: Date;
  restrictions: VoucherRestrictions;
  codeHint: string;
}

interface UnlockRow {
  id: string;
  referrer_id: string;
  pool_id: string;
  circuit_id: string;
  amount: bigint;
  available: bigint;
  currency: string;
  expires_at: Date;
  restrictions: VoucherRestrictions;
  code_hint: string;
  pin_ok: boolean;
  rate_limited: boolean;
  retry_after: number;
  pin_failures: number;
  locked: boolean;
}

/**
 * Finds the voucher of `code` and checks `pin`, counting the attempt against the voucher's rate
 * limit (and, for publishable keys, the client IP's). A wrong PIN counts towards the lock; a right
 * one clears the count. Throws the problem a beneficiary should see; returns the open voucher.
 */
export async function unlockVoucher(
  services: Pick<Services, 'sql' | 'rateLimits' | 'trustProxy'>,
  c: Context<ApiEnv>,
  principal: Principal,
  { code, pin }: { code: string; pin: string },
): Promise<UnlockedVoucher> {
  const { sql, rateLimits } = services;
  const normalized = normalizeCode(code);
  if (normalized === undefined) {
    throw new Problem(400, 'invalid_request', 'Not a voucher code', 'Check the code for typos: it looks like MNT-7K3Q-9XPA-W2DC-5.', [
      { path: 'code', message: 'not a voucher code (wrong length, character or check character)' },
    ]);
  }
  if (principal.type === 'key' && principal.keyKind === 'publishable') {
    await hitRateLimit(sql, `ip:${clientIp(c, services.trustProxy)}`, rateLimits.perIp, rateLimits.windowSeconds);
  }
  const limit = rateLimits.perVoucher;
  const window = rateLimits.windowSeconds;
  // One statement: lock the voucher, count the attempt, check the PIN, count or clear failures.
  const [row] = await sql<UnlockRow[]>`
    with found as (
      select v.id,
             v.attempts_window_started_at <= now() - make_interval(secs => ${window}) as new_window,
             v.pin_hash = sha256(convert_to(v.id::text || ':' || ${pin}, 'UTF8')) as pin_ok
      from vouchers v where v.code_hash = ${hashCode(normalized)}
      for update
    ), attempt as (
      select f.id, f.new_window, f.pin_ok,
             case when f.new_window then 1 else v.attempts + 1 end as attempts
      from found f join vouchers v on v.id = f.id
    )
    update vouchers v set
      attempts = a.attempts,
      attempts_window_started_at = case when a.new_window then now() else v.attempts_window_started_at end,
      pin_failures = case when a.attempts > ${limit} or v.locked_at is not null then v.pin_failures
                          when a.pin_ok then 0 else v.pin_failures + 1 end,
      locked_at = case when v.locked_at is null and a.attempts <= ${limit} and not a.pin_ok
                            and v.pin_failures + 1 >= ${maxPinFailures} then now()
                       else v.locked_at end
    from attempt a, accounts acc
    where v.id = a.id and acc.id = v.id
    returning v.id, v.referrer_id, v.pool_id, v.circuit_id, v.amount, v.currency, v.expires_at,
              v.restrictions, v.code_hint, v.pin_failures, v.locked_at is not null as locked,
              a.pin_ok, a.attempts > ${limit} as rate_limited,
              acc.credits_posted - acc.debits_posted - acc.debits_pending as available,
              ceil(extract(epoch from (v.attempts_window_started_at + make_interval(secs => ${window}) - now())))::int
                as retry_after`;
  if (row === undefined) {
    throw new Problem(404, 'not_found', 'Voucher not found', 'No voucher has this code. Check it against your card.');
  }
  if (row.rate_limited) throw rateLimited(row.retry_after);
  if (row.locked) {
    throw new Problem(
      423,
      'voucher_locked',
      'Voucher locked',
      `This voucher is locked after ${maxPinFailures} wrong PINs. The school or association that gave it to you can unlock it.`,
    );
  }
  if (!row.pin_ok) {
    const attemptsLeft = maxPinFailures - row.pin_failures;
    throw new Problem(
      422,
      'wrong_pin',
      'Wrong PIN',
      `The PIN does not match this voucher. ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left before it locks.`,
      [{ path: 'pin', message: 'wrong PIN' }],
      { extensions: { attempts_left: attemptsLeft } },
    );
  }
  if (row.expires_at.getTime() <= Date.now()) {
    throw new Problem(
      410,
      'voucher_expired',
      'Voucher expired',
      `This voucher expired on ${row.expires_at.toISOString().slice(0, 10)}; what was left went back to its fund.`,
      undefined,
      { extensions: { expired_at: row.expires_at.toISOString() } },
    );
  }
  return {
    id: row.id,
    referrerId: row.referrer_id,
    poolId: row.pool_id,
    circuitId: row.circuit_id,
    amount: row.amount,
    available: row.available,
    currency: row.currency,
    expiresAt: row.expires_at,
    restrictions: row.restrictions,
    codeHint: row.code_hint,
  };
}
