// A migrated test database with a ledger and the accounts most stories start from: the sponsors'
// funding, a provider's payable and the payouts, plus helpers to fund pools and issue vouchers.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { migrate } from '../src/db/migrate.js';
import { Ledger, type LedgerOptions, type TransferOutcome } from '../src/ledger/ledger.js';
import { reconcile } from '../src/ledger/reconciliation.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestLedger {
  database: TestDatabase;
  ledger: Ledger;
  funding: string;
  provider: string;
  payouts: string;
  /** A new pool, funded with `amount` by a sponsor (no FUND when 0). */
  newPool(amount: bigint): Promise<string>;
  /** A new voucher issued from `pool` with `amount` (no ISSUE when 0). */
  newVoucher(pool: string, amount: bigint): Promise<string>;
  /** A hold of `amount` on `voucher` for the provider; the outcome says whether it was taken. */
  hold(voucher: string, amount: bigint, timeoutSeconds?: number): Promise<TransferOutcome>;
  /** Fails the test when the reconciliation finds anything. */
  assertReconciled(): Promise<void>;
  close(): Promise<void>;
}

export async function createTestLedger(options: LedgerOptions = {}): Promise<TestLedger> {
  const database = await createTestDatabase();
  await migrate(database.sql);
  const ledger = new Ledger(database.sql, options);
  const funding = randomUUID();
  const provider = randomUUID();
  const payouts = randomUUID();
  await expectOk(
    ledger.createAccounts([
      { id: funding, kind: 'sponsor_funding', currency: 'EUR', reference: 'sponsor_funding' },
      { id: provider, kind: 'provider_payable', currency: 'EUR', reference: 'provider:teatro-cagnoni' },
      { id: payouts, kind: 'payouts', currency: 'EUR', reference: 'payouts' },
    ]),
  );

  return {
    database,
    ledger,
    funding,
    provider,
    payouts,
    async newPool(amount) {
      const pool = randomUUID();
      await expectOk(ledger.createAccounts([{ id: pool, kind: 'pool', currency: 'EUR' }]));
      if (amount > 0n) {
        await expectOk(
          ledger.createTransfers([
            { id: randomUUID(), code: 'FUND', debitAccountId: funding, creditAccountId: pool, amount },
          ]),
        );
      }
      return pool;
    },
    async newVoucher(pool, amount) {
      const voucher = randomUUID();
      await expectOk(ledger.createAccounts([{ id: voucher, kind: 'voucher', currency: 'EUR', poolAccountId: pool }]));
      if (amount > 0n) {
        await expectOk(
          ledger.createTransfers([
            { id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount },
          ]),
        );
      }
      return voucher;
    },
    hold(voucher, amount, timeoutSeconds = 600) {
      return ledger.createTransfer({
        id: randomUUID(),
        code: 'HOLD',
        debitAccountId: voucher,
        creditAccountId: provider,
        amount,
        timeoutSeconds,
      });
    },
    async assertReconciled() {
      const report = await reconcile(database.sql);
      assert.deepEqual(report.problems, [], 'the reconciliation found problems');
      assert.equal(report.clean, true);
    },
    close: () => database.close(),
  };
}

async function expectOk(outcomes: Promise<{ id: string; result: string }[]>): Promise<void> {
  for (const outcome of await outcomes) assert.equal(outcome.result, 'ok', `${outcome.id}: ${outcome.result}`);
}
