// Checks every invariant of the ledger (docs/ledger.md) on one consistent snapshot and returns the
// figures behind each check. The database's constraints should make every check pass; this is the
// independent proof an operator or an auditor can ask for at any time.
import type { Sql } from '../db/connection.js';
import type { AccountKind, TransferCode } from './ledger.js';

export interface CurrencyTotals {
  currency: string;
  debitsPosted: bigint;
  creditsPosted: bigint;
  debitsPending: bigint;
  creditsPending: bigint;
}

export interface CodeTotals {
  code: TransferCode;
  count: number;
  amount: bigint;
}

/** funded − refunded = available + vouchers + captured − reversed, for one pool. */
export interface PoolFigures {
  accountId: string;
  reference: string | null;
  funded: bigint;
  refunded: bigint;
  /** The pool's own balance; what expired back from vouchers is part of it. */
  available: bigint;
  /** The balances of the vouchers issued from the pool, money held for redemptions included. */
  vouchers: bigint;
  captured: bigint;
  reversed: bigint;
  expiredBack: bigint;
  balanced: boolean;
}

export interface Reconciliation {
  /** True when every check passed. */
  clean: boolean;
  checkedAt: Date;
  accounts: number;
  transfers: number;
  /** Σ debits = Σ credits, posted and pending, per currency. */
  totals: CurrencyTotals[];
  byCode: CodeTotals[];
  openHolds: { count: number; amount: bigint };
  pools: PoolFigures[];
  /** What failed, in words; at most a few examples per check. */
  problems: string[];
}

const examples = 20;

export async function reconcile(sql: Sql): Promise<Reconciliation> {
  // One snapshot for every query: figures taken at different moments would not add up.
  const report = await sql.begin('isolation level repeatable read read only', async (tx) => {
    const problems: string[] = [];
    // It reads every transfer: longer than a request may take, but not without limit.
    await tx`set local statement_timeout = '5min'`;

    const [counts] = await tx<{ accounts: number; transfers: number; checked_at: Date }[]>`
      select (select count(*)::int from accounts) as accounts,
             (select count(*)::int from transfers) as transfers,
             now() as checked_at`;

    const totals = await tx<CurrencyTotals[]>`
      select currency,
             sum(debits_posted)::bigint as "debitsPosted", sum(credits_posted)::bigint as "creditsPosted",
             sum(debits_pending)::bigint as "debitsPending", sum(credits_pending)::bigint as "creditsPending"
      from accounts group by currency order by currency`;
    for (const total of totals) {
      if (total.debitsPosted !== total.creditsPosted) {
        problems.push(`${total.currency}: debits posted ${total.debitsPosted} ≠ credits posted ${total.creditsPosted}`);
      }
      if (total.debitsPending !== total.creditsPending) {
        problems.push(`${total.currency}: debits pending ${total.debitsPending} ≠ credits pending ${total.creditsPending}`);
      }
    }

    const byCode = await tx<CodeTotals[]>`
      select code, count(*)::int as count, sum(amount)::bigint as amount
      from transfers group by code order by code`;

    const [openHolds] = await tx<{ count: number; amount: bigint }[]>`
      select count(*)::int as count, coalesce(sum(h.amount), 0)::bigint as amount
      from open_holds o join transfers h on h.id = o.hold_id`;

    // Every counter recomputed from the transfers: a transfer applied twice, or a counter
    // written outside the ledger's functions, shows here.
    const drifted = await tx<{ id: string; kind: AccountKind; cached: string; recomputed: string }[]>`
      with effects (account_id, debits_pending, debits_posted, credits_pending, credits_posted) as (
        select debit_account_id, 0::bigint, amount, 0::bigint, 0::bigint from transfers
          where code not in ('HOLD', 'VOID', 'HOLD_EXPIRED')
        union all
        select credit_account_id, 0, 0, 0, amount from transfers
          where code not in ('HOLD', 'VOID', 'HOLD_EXPIRED')
        union all
        select h.debit_account_id, h.amount, 0, 0, 0 from transfers h
          where h.code = 'HOLD' and not exists (select from transfers r where r.pending_id = h.id)
        union all
        select h.credit_account_id, 0, 0, h.amount, 0 from transfers h
          where h.code = 'HOLD' and not exists (select from transfers r where r.pending_id = h.id)
      ), recomputed as (
        select account_id, sum(debits_pending)::bigint as debits_pending, sum(debits_posted)::bigint as debits_posted,
               sum(credits_pending)::bigint as credits_pending, sum(credits_posted)::bigint as credits_posted
        from effects group by account_id
      )
      select a.id, a.kind,
             concat_ws(' ', a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted) as cached,
             concat_ws(' ', coalesce(r.debits_pending, 0), coalesce(r.debits_posted, 0),
                       coalesce(r.credits_pending, 0), coalesce(r.credits_posted, 0)) as recomputed
      from accounts a left join recomputed r on r.account_id = a.id
      where (a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
        is distinct from (coalesce(r.debits_pending, 0), coalesce(r.debits_posted, 0),
                          coalesce(r.credits_pending, 0), coalesce(r.credits_posted, 0))
      order by a.id`;
    listProblems(problems, drifted, (account) =>
      `account ${account.id} (${account.kind}): counters (debits pending, posted, credits pending, posted) ` +
      `are ${account.cached}, its transfers give ${account.recomputed}`,
    );

    const overdrawn = await tx<{ id: string; kind: AccountKind }[]>`
      select id, kind from accounts
      where (debits_must_not_exceed_credits and debits_pending + debits_posted > credits_posted)
         or (credits_must_not_exceed_debits and credits_pending + credits_posted > debits_posted)
      order by id`;
    listProblems(problems, overdrawn, (account) => `account ${account.id} (${account.kind}) is overdrawn`);

    const orphans = await tx<{ id: string; code: TransferCode }[]>`
      select t.id, t.code from transfers t
      where not exists (select from accounts a where a.id = t.debit_account_id)
         or not exists (select from accounts a where a.id = t.credit_account_id)
      order by t.seq`;
    listProblems(problems, orphans, (transfer) => `transfer ${transfer.id} (${transfer.code}) names an account that does not exist`);

    const misdirected = await tx<{ id: string; code: TransferCode }[]>`
      select t.id, t.code from transfers t
        join accounts d on d.id = t.debit_account_id
        join accounts c on c.id = t.credit_account_id
      where d.currency <> c.currency
         or not ledger_flow_allowed(case when t.pending_id is null then t.code else 'HOLD' end,
                                    d.kind, c.kind, d.id, c.id, d.pool_account_id, c.pool_account_id)
      order by t.seq`;
    listProblems(problems, misdirected, (transfer) =>
      `transfer ${transfer.id} (${transfer.code}) moves money between accounts its code does not allow`,
    );

    // A hold resolves once (a unique index), by a transfer between the same accounts that posts at
    // most the hold (CAPTURE) or releases exactly it (VOID, HOLD_EXPIRED).
    const badResolutions = await tx<{ id: string; code: TransferCode; pending_id: string }[]>`
      select r.id, r.code, r.pending_id from transfers r left join transfers h on h.id = r.pending_id
      where r.pending_id is not null
        and (h.code is distinct from 'HOLD'
             or r.debit_account_id <> h.debit_account_id or r.credit_account_id <> h.credit_account_id
             or (r.code = 'CAPTURE' and r.amount > h.amount)
             or (r.code <> 'CAPTURE' and r.amount <> h.amount))
      order by r.seq`;
    listProblems(problems, badResolutions, (transfer) =>
      `transfer ${transfer.id} (${transfer.code}) does not resolve hold ${transfer.pending_id} as a resolution must`,
    );

    // A reversal gives back part of one capture, to the voucher it came from, and all the reversals
    // of a capture never exceed it: money cannot leave one pool's voucher and come back in another's.
    const badReversals = await tx<{ capture_id: string; why: string }[]>`
      select r.reverses_id as capture_id, 'is reversed by a transfer that is not its mirror' as why
      from transfers r left join transfers c on c.id = r.reverses_id
      where r.reverses_id is not null
        and (c.code is distinct from 'CAPTURE' or r.debit_account_id <> c.credit_account_id
             or r.credit_account_id <> c.debit_account_id)
      union all
      select c.id, 'is reversed by more than it captured' from transfers c
      where c.code = 'CAPTURE'
        and c.amount < (select coalesce(sum(r.amount), 0) from transfers r where r.reverses_id = c.id)
      order by 1`;
    listProblems(problems, badReversals, (capture) => `capture ${capture.capture_id} ${capture.why}`);

    const resolvedTwice = await tx<{ pending_id: string; resolutions: number }[]>`
      select pending_id, count(*)::int as resolutions from transfers
      where pending_id is not null group by pending_id having count(*) > 1 order by pending_id`;
    listProblems(problems, resolvedTwice, (hold) => `hold ${hold.pending_id} was resolved ${hold.resolutions} times`);

    const strayHolds = await tx<{ id: string; why: string }[]>`
      select h.id, 'is unresolved but not among the open holds' as why from transfers h
      where h.code = 'HOLD'
        and not exists (select from transfers r where r.pending_id = h.id)
        and not exists (select from open_holds o where o.hold_id = h.id and o.expires_at = h.expires_at)
      union all
      select o.hold_id, 'is among the open holds but resolved or not a hold' from open_holds o
      where not exists (select from transfers h where h.id = o.hold_id and h.code = 'HOLD')
         or exists (select from transfers r where r.pending_id = o.hold_id)
      order by 1`;
    listProblems(problems, strayHolds, (hold) => `hold ${hold.id} ${hold.why}`);

    // One pass over the transfers: each one that changes a pool's identity is attributed to its pool.
    const pools = await tx<Omit<PoolFigures, 'balanced'>[]>`
      with flows as (
        select t.code, t.amount,
               case when t.code in ('FUND', 'EXPIRE') then t.credit_account_id
                    when t.code = 'REFUND' then t.debit_account_id
                    when t.code = 'CAPTURE' then d.pool_account_id
                    when t.code = 'REVERSE' then c.pool_account_id end as pool_id
        from transfers t
          join accounts d on d.id = t.debit_account_id
          join accounts c on c.id = t.credit_account_id
        where t.code in ('FUND', 'REFUND', 'EXPIRE', 'CAPTURE', 'REVERSE')
      ), by_pool as (
        select pool_id,
               coalesce(sum(amount) filter (where code = 'FUND'), 0)::bigint as funded,
               coalesce(sum(amount) filter (where code = 'REFUND'), 0)::bigint as refunded,
               coalesce(sum(amount) filter (where code = 'CAPTURE'), 0)::bigint as captured,
               coalesce(sum(amount) filter (where code = 'REVERSE'), 0)::bigint as reversed,
               coalesce(sum(amount) filter (where code = 'EXPIRE'), 0)::bigint as expired_back
        from flows group by pool_id
      ), vouchers as (
        select pool_account_id as pool_id, sum(credits_posted - debits_posted)::bigint as balance
        from accounts where kind = 'voucher' group by pool_account_id
      )
      select p.id as "accountId", p.reference,
             coalesce(f.funded, 0) as funded, coalesce(f.refunded, 0) as refunded,
             p.credits_posted - p.debits_posted as available, coalesce(v.balance, 0) as vouchers,
             coalesce(f.captured, 0) as captured, coalesce(f.reversed, 0) as reversed,
             coalesce(f.expired_back, 0) as "expiredBack"
      from accounts p
        left join by_pool f on f.pool_id = p.id
        left join vouchers v on v.pool_id = p.id
      where p.kind = 'pool' order by p.created_at, p.id`;
    const poolFigures = pools.map((pool) => ({
      ...pool,
      balanced: pool.funded - pool.refunded === pool.available + pool.vouchers + pool.captured - pool.reversed,
    }));
    listProblems(
      problems,
      poolFigures.filter((pool) => !pool.balanced),
      (pool) =>
        `pool ${pool.accountId}: funded ${pool.funded} − refunded ${pool.refunded} ≠ available ${pool.available} ` +
        `+ vouchers ${pool.vouchers} + captured ${pool.captured} − reversed ${pool.reversed}`,
    );

    return {
      clean: problems.length === 0,
      checkedAt: counts!.checked_at,
      accounts: counts!.accounts,
      transfers: counts!.transfers,
      totals: Array.from(totals),
      byCode: Array.from(byCode),
      openHolds: { count: openHolds!.count, amount: openHolds!.amount },
      pools: poolFigures,
      problems,
    };
  });
  return report;
}

function listProblems<T>(problems: string[], rows: readonly T[], describe: (row: T) => string): void {
  for (const row of rows.slice(0, examples)) problems.push(describe(row));
  if (rows.length > examples) problems.push(`… and ${rows.length - examples} more like the last`);
}
