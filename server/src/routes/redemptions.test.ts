import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { needsRealPostgres } from '../../test/database.js';
import { seedCircuit, seedOffer, seedProvider, seedProviderWithKeys, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { derivedId } from '../ids.js';
import { sweep } from '../jobs/sweeper.js';

const theatreSite = 'https://teatrocagnoni.it';

let api: TestApi;
let circuit: TestCircuit;
let theatre: { id: string; secretKey: string; publishableKey: string; deskKey: string };
let school: Awaited<ReturnType<typeof seedReferrer>>;

before(async () => {
  // Room for the races below; the per-voucher limit is tested in the vouchers' own tests.
  api = await createTestApi({ rateLimits: { perIp: 10_000, perVoucher: 10_000, windowSeconds: 60 }, holdTimeoutSeconds: 900 });
  circuit = await seedCircuit(api, { funded: 10_000_000n });
  theatre = await seedProviderWithKeys(api, circuit, { name: 'Teatro Cagnoni', allowedOrigins: [theatreSite] });
  school = await seedReferrer(api, circuit, { allocation: 10_000_000n });
});
after(() => api.close());

/** A redemption from the theatre's own page, as the redeem widget sends it. */
function redeemInPage(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(api, 'POST', '/v1/redemptions', { key: theatre.publishableKey, body, headers: { Origin: theatreSite, ...headers } });
}

async function seatsLeft(offerId: string): Promise<number> {
  const [row] = await api.database.sql<{ left: number }[]>`select seats_total - seats_taken as left from offers where id = ${offerId}`;
  return row!.left;
}

async function available(accountId: string): Promise<bigint> {
  const [account] = await api.ledger.lookupAccounts([accountId]);
  return account!.available;
}

describe('redeeming in the page', () => {
  it('a beneficiary with €50 takes two €15 seats and gets a booking to show at the door', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 10 });
    const voucher = await seedVoucher(api, circuit, school, { amount: 5000n });
    const typed = voucher.code.toLowerCase().replaceAll('-', ' ');
    const redemption = assertOk(await redeemInPage({ code: typed, pin: voucher.pin, offer_id: offer.id, seats: 2 }), 201);
    assert.equal(redemption.status, 'captured');
    assert.equal(redemption.channel, 'in_page');
    assert.equal(redemption.amount, 3000);
    assert.equal(redemption.captured_amount, 3000);
    assert.equal(redemption.voucher_available, 2000);
    assert.match(redemption.booking_reference, /^BK-[0-9A-Z]{5}-[0-9A-Z]{5}$/);
    assert.equal(redemption.qr_payload, `MENTORING:BOOKING:${redemption.booking_reference}`);
    assert.equal(await seatsLeft(offer.id), 8);
    assert.equal(await available(voucher.id), 2000n);
  });

  it('a beneficiary with €20 left cannot take two €15 seats, and the seats stay on sale', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 10 });
    const voucher = await seedVoucher(api, circuit, school, { amount: 2000n });
    const refused = assertProblem(
      await redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 2 }),
      422,
      'insufficient_funds',
    );
    assert.equal(refused.available, 2000);
    assert.match(refused.detail, /EUR 20\.00 left/);
    assert.equal(await seatsLeft(offer.id), 10);
    assert.equal(await available(voucher.id), 2000n);
  });

  it('a music and museum voucher cannot be spent on theatre', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { category: 'theatre' });
    const voucher = await seedVoucher(api, circuit, school, { restrictions: { categories: ['music', 'museum'] } });
    const refused = assertProblem(
      await redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 }),
      422,
      'restriction_mismatch',
    );
    assert.equal(refused.detail, 'This voucher cannot be used for this offer: it is for music or museum only, and this offer is theatre.');
  });

  it('asking for more seats than are left says how many are left', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { seats: 1 });
    const voucher = await seedVoucher(api, circuit, school);
    const refused = assertProblem(
      await redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 2 }),
      409,
      'sold_out',
    );
    assert.equal(refused.seats_left, 1);
    assert.equal(await available(voucher.id), 5000n);
  });

  it('a wrong PIN says how many attempts are left, an expired voucher says so', async () => {
    const offer = await seedOffer(api, circuit, theatre.id);
    const voucher = await seedVoucher(api, circuit, school);
    const wrongPin = voucher.pin === '000000' ? '111111' : '000000';
    const refused = assertProblem(
      await redeemInPage({ code: voucher.code, pin: wrongPin, offer_id: offer.id, seats: 1 }),
      422,
      'wrong_pin',
    );
    assert.equal(refused.attempts_left, 4);
    const expired = await seedVoucher(api, circuit, school, { expiresAt: new Date(Date.now() - 1000) });
    assertProblem(await redeemInPage({ code: expired.code, pin: expired.pin, offer_id: offer.id, seats: 1 }), 410, 'voucher_expired');
    assert.equal(await seatsLeft(offer.id), offer.seats);
  });

  it("a page may redeem only its own provider's offers, and only from its own origin", async () => {
    const museum = await seedProvider(api, circuit, { name: 'Museo della Calzatura' });
    const museumOffer = await seedOffer(api, circuit, museum.id, { category: 'museum' });
    const voucher = await seedVoucher(api, circuit, school);
    assertProblem(await redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: museumOffer.id, seats: 1 }), 404, 'not_found');
    const foreign = await call(api, 'POST', '/v1/redemptions', {
      key: theatre.publishableKey,
      body: { code: voucher.code, pin: voucher.pin, offer_id: museumOffer.id, seats: 1 },
      headers: { Origin: 'https://evil.example' },
    });
    assertProblem(foreign, 403, 'forbidden_origin');
    const mentorLike = await call(api, 'POST', '/v1/redemptions', {
      key: school.secretKey,
      body: { code: voucher.code, pin: voucher.pin, offer_id: museumOffer.id, seats: 1 },
    });
    assertProblem(mentorLike, 403, 'forbidden');
    const holdInPage = assertProblem(
      await redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: museumOffer.id, seats: 1, capture: false }),
      400,
      'invalid_request',
    );
    assert.deepEqual(holdInPage.errors.map((error: { path: string }) => error.path), ['capture']);
  });

  it('the same Idempotency-Key books once and answers the same booking', async () => {
    const offer = await seedOffer(api, circuit, theatre.id);
    const voucher = await seedVoucher(api, circuit, school);
    const body = { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 };
    const headers = { 'Idempotency-Key': `redeem-${voucher.id}` };
    const first = assertOk(await redeemInPage(body, headers), 201);
    const again = await redeemInPage(body, headers);
    assert.equal(again.status, 201);
    assert.equal(again.body.booking_reference, first.booking_reference);
    assert.equal(await seatsLeft(offer.id), offer.seats - 1);
    assert.equal(await available(voucher.id), 3500n);
  });
});

describe('at the box office', () => {
  async function hold(seats: number, offer?: Awaited<ReturnType<typeof seedOffer>>) {
    const target = offer ?? (await seedOffer(api, circuit, theatre.id));
    const voucher = await seedVoucher(api, circuit, school);
    const redemption = assertOk(
      await call(api, 'POST', '/v1/redemptions', {
        key: theatre.deskKey,
        body: { code: voucher.code, pin: voucher.pin, offer_id: target.id, seats, capture: false },
      }),
      201,
    );
    assert.equal(redemption.status, 'held');
    assert.equal(redemption.channel, 'counter');
    return { redemption, voucher, offer: target };
  }

  it('holds two seats, then captures one: the other seat and its money go back', async () => {
    const { redemption, voucher, offer } = await hold(2);
    assert.equal(await available(voucher.id), 2000n);
    const captured = assertOk(
      await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: { seats: 1 } }),
    );
    assert.equal(captured.status, 'captured');
    assert.equal(captured.captured_seats, 1);
    assert.equal(captured.captured_amount, 1500);
    assert.equal(captured.voucher_available, 3500, 'the answer tells what the voucher has left');
    assert.equal(await available(voucher.id), 3500n);
    assert.equal(await seatsLeft(offer.id), offer.seats - 1);
    const again = assertOk(await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: { seats: 1 } }));
    assert.equal(again.captured_amount, 1500, 'capturing again changes nothing');
    assert.equal(again.voucher_available, 3500);
    assertProblem(await call(api, 'POST', `/v1/redemptions/${redemption.id}/void`, { key: theatre.deskKey }), 409, 'hold_already_resolved');
    const retried = assertOk(await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: {} }));
    assert.equal(retried.captured_seats, 1, 'a retry without seats answers the capture made');
    assertProblem(
      await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: { seats: 2 } }),
      409,
      'hold_already_resolved',
    );
  });

  it('answers a capture that another desk made at the same moment with other seats as already resolved', async () => {
    const { redemption, voucher } = await hold(2);
    // The other desk's capture reached the ledger; this request read the row before it was updated.
    const other = await api.ledger.createTransfer({
      id: derivedId(redemption.id, 'capture'),
      code: 'CAPTURE',
      pendingId: redemption.id,
      amount: 1500n,
      reference: `redemption:${redemption.id}`,
    });
    assert.equal(other.result, 'ok');
    const refused = assertProblem(
      await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: { seats: 2 } }),
      409,
      'hold_already_resolved',
    );
    assert.match(refused.detail, /confirmed meanwhile with another number of seats/);
    assert.equal(await available(voucher.id), 3500n, 'one seat taken, as the other desk confirmed');
  });

  it('voids a hold: seats and money go back', async () => {
    const { redemption, voucher, offer } = await hold(3);
    const voided = assertOk(await call(api, 'POST', `/v1/redemptions/${redemption.id}/void`, { key: theatre.deskKey }));
    assert.equal(voided.status, 'voided');
    assert.equal(voided.voucher_available, 5000);
    assert.equal(await available(voucher.id), 5000n);
    assert.equal(await seatsLeft(offer.id), offer.seats);
    assertProblem(
      await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: {} }),
      409,
      'hold_already_resolved',
    );
  });

  it('cannot capture more seats than it held', async () => {
    const { redemption } = await hold(1);
    assertProblem(
      await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: { seats: 2 } }),
      422,
      'exceeds_hold',
    );
  });

  it('reverses a booking up to 48 hours before the show, not after', async () => {
    const { redemption, voucher, offer } = await hold(2);
    assertOk(await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: {} }));
    const reversed = assertOk(await call(api, 'POST', `/v1/redemptions/${redemption.id}/reverse`, { key: theatre.deskKey, body: {} }));
    assert.equal(reversed.status, 'reversed');
    assert.equal(reversed.reversed_amount, 3000);
    assert.equal(reversed.voucher_available, 5000);
    assert.equal(await available(voucher.id), 5000n);
    assert.equal(await seatsLeft(offer.id), offer.seats);

    const tomorrow = await seedOffer(api, circuit, theatre.id, { startsAt: new Date(Date.now() + 24 * 3600 * 1000) });
    const late = await hold(1, tomorrow);
    assertOk(await call(api, 'POST', `/v1/redemptions/${late.redemption.id}/capture`, { key: theatre.deskKey, body: {} }));
    const refused = assertProblem(
      await call(api, 'POST', `/v1/redemptions/${late.redemption.id}/reverse`, { key: theatre.deskKey, body: {} }),
      409,
      'cancellation_window_closed',
    );
    assert.equal(refused.reversible_until, late.redemption.reversible_until);
  });

  it('reverses once: the same reversal again answers the same, another seat count is refused, nothing moves twice', async () => {
    const { redemption, voucher, offer } = await hold(2);
    assertOk(await call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: {} }));
    const reverse = (body: Record<string, unknown>) => call(api, 'POST', `/v1/redemptions/${redemption.id}/reverse`, { key: theatre.deskKey, body });
    const once = assertOk(await reverse({ seats: 1 }));
    assert.equal(once.reversed_amount, 1500);
    assert.deepEqual(assertOk(await reverse({ seats: 1 })), once);
    const refused = assertProblem(await reverse({ seats: 2 }), 409, 'conflict');
    assert.match(refused.detail, /reversed already \(1 of its seats went back\)/);
    assertProblem(await reverse({}), 409, 'conflict');
    assert.equal(await available(voucher.id), 5000n - 1500n);
    assert.equal(await seatsLeft(offer.id), offer.seats - 1);
  });

  it("another provider's desk cannot touch the theatre's redemptions", async () => {
    const { redemption } = await hold(1);
    const museum = await seedProvider(api, circuit, { name: 'Museo della Calzatura' });
    const museumDesk = await createKey(api, museum.id, 'desk', circuit.operator.secretKey);
    assertProblem(await call(api, 'POST', `/v1/redemptions/${redemption.id}/void`, { key: museumDesk }), 404, 'not_found');
    assertProblem(await call(api, 'GET', `/v1/redemptions/${redemption.id}`, { key: museumDesk }), 404, 'not_found');
    assertOk(await call(api, 'GET', `/v1/redemptions/${redemption.id}`, { key: circuit.operator.secretKey }));
  });

  it('finds a booking by the reference a door scanner reads, or a person types', async () => {
    const { redemption } = await hold(1);
    const reference: string = redemption.booking_reference;
    for (const read of [reference.toLowerCase(), reference.replaceAll('-', ''), ` ${reference.replaceAll('-', ' ')} `, redemption.qr_payload]) {
      const found = assertOk(await call(api, 'GET', `/v1/redemptions?booking_reference=${encodeURIComponent(read)}`, { key: theatre.deskKey }));
      assert.deepEqual(found.data.map((row: { id: string }) => row.id), [redemption.id], read);
    }
    const nothing = assertOk(await call(api, 'GET', '/v1/redemptions?booking_reference=BK-00000-00000', { key: theatre.deskKey }));
    assert.deepEqual(nothing.data, []);
  });

  it('a hold nobody captures is released by the sweeper: seats and money go back', async () => {
    const quick = await createTestApiSharing(1);
    const offer = await seedOffer(quick, circuit, theatre.id);
    const voucher = await seedVoucher(quick, circuit, school);
    const held = assertOk(
      await call(quick, 'POST', '/v1/redemptions', {
        key: theatre.deskKey,
        body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 2, capture: false },
      }),
      201,
    );
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const swept = await sweep({ sql: api.database.sql, ledger: api.ledger });
    assert.ok(swept.holdsReleased >= 1);
    assert.ok(swept.redemptionsSynced >= 1);
    const expired = assertOk(await call(api, 'GET', `/v1/redemptions/${held.id}`, { key: theatre.deskKey }));
    assert.equal(expired.status, 'expired');
    assert.equal(await available(voucher.id), 5000n);
    assert.equal(await seatsLeft(offer.id), offer.seats);
    assertProblem(await call(api, 'POST', `/v1/redemptions/${held.id}/capture`, { key: theatre.deskKey, body: {} }), 409, 'hold_already_resolved');
  });
});

describe('the last seats and the last euros under concurrency', { skip: needsRealPostgres }, () => {
  it('50 redemptions at once for 5 seats: exactly 5 bookings, nothing oversold', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { seats: 5 });
    const vouchers = await Promise.all(Array.from({ length: 50 }, () => seedVoucher(api, circuit, school)));
    const results = await Promise.all(
      vouchers.map((voucher) => redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 })),
    );
    const statuses = results.map((result) => result.status);
    assert.equal(statuses.filter((status) => status === 201).length, 5);
    assert.equal(statuses.filter((status) => status === 409).length, 45);
    assert.equal(await seatsLeft(offer.id), 0);
    await assertReconciled();
  });

  it('50 redemptions at once on one €45 voucher for €15 seats: exactly 3 succeed, no overdraft', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { seats: 100 });
    const voucher = await seedVoucher(api, circuit, school, { amount: 4500n });
    const results = await Promise.all(
      Array.from({ length: 50 }, () => redeemInPage({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 })),
    );
    const statuses = results.map((result) => result.status);
    assert.equal(statuses.filter((status) => status === 201).length, 3);
    assert.ok(results.every((result) => result.status === 201 || result.body.code === 'insufficient_funds'));
    assert.equal(await available(voucher.id), 0n);
    assert.equal(await seatsLeft(offer.id), 97, 'the seats of refused redemptions went back');
    await assertReconciled();
  });
});

async function assertReconciled() {
  const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
  assert.deepEqual(report.problems, []);
  assert.equal(report.clean, true);
}

/** A second app on the same database whose holds time out after `seconds`. */
async function createTestApiSharing(seconds: number): Promise<TestApi> {
  const { createApp } = await import('../app.js');
  const app = createApp({
    database: api.database,
    services: { adminKey, ledger: api.ledger, holdTimeoutSeconds: seconds, rateLimits: { perIp: 10_000, perVoucher: 10_000, windowSeconds: 60 } },
  });
  return { ...api, app };
}
