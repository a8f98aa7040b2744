import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { createTestLedger, type TestLedger } from '../../test/ledger.js';
import { Ledger, LedgerInputError, maxAmount, type Account, type NewTransfer, type TransferOutcome } from './ledger.js';
import { reconcile } from './reconciliation.js';

let t: TestLedger;

before(async () => {
  t = await createTestLedger();
});
afterEach(async () => {
  await t.assertReconciled();
});
after(async () => {
  await t.close();
});

async function account(id: string): Promise<Account> {
  const [found] = await t.ledger.lookupAccounts([id]);
  assert.ok(found, `account ${id} exists`);
  return found;
}

async function counters(id: string) {
  const { debitsPending, debitsPosted, creditsPending, creditsPosted } = await account(id);
  return { debitsPending, debitsPosted, creditsPending, creditsPosted };
}

function transfer(fields: NewTransfer) {
  return t.ledger.createTransfer(fields);
}

/** Each transfer's result, in order. */
const results = (outcomes: readonly TransferOutcome[]) => outcomes.map((outcome) => outcome.result);

const capture = (pendingId: string, amount: bigint) =>
  transfer({ id: randomUUID(), code: 'CAPTURE', pendingId, amount });
const voidHold = (pendingId: string) => transfer({ id: randomUUID(), code: 'VOID', pendingId });

describe('funding and issuing', () => {
  it('a sponsor funds a pool and a school issues a €20 voucher from it', async () => {
    const pool = await t.newPool(50_00n);
    const voucher = await t.newVoucher(pool, 20_00n);
    assert.equal((await account(pool)).balance, 30_00n);
    assert.equal((await account(voucher)).available, 20_00n);
    assert.equal(typeof (await account(voucher)).balance, 'bigint');
  });

  it('a pool cannot issue more than it holds', async () => {
    const pool = await t.newPool(10_00n);
    const voucher = await t.newVoucher(pool, 0n);
    const issued = await transfer({
      id: randomUUID(),
      code: 'ISSUE',
      debitAccountId: pool,
      creditAccountId: voucher,
      amount: 10_01n,
    });
    assert.deepEqual(issued, { id: issued.id, result: 'insufficient_funds', amount: null });
    assert.equal((await account(voucher)).balance, 0n);
  });

  it('a refund returns at most what is in the pool, and never more than the sponsors gave', async () => {
    const pool = await t.newPool(30_00n);
    const tooMuch = await transfer({
      id: randomUUID(),
      code: 'REFUND',
      debitAccountId: pool,
      creditAccountId: t.funding,
      amount: 30_01n,
    });
    assert.equal(tooMuch.result, 'insufficient_funds');
    const refunded = await transfer({
      id: randomUUID(),
      code: 'REFUND',
      debitAccountId: pool,
      creditAccountId: t.funding,
      amount: 30_00n,
    });
    assert.equal(refunded.result, 'ok');

    // Money refunded to a funding account that never gave it would create money from nothing.
    const otherFunding = randomUUID();
    await t.ledger.createAccounts([{ id: otherFunding, kind: 'sponsor_funding', currency: 'EUR' }]);
    const second = await t.newPool(10_00n);
    const wrongFunding = await transfer({
      id: randomUUID(),
      code: 'REFUND',
      debitAccountId: second,
      creditAccountId: otherFunding,
      amount: 5_00n,
    });
    assert.equal(wrongFunding.result, 'exceeds_debits');
  });
});

describe('holds', () => {
  it('a hold reserves money: the balance stays, what can be spent shrinks', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const hold = await t.hold(voucher, 15_00n);
    assert.equal(hold.result, 'ok');
    assert.deepEqual(await counters(voucher), {
      debitsPending: 15_00n,
      debitsPosted: 0n,
      creditsPending: 0n,
      creditsPosted: 20_00n,
    });
    assert.equal((await account(voucher)).available, 5_00n);
    assert.equal((await t.hold(voucher, 5_01n)).result, 'insufficient_funds');
    assert.equal((await voidHold(hold.id)).result, 'ok');
  });

  it('a partial capture posts what was used and releases the rest', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const providerBefore = await account(t.provider);
    const hold = await t.hold(voucher, 15_00n);
    const captured = await capture(hold.id, 12_00n);
    assert.deepEqual(captured, { id: captured.id, result: 'ok', amount: 12_00n });
    const after = await account(voucher);
    assert.equal(after.debitsPending, 0n);
    assert.equal(after.available, 8_00n);
    assert.equal((await account(t.provider)).creditsPosted - providerBefore.creditsPosted, 12_00n);
    const [stored] = await t.ledger.lookupTransfers([captured.id]);
    assert.equal(stored?.debitAccountId, voucher);
    assert.equal(stored?.pendingId, hold.id);
  });

  it('a capture cannot post more than the hold', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const hold = await t.hold(voucher, 10_00n);
    assert.equal((await capture(hold.id, 10_01n)).result, 'exceeds_hold');
    assert.equal((await capture(hold.id, 10_00n)).result, 'ok');
  });

  it('a hold resolves once: no capture after a void, no void after a capture', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const voided = await t.hold(voucher, 5_00n);
    assert.equal((await voidHold(voided.id)).result, 'ok');
    assert.equal((await capture(voided.id, 5_00n)).result, 'hold_already_resolved');
    assert.equal((await voidHold(voided.id)).result, 'hold_already_resolved');

    const captured = await t.hold(voucher, 5_00n);
    assert.equal((await capture(captured.id, 5_00n)).result, 'ok');
    assert.equal((await voidHold(captured.id)).result, 'hold_already_resolved');
    assert.equal((await account(voucher)).available, 15_00n);
  });

  it('a capture names a hold that exists, between the hold’s own accounts', async () => {
    const pool = await t.newPool(20_00n);
    const voucher = await t.newVoucher(pool, 20_00n);
    assert.equal((await capture(randomUUID(), 1_00n)).result, 'hold_not_found');
    const posted = await transfer({
      id: randomUUID(),
      code: 'FUND',
      debitAccountId: t.funding,
      creditAccountId: pool,
      amount: 1_00n,
    });
    assert.equal((await capture(posted.id, 1_00n)).result, 'hold_not_found');

    const hold = await t.hold(voucher, 5_00n);
    const otherVoucher = await t.newVoucher(pool, 0n);
    const misdirected = await transfer({
      id: randomUUID(),
      code: 'CAPTURE',
      pendingId: hold.id,
      amount: 5_00n,
      debitAccountId: otherVoucher,
    });
    assert.equal(misdirected.result, 'accounts_do_not_match_hold');
    assert.equal((await voidHold(hold.id)).result, 'ok');
  });

  it('a hold that timed out cannot be captured, and the sweeper gives the money back once', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const hold = await t.hold(voucher, 15_00n, 1);
    const longHold = await t.hold(voucher, 1_00n, 3600);
    await sleep(1100);
    assert.equal((await capture(hold.id, 15_00n)).result, 'hold_expired');
    assert.equal(await t.ledger.expireHolds(), 1);
    assert.equal(await t.ledger.expireHolds(), 0, 'a second sweep finds nothing');
    assert.equal((await capture(hold.id, 15_00n)).result, 'hold_already_resolved');
    assert.equal((await account(voucher)).available, 19_00n, 'only the long hold still reserves money');
    const [expiry] = await t.database.sql<{ code: string; amount: bigint }[]>`
      select code, amount from transfers where pending_id = ${hold.id}`;
    assert.deepEqual({ ...expiry }, { code: 'HOLD_EXPIRED', amount: 15_00n });
    assert.equal((await voidHold(longHold.id)).result, 'ok');
  });
});

describe('after the event', () => {
  it('a cancelled booking goes back to the voucher it came from, never more than was captured', async () => {
    const pool = await t.newPool(40_00n);
    const voucher = await t.newVoucher(pool, 20_00n);
    const hold = await t.hold(voucher, 12_00n);
    const captured = await capture(hold.id, 12_00n);
    const reversal = (reversesId: string, amount: bigint, creditAccountId = voucher) =>
      transfer({ id: randomUUID(), code: 'REVERSE', reversesId, debitAccountId: t.provider, creditAccountId, amount });

    assert.equal((await reversal(captured.id, 5_00n)).result, 'ok');
    assert.equal((await reversal(captured.id, 7_01n)).result, 'exceeds_capture');
    assert.equal((await reversal(captured.id, 7_00n)).result, 'ok');
    assert.equal((await reversal(captured.id, 1n)).result, 'exceeds_capture');
    assert.equal((await account(voucher)).available, 20_00n);

    // Money the provider took from one pool's voucher never lands on another pool's.
    const otherVoucher = await t.newVoucher(await t.newPool(10_00n), 0n);
    const second = await capture((await t.hold(voucher, 3_00n)).id, 3_00n);
    assert.equal((await reversal(second.id, 3_00n, otherVoucher)).result, 'accounts_do_not_match_capture');
    assert.equal((await reversal(hold.id, 1n)).result, 'capture_not_found');
    assert.equal((await reversal(second.id, 3_00n)).result, 'ok');
  });

  it('an expired voucher returns what is left to its pool; money on hold stays until the hold resolves', async () => {
    const pool = await t.newPool(50_00n);
    const voucher = await t.newVoucher(pool, 20_00n);
    const hold = await t.hold(voucher, 5_00n);
    const expire = () =>
      transfer({ id: randomUUID(), code: 'EXPIRE', debitAccountId: voucher, creditAccountId: pool });
    const expired = await expire();
    assert.deepEqual(expired, { id: expired.id, result: 'ok', amount: 15_00n });
    assert.equal((await account(pool)).balance, 45_00n);
    assert.equal((await expire()).result, 'nothing_to_expire');
    assert.equal((await voidHold(hold.id)).result, 'ok');
    assert.equal((await expire()).amount, 5_00n, 'the released hold expires too');
  });

  it('a settlement pays the provider out of what it captured', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    await capture((await t.hold(voucher, 20_00n)).id, 20_00n);
    const payable = (await account(t.provider)).balance;
    const settle = (amount: bigint) =>
      transfer({ id: randomUUID(), code: 'SETTLE', debitAccountId: t.provider, creditAccountId: t.payouts, amount });
    assert.equal((await settle(payable + 1n)).result, 'insufficient_funds');
    assert.equal((await settle(payable)).result, 'ok');
    assert.equal((await account(t.provider)).balance, 0n);
    assert.equal((await account(t.payouts)).creditsPosted, payable);
  });
});

describe('the chart of flows', () => {
  it('refuses money moving in a direction its code does not allow', async () => {
    const pool = await t.newPool(20_00n);
    const voucher = await t.newVoucher(pool, 10_00n);
    const otherPool = await t.newPool(20_00n);
    const attempts: NewTransfer[] = [
      { id: randomUUID(), code: 'FUND', debitAccountId: t.funding, creditAccountId: voucher, amount: 1n },
      { id: randomUUID(), code: 'ISSUE', debitAccountId: voucher, creditAccountId: pool, amount: 1n },
      { id: randomUUID(), code: 'ISSUE', debitAccountId: otherPool, creditAccountId: voucher, amount: 1n },
      { id: randomUUID(), code: 'EXPIRE', debitAccountId: voucher, creditAccountId: otherPool },
      { id: randomUUID(), code: 'SETTLE', debitAccountId: voucher, creditAccountId: t.payouts, amount: 1n },
      { id: randomUUID(), code: 'HOLD', debitAccountId: pool, creditAccountId: t.provider, amount: 1n, timeoutSeconds: 60 },
    ];
    const outcomes = await t.ledger.createTransfers(attempts);
    assert.deepEqual(results(outcomes), attempts.map(() => 'flow_not_allowed'));
  });

  it('refuses unknown accounts and other currencies', async () => {
    const pool = await t.newPool(20_00n);
    const missing = randomUUID();
    const outcomes = await t.ledger.createTransfers([
      { id: randomUUID(), code: 'FUND', debitAccountId: missing, creditAccountId: pool, amount: 1n },
      { id: randomUUID(), code: 'FUND', debitAccountId: t.funding, creditAccountId: missing, amount: 1n },
    ]);
    assert.deepEqual(results(outcomes), ['debit_account_not_found', 'credit_account_not_found']);

    const francs = randomUUID();
    await t.ledger.createAccounts([{ id: francs, kind: 'pool', currency: 'CHF' }]);
    const crossCurrency = await transfer({
      id: randomUUID(),
      code: 'FUND',
      debitAccountId: t.funding,
      creditAccountId: francs,
      amount: 1n,
    });
    assert.equal(crossCurrency.result, 'currency_mismatch');
  });
});

describe('idempotency', () => {
  it('a transfer sent again is applied once and answers exists with what it moved', async () => {
    const pool = await t.newPool(0n);
    const fund: NewTransfer = {
      id: randomUUID(),
      code: 'FUND',
      debitAccountId: t.funding,
      creditAccountId: pool,
      amount: 25_00n,
    };
    assert.equal((await transfer(fund)).result, 'ok');
    assert.deepEqual(await transfer(fund), { id: fund.id, result: 'exists', amount: 25_00n });
    assert.equal((await account(pool)).balance, 25_00n);
  });

  it('the same id with other fields is refused, not applied', async () => {
    const pool = await t.newPool(0n);
    const id = randomUUID();
    await transfer({ id, code: 'FUND', debitAccountId: t.funding, creditAccountId: pool, amount: 25_00n });
    const changed = await transfer({ id, code: 'FUND', debitAccountId: t.funding, creditAccountId: pool, amount: 26_00n });
    assert.deepEqual(changed, { id, result: 'exists_with_different_fields', amount: null });
    assert.equal((await account(pool)).balance, 25_00n);
  });

  it('a capture sent again after it resolved its hold answers exists, not hold_already_resolved', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const hold = await t.hold(voucher, 10_00n);
    const resend: NewTransfer = { id: randomUUID(), code: 'CAPTURE', pendingId: hold.id, amount: 7_00n };
    assert.equal((await transfer(resend)).result, 'ok');
    assert.deepEqual(await transfer(resend), { id: resend.id, result: 'exists', amount: 7_00n });
  });

  it('accounts are created once; the same id with another kind is refused', async () => {
    const id = randomUUID();
    const pool = { id, kind: 'pool', currency: 'EUR' } as const;
    assert.deepEqual(await t.ledger.createAccounts([pool]), [{ id, result: 'ok' }]);
    assert.deepEqual(await t.ledger.createAccounts([pool]), [{ id, result: 'exists' }]);
    assert.deepEqual(await t.ledger.createAccounts([{ ...pool, kind: 'payouts' }]), [
      { id, result: 'exists_with_different_fields' },
    ]);
    const voucher = randomUUID();
    assert.deepEqual(
      await t.ledger.createAccounts([
        { id: voucher, kind: 'voucher', currency: 'EUR', poolAccountId: t.provider },
        { id: voucher, kind: 'voucher', currency: 'USD', poolAccountId: id },
      ]),
      [
        { id: voucher, result: 'pool_not_found' },
        { id: voucher, result: 'currency_mismatch' },
      ],
    );
  });
});

describe('batches', () => {
  it('a linked batch applies whole or not at all', async () => {
    const pool = await t.newPool(30_00n);
    const first = await t.newVoucher(pool, 0n);
    const second = await t.newVoucher(pool, 0n);
    const issue = (voucher: string, amount: bigint): NewTransfer => ({
      id: randomUUID(),
      code: 'ISSUE',
      debitAccountId: pool,
      creditAccountId: voucher,
      amount,
    });
    const failed = await t.ledger.createLinkedTransfers([issue(first, 20_00n), issue(second, 20_00n)]);
    assert.deepEqual(results(failed), ['linked_event_failed', 'insufficient_funds']);
    assert.equal((await account(pool)).balance, 30_00n, 'the first issue was rolled back');
    assert.equal((await account(first)).balance, 0n);

    const applied = await t.ledger.createLinkedTransfers([issue(first, 15_00n), issue(second, 15_00n)]);
    assert.deepEqual(results(applied), ['ok', 'ok']);
    assert.equal((await account(pool)).balance, 0n);
  });

  it('a hold and its capture can be one linked batch, as a counter sale is', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const holdId = randomUUID();
    const outcomes = await t.ledger.createLinkedTransfers([
      { id: holdId, code: 'HOLD', debitAccountId: voucher, creditAccountId: t.provider, amount: 8_00n, timeoutSeconds: 60 },
      { id: randomUUID(), code: 'CAPTURE', pendingId: holdId, amount: 8_00n },
    ]);
    assert.deepEqual(results(outcomes), ['ok', 'ok']);
    assert.equal((await account(voucher)).available, 12_00n);
  });

  it('a reversal finds a capture made earlier in the same call', async () => {
    const voucher = await t.newVoucher(await t.newPool(20_00n), 20_00n);
    const hold = await t.hold(voucher, 8_00n);
    const captureId = randomUUID();
    const reverse = (amount: bigint): NewTransfer => ({
      id: randomUUID(),
      code: 'REVERSE',
      reversesId: captureId,
      debitAccountId: t.provider,
      creditAccountId: voucher,
      amount,
    });
    const outcomes = await t.ledger.createTransfers([
      { id: captureId, code: 'CAPTURE', pendingId: hold.id, amount: 6_00n },
      reverse(4_00n),
      reverse(2_01n),
      reverse(2_00n),
    ]);
    assert.deepEqual(results(outcomes), ['ok', 'ok', 'exceeds_capture', 'ok']);
    assert.equal((await account(voucher)).available, 20_00n);
  });

  it('in an unlinked batch one refused transfer does not stop the others', async () => {
    const pool = await t.newPool(10_00n);
    const voucher = await t.newVoucher(pool, 0n);
    const outcomes = await t.ledger.createTransfers([
      { id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount: 6_00n },
      { id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount: 6_00n },
      { id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount: 4_00n },
    ]);
    assert.deepEqual(results(outcomes), ['ok', 'insufficient_funds', 'ok']);
  });

  it('callers whose transfers share a batch each get their own results', async () => {
    const pool = await t.newPool(100n);
    const vouchers = await Promise.all(Array.from({ length: 20 }, () => t.newVoucher(pool, 0n)));
    const outcomes = await Promise.all(
      vouchers.map((voucher) =>
        transfer({ id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount: 10n }),
      ),
    );
    assert.equal(outcomes.filter((outcome) => outcome.result === 'ok').length, 10);
    assert.equal(outcomes.filter((outcome) => outcome.result === 'insufficient_funds').length, 10);
    // Each caller's result is its own transfer's: the vouchers told ok hold the money, the others none.
    const balances = await t.ledger.lookupAccounts(vouchers);
    for (const [index, voucher] of vouchers.entries()) {
      const balance = balances.find((found) => found.id === voucher)?.balance;
      assert.equal(balance, outcomes[index]!.result === 'ok' ? 10n : 0n, `voucher ${index}`);
    }
  });

  it('a call that breaks in the database fails alone, not the callers it was batched with', async () => {
    await t.database.sql.unsafe(`
      create function poison() returns trigger language plpgsql as $$
      begin raise exception 'poisoned transfer'; end $$;
      create trigger poison before insert on transfers for each row
        when (new.reference = 'poison') execute function poison();`);
    try {
      const pool = await t.newPool(100n);
      const voucher = await t.newVoucher(pool, 0n);
      const issue = (reference?: string): NewTransfer => ({
        id: randomUUID(),
        code: 'ISSUE',
        debitAccountId: pool,
        creditAccountId: voucher,
        amount: 10n,
        ...(reference === undefined ? {} : { reference }),
      });
      const settled = await Promise.allSettled([issue(), issue('poison'), issue()].map((fields) => transfer(fields)));
      assert.deepEqual(
        settled.map((call) => (call.status === 'fulfilled' ? call.value.result : `rejected: ${(call.reason as Error).message}`)),
        ['ok', 'rejected: poisoned transfer', 'ok'],
      );
      assert.equal((await account(voucher)).balance, 20n);
    } finally {
      await t.database.sql.unsafe('drop trigger poison on transfers; drop function poison()');
    }
  });
});

describe('the ledger refuses what would break it', () => {
  it('malformed transfers are refused before anything is sent', async () => {
    const pool = await t.newPool(10_00n);
    const voucher = await t.newVoucher(pool, 0n);
    const base = { id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher } as const;
    const malformed: unknown[] = [
      { ...base, amount: 0n },
      { ...base, amount: -5n },
      { ...base, amount: maxAmount + 1n },
      { ...base, amount: 5 },
      { ...base, id: 'not-a-uuid', amount: 5n },
      { ...base, amount: 5n, surprise: true },
      { ...base, code: 'HOLD', amount: 5n },
      { ...base, code: 'HOLD_EXPIRED', amount: 5n },
      { id: randomUUID(), code: 'VOID', pendingId: randomUUID(), amount: 5n },
      { ...base, amount: 5n, reference: 'x'.repeat(201) },
    ];
    for (const fields of malformed) {
      await assert.rejects(t.ledger.createTransfers([fields as NewTransfer]), LedgerInputError, JSON.stringify(fields, (_, value) => (typeof value === 'bigint' ? `${value}n` : value)));
    }
    assert.equal((await account(voucher)).balance, 0n);
    assert.throws(() => new Ledger(t.database.sql, { batchSize: 0 }), LedgerInputError);
  });

  it('transfers cannot be changed or deleted, accounts cannot change kind or be deleted', async () => {
    const pool = await t.newPool(10_00n);
    const { sql } = t.database;
    await assert.rejects(sql`update transfers set amount = amount + 1`, /append-only/);
    await assert.rejects(sql`delete from transfers`, /append-only/);
    await assert.rejects(sql`truncate transfers cascade`, /append-only/);
    await assert.rejects(sql`update accounts set kind = 'payouts' where id = ${pool}`, /append-only/);
    await assert.rejects(sql`delete from accounts where id = ${pool}`, /append-only/);
  });

  it('the database itself refuses an overdraft, even from a write that bypasses the functions', async () => {
    const voucher = await t.newVoucher(await t.newPool(10_00n), 10_00n);
    await assert.rejects(
      t.database.sql`update accounts set debits_posted = debits_posted + 1001 where id = ${voucher}`,
      /debits_must_not_exceed_credits/,
    );
  });
});

describe('reconciliation', () => {
  it('finds a counter written outside the ledger and the pool it unbalances', async () => {
    const pool = await t.newPool(10_00n);
    const { sql } = t.database;
    await sql`update accounts set credits_posted = credits_posted + 1 where id = ${pool}`;
    try {
      const report = await reconcile(sql);
      assert.equal(report.clean, false);
      assert.ok(report.problems.some((problem) => problem.includes(`account ${pool} (pool)`)));
      assert.ok(report.problems.some((problem) => problem.startsWith('EUR: debits posted')));
      assert.ok(report.problems.some((problem) => problem.startsWith(`pool ${pool}:`)));
    } finally {
      await sql`update accounts set credits_posted = credits_posted - 1 where id = ${pool}`;
    }
  });

  it('finds a transfer whose account does not exist', async () => {
    const { sql } = t.database;
    const [pool] = await sql<{ id: string }[]>`select id from accounts where kind = 'pool' limit 1`;
    const stray = randomUUID();
    // Written past the functions, as only a bug or a hand-made repair could.
    await sql`alter table transfers disable trigger transfers_are_immutable`;
    try {
      await sql`insert into transfers (id, code, debit_account_id, credit_account_id, amount)
                values (${stray}, 'FUND', ${randomUUID()}, ${pool!.id}, 1)`;
      const report = await reconcile(sql);
      assert.ok(report.problems.includes(`transfer ${stray} (FUND) names an account that does not exist`), report.problems.join('\n'));
    } finally {
      await sql`delete from transfers where id = ${stray}`;
      await sql`alter table transfers enable trigger transfers_are_immutable`;
    }
  });

  it('reports the figures: totals that balance, transfers by code, open holds, each pool', async () => {
    const pool = await t.newPool(40_00n);
    const voucher = await t.newVoucher(pool, 30_00n);
    const hold = await t.hold(voucher, 10_00n);
    await capture((await t.hold(voucher, 5_00n)).id, 5_00n);
    const report = await reconcile(t.database.sql);
    assert.equal(report.clean, true);
    const [eur] = report.totals;
    assert.equal(eur?.debitsPosted, eur?.creditsPosted);
    assert.ok(report.openHolds.count >= 1);
    assert.ok(report.byCode.some((code) => code.code === 'CAPTURE'));
    const figures = report.pools.find((candidate) => candidate.accountId === pool);
    assert.deepEqual(
      { ...figures },
      {
        accountId: pool,
        reference: null,
        funded: 40_00n,
        refunded: 0n,
        available: 10_00n,
        vouchers: 25_00n,
        captured: 5_00n,
        reversed: 0n,
        expiredBack: 0n,
        balanced: true,
      },
    );
    await voidHold(hold.id);
  });
});
