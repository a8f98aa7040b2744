import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';

let api: TestApi;
let circuit: TestCircuit;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 1_000_000n });
});
after(() => api.close());

/** A provider whose desk redeemed: two €15 seats, one €15 seat, and a third booking it reversed. */
async function aMonthAtTheTheatre(name: string) {
  const theatre = await seedProvider(api, circuit, { name });
  const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
  const offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n });
  const school = await seedReferrer(api, circuit);
  const bookings = [];
  for (const seats of [2, 1, 1]) {
    const voucher = await seedVoucher(api, circuit, school);
    bookings.push(
      assertOk(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats } }), 201),
    );
  }
  assertOk(await call(api, 'POST', `/v1/redemptions/${bookings[2].id}/reverse`, { key: desk, body: {} }));
  return { theatre, desk, bookings };
}

describe('settling a provider', () => {
  it('pays what was captured less what was reversed, with a statement an accountant can open', async () => {
    const { theatre, desk, bookings } = await aMonthAtTheTheatre('Teatro Cagnoni');
    const settlement = assertOk(
      await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }),
      201,
    );
    assert.equal(settlement.amount, 4500);
    assert.equal(settlement.redemptions, 3);
    assert.deepEqual(settlement.lines.map((line: { amount: number }) => line.amount).sort(), [0, 1500, 3000]);
    const [payable] = await api.ledger.lookupAccounts([
      (await api.database.sql<{ id: string }[]>`select payable_account_id as id from organizations where id = ${theatre.id}`)[0]!.id,
    ]);
    assert.equal(payable!.balance, 0n, 'everything owed was paid out');

    const csv = await api.app.request(`/v1/settlements/${settlement.id}.csv`, { headers: { Authorization: `Bearer ${desk}` } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.equal(lines[0], 'date,offer,booking reference,seats,amount (EUR)');
    assert.equal(lines.length, 5);
    assert.match(lines.at(-1)!, /^total,,,3,45\.00$/);
    assert.ok(lines.some((line) => line.includes(bookings[0].booking_reference) && line.endsWith(',2,30.00')));

    const again = assertOk(
      await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }),
      201,
    );
    assert.equal(again.amount, 0, 'nothing is paid twice');
    const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
    assert.deepEqual(report.problems, []);
  });

  it('refuses to reverse a booking that was already settled', async () => {
    const { theatre, desk, bookings } = await aMonthAtTheTheatre('Museo della Calzatura');
    assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }), 201);
    assertProblem(await call(api, 'POST', `/v1/redemptions/${bookings[0].id}/reverse`, { key: desk, body: {} }), 409, 'already_settled');
  });

  it('only the operator that manages the provider settles it, and never a period still running', async () => {
    const { theatre, desk } = await aMonthAtTheTheatre('Civica Scuola di Musica');
    const other = await seedCircuit(api, { name: 'Pavia' });
    assertProblem(
      await call(api, 'POST', '/v1/settlements', { key: other.operator.secretKey, body: { provider_id: theatre.id } }),
      404,
      'not_found',
    );
    assertProblem(await call(api, 'POST', '/v1/settlements', { key: desk, body: { provider_id: theatre.id } }), 403, 'forbidden');
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    assertProblem(
      await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id, period_end: tomorrow } }),
      400,
      'invalid_request',
    );
  });
});
