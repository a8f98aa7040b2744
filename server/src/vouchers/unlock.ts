// Opening a voucher with its code and PIN. POST /v1/vouchers/check uses vouchers_unlock() and
// POST /v1/redemptions redeem_batch(), which calls it: both count attempts, wrong PINs and locks the same way.
import type { Context } from 'hono';
import { requireAccess } from '../auth/authenticate.js';
import { italianDate } from '../calendar.js';
import type { ApiEnv, Principal, Services } from '../http/context.js';
import { clientIp, hitRateLimit, rateLimited } from '../http/rate-limit.js';
import { problems } from '../http/router.js';
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

/** What vouchers_unlock() (004_open_vouchers_together.sql) returns. */
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

/** The canonical code, or a 400 that a beneficiary understands, before any request to the database. */
export function codeOrProblem(code: string): string {
  const normalized = normalizeCode(code);
  if (normalized === undefined) {
    throw new Problem(400, 'invalid_request', 'Not a voucher code', 'Check the code for typos: it looks like MNT-7K3Q-9XPA-W2DC-8.', [
      { path: 'code', message: 'not a voucher code (wrong length, character or check character)' },
    ]);
  }
  return normalized;
}

/** The answers of an endpoint that opens a voucher with its code and PIN, for the OpenAPI document. */
export const openingProblems = {
  ...problems(400, 401, 403, 404, 422, 429),
  410: { description: 'Voucher expired (`voucher_expired`)' },
  423: { description: 'Voucher locked after too many wrong PINs (`voucher_locked`)' },
};

/** Who may open a voucher with its code and PIN: a provider's, referrer's or operator's key, a referrer's desk (which has no PINs to try) excepted. */
export function requireVoucherOpener(principal: Principal): void {
  requireAccess(principal, { organizations: ['provider', 'referrer', 'operator'], keys: ['publishable', 'desk', 'secret'] });
  if (principal.type === 'key' && principal.keyKind === 'desk' && principal.organization.kind === 'referrer') {
    throw new Problem(403, 'forbidden', 'Not with a referrer desk key', "A referrer's desk key issues, lists and unlocks vouchers; it does not check PINs.");
  }
}

/** Per-IP limit for publishable keys: anyone can use those, so the client's address is what is limited. */
export async function limitPublicClient(
  services: Pick<Services, 'sql' | 'rateLimits' | 'trustProxy'>,
  c: Context<ApiEnv>,
  principal: Principal,
): Promise<void> {
  if (principal.type === 'key' && principal.keyKind === 'publishable') {
    const { perIp, windowSeconds } = services.rateLimits;
    await hitRateLimit(services.sql, `ip:${clientIp(c, services.trustProxy)}`, perIp, windowSeconds);
  }
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
  const normalized = codeOrProblem(code);
  await limitPublicClient(services, c, principal);
  const { perVoucher, windowSeconds } = services.rateLimits;
  const [row] = await services.sql<UnlockRow[]>`
    select * from vouchers_unlock(array[${hashCode(normalized)}]::bytea[], array[${pin}]::text[], ${perVoucher}, ${windowSeconds}, ${maxPinFailures})`;
  if (row === undefined) throw voucherProblem({ result: 'voucher_not_found' });
  if (row.rate_limited) throw voucherProblem({ result: 'rate_limited', retry_after: row.retry_after });
  if (row.locked) throw voucherProblem({ result: 'voucher_locked' });
  if (!row.pin_ok) throw voucherProblem({ result: 'wrong_pin', pin_failures: row.pin_failures });
  if (row.expires_at.getTime() <= Date.now()) throw voucherProblem({ result: 'voucher_expired', expires_at: row.expires_at.toISOString() });
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

/** Why a voucher could not be opened, as vouchers_unlock() and redeem_batch() say it. */
export type VoucherRefusal =
  | { result: 'voucher_not_found' }
  | { result: 'rate_limited'; retry_after: number }
  | { result: 'voucher_locked' }
  | { result: 'wrong_pin'; pin_failures: number }
  | { result: 'voucher_expired'; expires_at: string };

/** The problem a beneficiary sees for each refusal: what happened and what to do next. */
export function voucherProblem(refusal: VoucherRefusal): Problem {
  switch (refusal.result) {
    case 'voucher_not_found':
      return new Problem(404, 'not_found', 'Voucher not found', 'No voucher has this code. Check it against your card.');
    case 'rate_limited':
      return rateLimited(refusal.retry_after);
    case 'voucher_locked':
      return new Problem(
        423,
        'voucher_locked',
        'Voucher locked',
        `This voucher is locked after ${maxPinFailures} wrong PINs. The school or association that gave it to you can unlock it.`,
      );
    case 'wrong_pin': {
      const attemptsLeft = maxPinFailures - refusal.pin_failures;
      return new Problem(
        422,
        'wrong_pin',
        'Wrong PIN',
        `The PIN does not match this voucher. ${attemptsLeft} ${attemptsLeft === 1 ? 'attempt' : 'attempts'} left before it locks.`,
        [{ path: 'pin', message: 'wrong PIN' }],
        { extensions: { attempts_left: attemptsLeft } },
      );
    }
    case 'voucher_expired':
      return new Problem(
        410,
        'voucher_expired',
        'Voucher expired',
        `This voucher expired on ${italianDate(new Date(refusal.expires_at))}; what is left on it goes back to its fund.`,
        undefined,
        { extensions: { expired_at: new Date(refusal.expires_at).toISOString() } },
      );
  }
}
