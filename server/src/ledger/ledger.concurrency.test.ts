// Races between separate PostgreSQL connections, as between requests on several API servers. The
// embedded database runs one statement at a time, so these need a real server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import postgres from 'postgres';
import { connectionOptions, type Sql } from '../db/connection.js';
import { needsRealPostgres } from '../../test/database.js';
import { createTestLedger, type TestLedger } from '../../test/ledger.js';
import { Ledger, type NewTransfer, type TransferOutcome } from './ledger.js';

let t: TestLedger;
let connections: Sql;

/** Every transfer in its own transaction on its own connection: the most contention there can be. */
let unbatched: Ledger;
/** Eight servers, each batching its own callers, racing each other. */
let replicas: Ledger[];

function tally(outcomes: TransferOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { result } of outcomes) counts[result] = (counts[result] ?? 0) + 1;
  return counts;
}

function holdOfOne(voucher: string): NewTransfer {
  return { id: randomUUID(), code: 'HOLD', debitAccountId: voucher, creditAccountId: t.provider, amount: 1n, timeoutSeconds: 600 };
}

async function available(account: string): Promise<bigint> {
  const [found] = await t.ledger.lookupAccounts([account]);
  return found!.available;
}

describe('the ledger under concurrent writers', { skip: needsRealPostgres }, () => {
  before(async () => {
    t = await createTestLedger();
    connections = postgres(t.database.url!, connectionOptions(40));
    unbatched = new Ledger(connections, { writers: 40, batchSize: 1 });
    replicas = Array.from({ length: 8 }, () => new Ledger(connections));
  });
  afterEach(async () => {
    await t.assertReconciled();
  });
  after(async () => {
    await connections?.end();
    await t?.close();
  });

  for (const mode of ['one transfer per transaction', 'eight batching servers'] as const) {
    it(`200 people redeem 1 unit each from a voucher holding 50: exactly 50 succeed (${mode})`, async () => {
      const voucher = await t.newVoucher(await t.newPool(50n), 50n);
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, index) => {
          const ledger = mode === 'one transfer per transaction' ? unbatched : replicas[index % replicas.length]!;
          return ledger.createTransfer(holdOfOne(voucher));
        }),
      );
      assert.deepEqual(tally(outcomes), { ok: 50, insufficient_funds: 150 });
      assert.equal(await available(voucher), 0n);
      await Promise.all(
        outcomes
          .filter((outcome) => outcome.result === 'ok')
          .map((hold) => t.ledger.createTransfer({ id: randomUUID(), code: 'VOID', pendingId: hold.id })),
      );
    });
  }

  it('a capture and a void racing for the same hold: exactly one wins, every time', async () => {
    const voucher = await t.newVoucher(await t.newPool(50n), 50n);
    const holds = await Promise.all(Array.from({ length: 50 }, () => t.hold(voucher, 1n)));
    const races = await Promise.all(
      holds.map((hold) =>
        Promise.all([
          unbatched.createTransfer({ id: randomUUID(), code: 'CAPTURE', pendingId: hold.id, amount: 1n }),
          unbatched.createTransfer({ id: randomUUID(), code: 'VOID', pendingId: hold.id }),
        ]),
      ),
    );
    for (const [captured, voided] of races) {
      assert.deepEqual([captured.result, voided.result].sort(), ['hold_already_resolved', 'ok']);
    }
    const captures = races.filter(([captured]) => captured.result === 'ok').length;
    assert.equal(await available(voucher), 50n - BigInt(captures));
  });

  it('a voucher expiring while its holder redeems: the money goes one way, never both', async () => {
    const pool = await t.newPool(50n);
    const voucher = await t.newVoucher(pool, 50n);
    const holds = Array.from({ length: 100 }, () => unbatched.createTransfer(holdOfOne(voucher)));
    const expiry = unbatched.createTransfer({ id: randomUUID(), code: 'EXPIRE', debitAccountId: voucher, creditAccountId: pool });
    const [taken, expired] = await Promise.all([Promise.all(holds), expiry]);
    const held = taken.filter((outcome) => outcome.result === 'ok').length;
    assert.equal(held + Number(expired.amount ?? 0n), 50, `${held} held, ${expired.amount} expired`);
    assert.equal(await available(voucher), 0n);
    for (const outcome of taken) {
      if (outcome.result === 'ok') await t.ledger.createTransfer({ id: randomUUID(), code: 'VOID', pendingId: outcome.id });
    }
  });

  it('holds timing out while their captures arrive: each resolves exactly once', async () => {
    const voucher = await t.newVoucher(await t.newPool(50n), 50n);
    const holds = await t.ledger.createTransfers(
      Array.from({ length: 50 }, () => ({
        id: randomUUID(),
        code: 'HOLD' as const,
        debitAccountId: voucher,
        creditAccountId: t.provider,
        amount: 1n,
        timeoutSeconds: 1,
      })),
    );
    await sleep(950);
    let released = 0;
    const sweeper = (async () => {
      for (let round = 0; round < 40; round++) {
        released += await replicas[2]!.expireHolds(5);
        await sleep(5);
      }
    })();
    const captures = await Promise.all(
      holds.map((hold) => unbatched.createTransfer({ id: randomUUID(), code: 'CAPTURE', pendingId: hold.id, amount: 1n })),
    );
    await sweeper;
    released += await t.ledger.expireHolds();
    const captured = captures.filter((capture) => capture.result === 'ok').length;
    for (const capture of captures) {
      assert.ok(['ok', 'hold_expired', 'hold_already_resolved'].includes(capture.result), capture.result);
    }
    assert.equal(captured + released, 50, `${captured} captured, ${released} released by the sweeper`);
    assert.equal(await available(voucher), 50n - BigInt(captured));
  });

  it('a capture sent while its hold is still being written waits for it, then applies', async () => {
    const pool = await t.newPool(50n);
    const [first, second] = [await t.newVoucher(pool, 20n), await t.newVoucher(pool, 20n)];
    const holdId = randomUUID();
    // The hold's transaction holds the provider's row until it commits, 300 ms later.
    const writingHold = connections.begin(async (sql) => {
      const hold = [{ id: holdId, code: 'HOLD', debit_account_id: first, credit_account_id: t.provider, amount: '10', timeout_seconds: 600 }];
      await sql`select * from ledger_create_transfers(${JSON.stringify(hold)}::text::jsonb)`;
      await sleep(300);
    });
    await sleep(100);
    const outcomes = await unbatched.createTransfers([
      { id: randomUUID(), code: 'HOLD', debitAccountId: second, creditAccountId: t.provider, amount: 5n, timeoutSeconds: 600 },
      { id: randomUUID(), code: 'CAPTURE', pendingId: holdId, amount: 10n },
    ]);
    await writingHold;
    assert.deepEqual(
      outcomes.map((outcome) => outcome.result),
      ['ok', 'ok'],
    );
    assert.equal(await available(first), 10n);
    await t.ledger.createTransfer({ id: randomUUID(), code: 'VOID', pendingId: outcomes[0]!.id });
  });

  it('a voucher can be opened on a pool while a batch holds that pool', async () => {
    const pool = await t.newPool(50n);
    const voucher = randomUUID();
    let poolReleased = false;
    const busyPool = connections
      .begin(async (sql) => {
        const fund = [{ id: randomUUID(), code: 'FUND', debit_account_id: t.funding, credit_account_id: pool, amount: '1' }];
        await sql`select * from ledger_create_transfers(${JSON.stringify(fund)}::text::jsonb)`;
        await sleep(300);
      })
      .then(() => {
        poolReleased = true;
      });
    await sleep(100);
    await t.ledger.createAccounts([{ id: voucher, kind: 'voucher', currency: 'EUR', poolAccountId: pool }]);
    assert.equal(poolReleased, false, 'opening the voucher waited for the batch on its pool to commit');
    await busyPool;
  });

  it('the same transfer sent 50 times at once is applied once', async () => {
    const pool = await t.newPool(0n);
    const fund: NewTransfer = { id: randomUUID(), code: 'FUND', debitAccountId: t.funding, creditAccountId: pool, amount: 7_00n };
    const outcomes = await Promise.all(Array.from({ length: 50 }, () => unbatched.createTransfer(fund)));
    assert.deepEqual(tally(outcomes), { ok: 1, exists: 49 });
    assert.equal(await available(pool), 7_00n);
  });

  it('one id sent at once for two different transfers: one applies, the other is refused', async () => {
    // Different accounts take different locks, so only the insert itself can tell the two apart.
    const first = await t.newPool(0n);
    const second = await t.newPool(0n);
    for (let round = 0; round < 20; round++) {
      const id = randomUUID();
      const outcomes = await Promise.all(
        [first, second].map((pool) =>
          unbatched.createTransfer({ id, code: 'FUND', debitAccountId: t.funding, creditAccountId: pool, amount: 1n }),
        ),
      );
      assert.deepEqual(outcomes.map((outcome) => outcome.result).sort(), ['exists_with_different_fields', 'ok']);
    }
    assert.equal((await available(first)) + (await available(second)), 20n);
  });

  it('batches touching the same accounts in opposite orders never deadlock', async () => {
    const pools = await Promise.all(Array.from({ length: 4 }, () => t.newPool(1_000n)));
    const vouchers = await Promise.all(pools.map((pool) => t.newVoucher(pool, 0n)));
    const issues = (order: number[]): NewTransfer[] =>
      order.map((index) => ({
        id: randomUUID(),
        code: 'ISSUE',
        debitAccountId: pools[index]!,
        creditAccountId: vouchers[index]!,
        amount: 1n,
      }));
    const batches = Array.from({ length: 200 }, (_, index) =>
      unbatched.createLinkedTransfers(issues(index % 2 === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0])),
    );
    const outcomes = (await Promise.all(batches)).flat();
    assert.deepEqual(tally(outcomes), { ok: 800 });
  });
});
