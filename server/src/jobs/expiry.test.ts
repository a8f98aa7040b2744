import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { createEmbeddedDataDir, needsRealPostgres } from '../../test/database.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { startScript } from '../../test/process.js';
import { AuditLog } from '../audit/audit-log.js';
import { runExpiry, type ExpiryOptions } from './expiry.js';
import { JobLease } from './lease.js';

let api: TestApi;
let circuit: TestCircuit;
let school: Awaited<ReturnType<typeof seedReferrer>>;
let desk: string;
let offer: TestOffer;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 10_000_000n });
  school = await seedReferrer(api, circuit, { allocation: 10_000_000n });
  const theatre = await seedProvider(api, circuit);
  desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
  offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 1000 });
  assertOk(
    await call(api, 'POST', '/v1/webhook_endpoints', {
      key: school.secretKey,
      body: { url: 'http://127.0.0.1:9/hooks', event_types: ['voucher.expiring', 'voucher.expired'] },
    }),
    201,
  );
});
after(() => api.close());

const inDays = (days: number, from = new Date()) => new Date(from.getTime() + days * 24 * 3600 * 1000);

function expire(options: ExpiryOptions = {}) {
  return runExpiry({ sql: api.database.sql, ledger: api.ledger, audit: new AuditLog(api.database.sql) }, options);
}

async function available(accountId: string): Promise<bigint> {
  const [account] = await api.ledger.lookupAccounts([accountId]);
  return account!.available;
}

async function eventsFor(voucherId: string): Promise<string[]> {
  const rows = await api.database.sql<{ event_type: string }[]>`
    select event_type from webhook_deliveries where data ->> 'id' = ${voucherId} order by id`;
  return rows.map((row) => row.event_type);
}

async function redeem(voucher: { code: string; pin: string }, capture = true) {
  return assertOk(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture } }), 201);
}

async function assertReconciled() {
  const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
  assert.deepEqual(report.problems, []);
}

describe('the expiry job', () => {
  it('gives what is left on an expired voucher back to its pool, once', async () => {
    const voucher = await seedVoucher(api, circuit, school, { amount: 5000n, expiresAt: inDays(30) });
    await redeem(voucher);
    await expire({ now: inDays(25) });
    const poolBefore = await available(circuit.generalPoolId);
    const first = await expire({ now: inDays(31) });
    assert.ok(first.expired >= 1 && first.complete);
    assert.equal(await available(voucher.id), 0n);
    assert.equal(await available(circuit.generalPoolId), poolBefore + 3500n, 'the €35 not spent');
    assert.deepEqual(await eventsFor(voucher.id), ['voucher.expiring', 'voucher.expired']);

    const again = await expire({ now: inDays(31) });
    assert.equal(again.expired, 0, 'a second run finds nothing');
    assert.equal(await available(circuit.generalPoolId), poolBefore + 3500n);
    assert.deepEqual(await eventsFor(voucher.id), ['voucher.expiring', 'voucher.expired']);
    const shown = assertOk(await call(api, 'GET', `/v1/vouchers/${voucher.id}`, { key: school.secretKey }));
    assert.deepEqual([shown.available, shown.spent], [0, 1500]);
    await assertReconciled();
  });

  it('tells a referrer 7 days ahead of a voucher still holding money, once, and not of a spent one', async () => {
    const soon = await seedVoucher(api, circuit, school, { amount: 3000n, expiresAt: inDays(5) });
    const spent = await seedVoucher(api, circuit, school, { amount: 1500n, expiresAt: inDays(5) });
    await redeem(spent);
    const later = await seedVoucher(api, circuit, school, { expiresAt: inDays(20) });
    await expire();
    await expire();
    assert.deepEqual(await eventsFor(soon.id), ['voucher.expiring']);
    assert.deepEqual(await eventsFor(spent.id), []);
    assert.deepEqual(await eventsFor(later.id), []);
  });

  it('waits for a desk hold to be resolved before expiring the voucher', async () => {
    const voucher = await seedVoucher(api, circuit, school, { amount: 4000n, expiresAt: inDays(1) });
    const hold = await redeem(voucher, false);
    await expire({ now: inDays(2) });
    assert.deepEqual(await eventsFor(voucher.id), [], 'not expired while €15 are held');
    assertOk(await call(api, 'POST', `/v1/redemptions/${hold.id}/void`, { key: desk }));
    await expire({ now: inDays(2) });
    assert.deepEqual(await eventsFor(voucher.id), ['voucher.expired']);
    assert.equal(await available(voucher.id), 0n, 'all €40, the hold released, back to the pool');
    await assertReconciled();
  });

  it('sends a booking cancelled after its voucher expired straight on to the pool', async () => {
    const voucher = await seedVoucher(api, circuit, school, { amount: 5000n, expiresAt: inDays(1) });
    const booking = await redeem(voucher);
    await api.database.sql`update vouchers set expires_at = now() - interval '1 minute' where id = ${voucher.id}`;
    await expire();
    const poolBefore = await available(circuit.generalPoolId);
    const reversed = assertOk(await call(api, 'POST', `/v1/redemptions/${booking.id}/reverse`, { key: desk, body: {} }));
    assert.equal(reversed.voucher_available, 0, 'the answer tells the desk there is nothing left to spend');
    assert.equal(await available(voucher.id), 0n, 'an expired voucher is given nothing to spend');
    assert.equal(await available(circuit.generalPoolId), poolBefore + 1500n);
    await assertReconciled();
  });

  it('stops between chunks when told to, and the next run finishes the work', async () => {
    const batch = await Promise.all(Array.from({ length: 5 }, () => seedVoucher(api, circuit, school, { amount: 1000n, expiresAt: inDays(40) })));
    await expire({ now: inDays(39) });
    // The lease is lost once the first chunk is done.
    const expiredSoFar = async () => {
      const [row] = await api.database.sql<{ count: number }[]>`
        select count(*)::int as count from vouchers where id = any(${batch.map((voucher) => voucher.id)}::uuid[]) and expired_at is not null`;
      return row!.count;
    };
    const stopped = await expire({ now: inDays(41), chunk: 2, keepGoing: async () => (await expiredSoFar()) === 0 });
    assert.deepEqual([stopped.expired, stopped.complete], [2, false]);
    const resumed = await expire({ now: inDays(41), chunk: 2 });
    assert.deepEqual([resumed.expired, resumed.complete], [3, true]);
    for (const voucher of batch) assert.equal(await available(voucher.id), 0n);
    await assertReconciled();
  });

  it('records each run that changed something in the audit log', async () => {
    await seedVoucher(api, circuit, school, { amount: 1000n, expiresAt: inDays(50) });
    await expire({ now: inDays(51) });
    const log = assertOk(await call(api, 'GET', '/v1/audit_log?limit=100', { key: adminKey }));
    const runs = log.data.filter((entry: { actor: string }) => entry.actor === 'job');
    assert.ok(runs.length > 0);
    assert.equal(runs.at(-1).action, 'expire vouchers');
    assert.equal(runs.at(-1).detail.expired, 1);
  });

  it('expires each voucher once when two servers run it at once', { skip: needsRealPostgres }, async () => {
    const batch = await Promise.all(Array.from({ length: 40 }, () => seedVoucher(api, circuit, school, { amount: 1000n, expiresAt: inDays(60) })));
    await expire({ now: inDays(59) });
    const poolBefore = await available(circuit.generalPoolId);
    const runs = await Promise.all([expire({ now: inDays(61), chunk: 5 }), expire({ now: inDays(61), chunk: 5 })]);
    assert.equal(runs[0]!.expired + runs[1]!.expired, 40);
    assert.equal(runs[0]!.returned + runs[1]!.returned, 40_000n);
    assert.equal(await available(circuit.generalPoolId), poolBefore + 40_000n);
    for (const voucher of batch) assert.deepEqual(await eventsFor(voucher.id), ['voucher.expiring', 'voucher.expired']);
    await assertReconciled();
  });
});

describe('a job lease', () => {
  it('lets one holder at a time run a job, and passes on when given back or when its holder is gone', async () => {
    const first = new JobLease(api.database.sql, 'test-job', { seconds: 60 });
    const second = new JobLease(api.database.sql, 'test-job', { seconds: 60 });
    assert.equal(await first.take(), true);
    assert.equal(await second.take(), false);
    assert.equal(await first.take(), true, 'its holder renews it');
    await first.release();
    assert.equal(await second.take(), true);
    // The second holder's server dies: its lease runs out.
    await api.database.sql`update job_leases set expires_at = now() - interval '1 second' where name = 'test-job'`;
    assert.equal(await first.take(), true);
    assert.equal(await second.take(), false);
  });

  it('goes to exactly one of many servers asking at once', { skip: needsRealPostgres }, async () => {
    const leases = Array.from({ length: 8 }, () => new JobLease(api.database.sql, 'contested-job', { seconds: 60 }));
    const taken = await Promise.all(leases.map((lease) => lease.take()));
    assert.equal(taken.filter(Boolean).length, 1);
  });
});

describe('npm run jobs:expire', () => {
  const dataDir = createEmbeddedDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('runs the job once on the database and says what it did', async () => {
    const cli = fileURLToPath(new URL('./expire-cli.ts', import.meta.url));
    const run = startScript(cli, { MENTORING_DATA_DIR: dataDir });
    assert.equal(await run.exited, 0, run.output());
    assert.equal(run.output(), 'expiry: released 0 timed-out holds, sent 0 expiring notices, expired 0 vouchers (EUR 0.00 back to their pools)\n');
  });
});
