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
    const settlement = assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }), 201);
    const refused = assertProblem(await call(api, 'POST', `/v1/redemptions/${bookings[0].id}/reverse`, { key: desk, body: {} }), 409, 'already_settled');
    assert.equal(refused.settlement_id, settlement.id);
  });

  it('answers the settlement already made when the same period of the same provider is settled again', async () => {
    const { theatre } = await aMonthAtTheTheatre('Teatro Sociale');
    const body = { provider_id: theatre.id, period_end: new Date().toISOString() };
    const first = assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body }), 201);
    const again = assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body }), 200);
    assert.deepEqual(again, first);
  });

  it('writes an offer titled like a spreadsheet formula as plain text, and each day as it was in Italy', async () => {
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Verdi' });
    const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    const offer = assertOk(
      await call(api, 'POST', '/v1/offers', {
        key: circuit.operator.secretKey,
        body: {
          circuit_id: circuit.id,
          provider_id: theatre.id,
          category: 'theatre',
          title: { it: '=HYPERLINK("https://evil.example","Rimborso")' },
          starts_at: new Date(Date.now() + 30 * 24 * 3600 * 1000).toISOString(),
          seat_price: 1250,
          seats_total: 5,
        },
      }),
      201,
    );
    const voucher = await seedVoucher(api, circuit, await seedReferrer(api, circuit));
    const booked = assertOk(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 } }), 201);
    // Booked at half past midnight on 1 December in Italy: still 30 November in UTC.
    await api.database.sql`update redemptions set captured_at = '2025-11-30T23:30:00Z' where id = ${booked.id}`;
    const settlement = assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }), 201);
    const csv = await (await api.app.request(`/v1/settlements/${settlement.id}.csv`, { headers: { Authorization: `Bearer ${desk}` } })).text();
    const [, line] = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    assert.match(line!, /^2025-12-01,"'=HYPERLINK\(""https:\/\/evil\.example"",""Rimborso""\)",BK-[0-9A-Z-]+,1,12\.50$/);
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

describe('closing a period, and the lists of settlements', () => {
  it('settles every provider of the operator with bookings in it, one settlement each, and answers the same when closed again', async () => {
    const operatorCircuit = await seedCircuit(api, { name: 'Mortara', funded: 1_000_000n });
    const bookedProviders: string[] = [];
    for (const name of ['Teatro Mortara', 'Museo Civico Mortara']) {
      const provider = await seedProvider(api, operatorCircuit, { name });
      const desk = await createKey(api, provider.id, 'desk', operatorCircuit.operator.secretKey);
      const offer = await seedOffer(api, operatorCircuit, provider.id, { seatPrice: 1000n });
      const voucher = await seedVoucher(api, operatorCircuit, await seedReferrer(api, operatorCircuit, { name: `Scuola per ${name}` }));
      assertOk(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 2 } }), 201);
      bookedProviders.push(provider.id);
    }
    const idle = await seedProvider(api, operatorCircuit, { name: 'Cinema Mortara' });
    const periodEnd = new Date().toISOString();
    const closed = assertOk(
      await call(api, 'POST', '/v1/settlements/close_period', { key: operatorCircuit.operator.secretKey, body: { period_end: periodEnd } }),
      201,
    );
    assert.deepEqual(
      closed.settlements.map((settlement: { provider_id: string }) => settlement.provider_id).sort(),
      [...bookedProviders].sort(),
    );
    assert.deepEqual([closed.amount, closed.redemptions], [4000, 2]);
    assert.equal(closed.settlements.some((settlement: { provider_id: string }) => settlement.provider_id === idle.id), false);

    const again = assertOk(
      await call(api, 'POST', '/v1/settlements/close_period', { key: operatorCircuit.operator.secretKey, body: { period_end: periodEnd } }),
      200,
    );
    assert.deepEqual(again, closed);
    const theatreId = bookedProviders[0]!;
    const listed = assertOk(await call(api, 'GET', `/v1/settlements?provider_id=${theatreId}`, { key: operatorCircuit.operator.secretKey }));
    const theatres = closed.settlements.find((settlement: { provider_id: string }) => settlement.provider_id === theatreId);
    assert.deepEqual(listed.data.map((settlement: { id: string }) => settlement.id), [theatres.id]);
  });

  it("lists to a provider its own settlements only, and to an operator its providers'", async () => {
    const { theatre, desk } = await aMonthAtTheTheatre('Teatro Coccia');
    const settlement = assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }), 201);
    const own = assertOk(await call(api, 'GET', '/v1/settlements', { key: desk }));
    assert.deepEqual(own.data.map((listed: { id: string }) => listed.id), [settlement.id]);
    assert.equal(own.data[0].lines, undefined, 'lists leave the lines out');
    const operators = assertOk(await call(api, 'GET', '/v1/settlements?limit=100', { key: circuit.operator.secretKey }));
    assert.ok(operators.data.some((listed: { id: string }) => listed.id === settlement.id));
    const other = await seedCircuit(api, { name: 'Voghera' });
    assert.deepEqual(assertOk(await call(api, 'GET', '/v1/settlements', { key: other.operator.secretKey })).data, []);
  });
});
