// A month of the Vigevano circuit through the API, as its people live it: a shop funds the circuit,
// a school hands out vouchers, a theatre and a museum take bookings (captured, held, voided,
// cancelled, left to time out), vouchers expire, the operator closes the month. Every webhook
// reaches whom it concerns, and the ledger reconciles at the end.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../test/fixtures/catalog.js';
import { seedBeneficiary, seedReferrer } from '../test/fixtures/vouchers.js';
import { Receiver, signedWith } from '../test/receiver.js';
import { createApp } from './app.js';
import { AuditLog } from './audit/audit-log.js';
import { runExpiry } from './jobs/expiry.js';
import { sweep } from './jobs/sweeper.js';
import { webhookEventTypes } from './webhooks/events.js';
import { WebhookWorker } from './webhooks/worker.js';

let api: TestApi;
let circuit: TestCircuit;
const receivers: Record<'operator' | 'theatre' | 'mentor' | 'school', Receiver> = {} as never;
const secrets: Record<string, string> = {};

before(async () => {
  api = await createTestApi();
  for (const who of ['operator', 'theatre', 'mentor', 'school'] as const) receivers[who] = await Receiver.start();
});
after(async () => {
  await Promise.all(Object.values(receivers).map((receiver) => receiver.close()));
  await api.close();
});

async function listen(who: keyof typeof receivers, organization: TestOrganization, eventTypes: readonly string[]) {
  const endpoint = assertOk(
    await call(api, 'POST', '/v1/webhook_endpoints', { key: organization.secretKey, body: { url: receivers[who].url, event_types: eventTypes } }),
    201,
  );
  secrets[who] = endpoint.secret;
}

const inDays = (days: number) => new Date(Date.now() + days * 24 * 3600 * 1000);

describe('a month of the Vigevano circuit', () => {
  it('runs from the first sponsorship to the settlements, and reconciles', async () => {
    // The operator, its providers, a shop that sponsors and a school, each listening for its events.
    circuit = await seedCircuit(api, { name: 'Vigevano' });
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Cagnoni' });
    const museum = await seedProvider(api, circuit, { name: 'Museo della Calzatura' });
    const mentor = await createOrganization(api, 'mentor', { name: 'Calzaturificio Ronchi', by: circuit.operator.secretKey });
    const school = await seedReferrer(api, circuit, { name: 'Liceo Cairoli', allocation: 50_000n });
    await listen('operator', circuit.operator, webhookEventTypes);
    await listen('theatre', theatre, ['redemption.held', 'redemption.captured', 'redemption.voided', 'redemption.reversed', 'settlement.created']);
    await listen('mentor', mentor, ['sponsorship.succeeded']);
    await listen('school', school, ['voucher.issued', 'voucher.expiring', 'voucher.expired']);

    // 1 November: the shop gives €1,000 to the circuit.
    const sponsorship = assertOk(
      await call(api, 'POST', '/v1/sponsorships', {
        key: mentor.secretKey,
        body: { pool_id: circuit.generalPoolId, amount: 100_000, display_name: 'Calzaturificio Ronchi' },
      }),
      201,
    );
    assert.equal(sponsorship.status, 'succeeded');

    // The school hands six young people €50 each; two vouchers run out within the month.
    const references = ['3B-01', '3B-02', '3B-03', '3B-04', '3B-05', '3B-06'];
    const beneficiaries = await Promise.all(references.map((reference) => seedBeneficiary(api, school, { reference })));
    const issued = assertOk(
      await call(api, 'POST', '/v1/vouchers/batch', {
        key: school.secretKey,
        body: {
          vouchers: beneficiaries.map((beneficiaryId, index) => ({
            beneficiary_id: beneficiaryId,
            pool_id: circuit.generalPoolId,
            amount: 5000,
            ...(index >= 4 ? { expires_at: inDays(3).toISOString() } : {}),
          })),
        },
      }),
      201,
    ).data as { id: string; code: string; pin: string }[];

    // Bookings at the box offices.
    const theatreDesk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    const museumDesk = await createKey(api, museum.id, 'desk', circuit.operator.secretKey);
    const play = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 50 });
    const exhibition = await seedOffer(api, circuit, museum.id, { seatPrice: 800n, seats: 50, category: 'museum' });
    const redeem = async (desk: string, offerId: string, voucher: { code: string; pin: string }, seats: number, capture = true, caller = api) =>
      assertOk(await call(caller, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offerId, seats, capture } }), 201);

    await redeem(theatreDesk, play.id, issued[0]!, 2);
    const held = await redeem(theatreDesk, play.id, issued[1]!, 1, false);
    assertOk(await call(api, 'POST', `/v1/redemptions/${held.id}/capture`, { key: theatreDesk, body: {} }));
    const changedTheirMind = await redeem(theatreDesk, play.id, issued[2]!, 1, false);
    assertOk(await call(api, 'POST', `/v1/redemptions/${changedTheirMind.id}/void`, { key: theatreDesk }));
    const cancelled = await redeem(museumDesk, exhibition.id, issued[3]!, 1);
    assertOk(await call(api, 'POST', `/v1/redemptions/${cancelled.id}/reverse`, { key: museumDesk, body: {} }));
    await redeem(museumDesk, exhibition.id, issued[4]!, 1);
    // A visitor walks away from the counter: the hold times out (a desk holding for one second).
    const hurried = { app: createApp({ database: api.database, services: { adminKey, ledger: api.ledger, holdTimeoutSeconds: 1 } }) };
    const abandoned = await redeem(theatreDesk, play.id, issued[5]!, 1, false, hurried as TestApi);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await sweep({ sql: api.database.sql, ledger: api.ledger });
    assert.equal(assertOk(await call(api, 'GET', `/v1/redemptions/${abandoned.id}`, { key: theatreDesk })).status, 'expired');

    // The expiry job: notices now, then the two short vouchers expire, their money back in the pool.
    const expiry = { sql: api.database.sql, ledger: api.ledger, audit: new AuditLog(api.database.sql) };
    assert.equal((await runExpiry(expiry)).noticed, 2);
    // Three days later (the vouchers backdated, as the fixtures do: the API issues none already expired).
    const short = [issued[4]!.id, issued[5]!.id];
    await api.database.sql`update vouchers set expires_at = now() - interval '1 minute' where id = any(${short}::uuid[])`;
    const expired = await runExpiry(expiry);
    assert.deepEqual([expired.expired, expired.returned], [2, 4200n + 5000n]);
    assertProblem(
      await call(api, 'POST', '/v1/redemptions', { key: museumDesk, body: { code: issued[5]!.code, pin: issued[5]!.pin, offer_id: exhibition.id, seats: 1 } }),
      410,
      'voucher_expired',
    );

    // The operator closes the month: one settlement per provider.
    const closed = assertOk(
      await call(api, 'POST', '/v1/settlements/close_period', { key: circuit.operator.secretKey, body: { period_end: new Date().toISOString() } }),
      201,
    );
    const paid = Object.fromEntries(closed.settlements.map((settlement: { provider_id: string; amount: number }) => [settlement.provider_id, settlement.amount]));
    assert.deepEqual(paid, { [theatre.id]: 4500, [museum.id]: 800 });
    for (const settlement of closed.settlements) {
      const csv = await (await api.app.request(`/v1/settlements/${settlement.id}.csv`, { headers: { Authorization: `Bearer ${circuit.operator.secretKey}` } })).text();
      assert.match(csv.trim().split('\r\n').at(-1)!, new RegExp(`^total,,,\\d+,${(settlement.amount / 100).toFixed(2).replace('.', '\\.')}$`));
      assert.equal(references.some((reference) => csv.includes(reference)), false, 'no beneficiary in the statement');
    }

    // The ledger at the end of the month.
    const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: circuit.operator.secretKey }));
    assert.deepEqual(report.problems, []);
    assert.equal(report.clean, true);
    // The whole ledger's figures are the admin's.
    assert.deepEqual(assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey })).open_holds, { count: 0, amount: 0 });
    const pool = report.pools.find((figures: { account_id: string }) => figures.account_id === circuit.generalPoolId);
    assert.deepEqual(
      { funded: pool.funded, available: pool.available, vouchers: pool.vouchers, captured: pool.captured, reversed: pool.reversed, expired_back: pool.expired_back },
      { funded: 100_000, available: 70_000 + 9_200, vouchers: 4 * 5000 - 3000 - 1500 - 800 + 800, captured: 3000 + 1500 + 800 + 800, reversed: 800, expired_back: 9_200 },
    );
    const payables = await api.ledger.lookupAccounts(
      (await api.database.sql<{ id: string }[]>`select payable_account_id as id from organizations where id in (${theatre.id}, ${museum.id})`).map((row) => row.id),
    );
    assert.deepEqual(payables.map((account) => account.balance), [0n, 0n], 'every provider was paid what it is owed');

    // Webhooks: delivered, signed, and each to whom it concerns.
    const worker = new WebhookWorker({ sql: api.database.sql, privateAddresses: true });
    const delivered = await worker.deliverDue().finally(() => worker.close());
    assert.deepEqual([delivered.retrying, delivered.failed], [0, 0]);
    // Paths and needs (their own tests) have no part in this month; every money-path event does.
    const moneyPath = webhookEventTypes.filter((type) => !type.startsWith('path.') && !type.startsWith('need.'));
    assert.equal(moneyPath.length, 9);
    assert.deepEqual(new Set(receivers.operator.events().map((event) => event.type)), new Set(moneyPath), 'the operator heard of all nine kinds');
    assert.deepEqual(
      countTypes(receivers.theatre.events()),
      { 'redemption.captured': 2, 'redemption.held': 3, 'redemption.voided': 2, 'settlement.created': 1 },
    );
    assert.ok(receivers.theatre.events().every((event) => event.data.provider_id === theatre.id), 'the theatre hears nothing of the museum');
    assert.deepEqual(receivers.mentor.events().map((event) => [event.type, event.data.id]), [['sponsorship.succeeded', sponsorship.id]]);
    assert.deepEqual(countTypes(receivers.school.events()), { 'voucher.issued': 6, 'voucher.expiring': 2, 'voucher.expired': 2 });
    for (const [who, receiver] of Object.entries(receivers)) {
      assert.ok(receiver.received.every((delivery) => signedWith(delivery, secrets[who]!)), `${who}: every signature verifies`);
      assert.equal(receiver.received.some((delivery) => references.some((reference) => delivery.body.includes(reference))), false, `${who}: no reference`);
      assert.equal(new Set(receiver.events().map((event) => event.id)).size, receiver.received.length, `${who}: each event once`);
    }

    // The audit log has every booking step of the month, under the desk keys.
    const log = assertOk(await call(api, 'GET', '/v1/audit_log?limit=100', { key: circuit.operator.secretKey })).data as { action: string; status: number }[];
    const bookingSteps = log.filter((entry) => entry.action.startsWith('POST /v1/redemptions'));
    assert.equal(bookingSteps.length, 6 + 3 + 1, 'six bookings, a capture, a void, a cancellation and the expired voucher refused');
    assert.equal(bookingSteps.at(-1)!.status, 410);
  });
});

function countTypes(events: { type: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort());
}
