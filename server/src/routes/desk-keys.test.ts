// Desk keys (rk_…) for the staff desk widgets: a referrer's office and a provider's box office,
// each with what its desk needs and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { firstIdAt } from '../ids.js';

const schoolOffice = 'https://segreteria.liceocairoli.it';
const boxOffice = 'https://biglietteria.teatrocagnoni.it';

let api: TestApi;
let circuit: TestCircuit;
let school: TestOrganization;
let schoolDesk: string;

before(async () => {
  api = await createTestApi({ rateLimits: { perIp: 10_000, perVoucher: 10_000, windowSeconds: 60 } });
  circuit = await seedCircuit(api, { funded: 10_000_000n });
  school = await seedReferrer(api, circuit, { allocation: 120_000n });
  assertOk(await call(api, 'POST', `/v1/organizations/${school.id}`, { key: circuit.operator.secretKey, body: { allowed_origins: [schoolOffice] } }));
  schoolDesk = await createKey(api, school.id, 'desk', school.secretKey);
});
after(() => api.close());

function asSchoolDesk(method: string, path: string, body?: unknown) {
  return call(api, method, path, { key: schoolDesk, body, headers: { Origin: schoolOffice } });
}

/** Class 3B: `count` beneficiaries, 3B-01 to 3B-`count`, made with the school's desk key. */
async function classOf(prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let pupil = 1; pupil <= count; pupil++) {
    const reference = `${prefix}-${String(pupil).padStart(2, '0')}`;
    const language = pupil === 7 ? 'sq' : 'it';
    ids.push(assertOk(await asSchoolDesk('POST', '/v1/beneficiaries', { reference, age_band: '14-17', language }), 201).id);
  }
  return ids;
}

describe("a referrer's desk key", () => {
  it('is made by the referrer itself (or its operator) and looks like rk_test_…', async () => {
    assert.match(schoolDesk, /^rk_test_[A-Za-z0-9]{32}$/);
    const byOperator = await createKey(api, school.id, 'desk', circuit.operator.secretKey);
    assert.match(byOperator, /^rk_test_/);
  });

  it('lets the secretary issue twenty vouchers for class 3B in one batch, within the allocation, and see them used', async () => {
    const me = assertOk(await asSchoolDesk('GET', '/v1/organizations/me'));
    assert.deepEqual([me.id, me.kind, me.name], [school.id, 'referrer', 'Liceo Cairoli']);
    const [allocation] = assertOk(await asSchoolDesk('GET', '/v1/allocations')).data;
    assert.equal(allocation.remaining, 120_000);
    const pool = assertOk(await asSchoolDesk('GET', `/v1/pools/${allocation.pool_id}`));
    assert.equal(pool.id, circuit.generalPoolId);

    const pupils = await classOf('3B', 20);
    const batch = assertOk(
      await asSchoolDesk('POST', '/v1/vouchers/batch', {
        vouchers: pupils.map((beneficiary_id) => ({ beneficiary_id, pool_id: allocation.pool_id, amount: 5000 })),
      }),
      201,
    );
    assert.equal(batch.data.length, 20);
    for (const voucher of batch.data) assert.match(`${voucher.code} ${voucher.pin}`, /^MNT-[0-9A-Z-]{16} \d{4,6}$/);
    assert.equal(assertOk(await asSchoolDesk('GET', '/v1/allocations')).data[0].remaining, 20_000);

    // Over what is left of the allocation: refused, nothing issued.
    const over = assertProblem(
      await asSchoolDesk('POST', '/v1/vouchers/batch', {
        vouchers: pupils.slice(0, 3).map((beneficiary_id) => ({ beneficiary_id, pool_id: allocation.pool_id, amount: 7000 })),
      }),
      422,
      'allocation_exceeded',
    );
    assert.equal(over.errors[0].path, 'vouchers.2.amount');

    const listed = assertOk(await asSchoolDesk('GET', '/v1/vouchers?limit=100')).data;
    assert.equal(listed.length, 20);
    assert.equal(listed[0].code, undefined, 'a list never shows a code');
    const seventh = assertOk(await asSchoolDesk('GET', `/v1/beneficiaries/${pupils[6]}`));
    assert.deepEqual([seventh.reference, seventh.language, seventh.usage.available], ['3B-07', 'sq', 5000]);
    assert.equal(assertOk(await asSchoolDesk('GET', `/v1/vouchers/${batch.data[6].id}`)).available, 5000);
    assert.equal(assertOk(await asSchoolDesk('GET', '/v1/beneficiaries?limit=100')).data.length, 20);
  });

  it('unlocks a card locked by five wrong PINs at the box office', async () => {
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Cagnoni' });
    const theatreDesk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    const voucher = await seedVoucher(api, circuit, school, { amount: 1000n });
    const wrong = voucher.pin === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < 5; attempt++) {
      await call(api, 'POST', '/v1/vouchers/check', { key: theatreDesk, body: { code: voucher.code, pin: wrong } });
    }
    assert.equal(assertOk(await asSchoolDesk('GET', `/v1/vouchers/${voucher.id}`)).locked, true);
    assert.equal(assertOk(await asSchoolDesk('POST', `/v1/vouchers/${voucher.id}/unlock`)).locked, false);
    assertOk(await call(api, 'POST', '/v1/vouchers/check', { key: theatreDesk, body: { code: voucher.code, pin: voucher.pin } }));
  });

  it('may do nothing else: no PIN checks, redemptions, exports, erasures, keys, webhooks, circuits, settlements or audit', async () => {
    const voucher = await seedVoucher(api, circuit, school);
    const theatre = await seedProvider(api, circuit, { name: 'Museo della Calzatura' });
    const offer = await seedOffer(api, circuit, theatre.id);
    const refusals: [string, string, unknown?][] = [
      ['POST', '/v1/vouchers/check', { code: voucher.code, pin: voucher.pin }],
      ['POST', '/v1/redemptions', { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 }],
      ['GET', '/v1/redemptions'],
      ['GET', `/v1/beneficiaries/${voucher.beneficiaryId}/export`],
      ['POST', `/v1/beneficiaries/${voucher.beneficiaryId}/erase`],
      ['POST', `/v1/organizations/${school.id}/keys`, { kind: 'secret' }],
      ['GET', `/v1/organizations/${school.id}/keys`],
      ['POST', `/v1/organizations/${school.id}`, { name: 'Liceo' }],
      ['POST', '/v1/webhook_endpoints', { url: 'https://liceocairoli.it/hooks', event_types: ['voucher.issued'] }],
      ['GET', '/v1/circuits'],
      ['GET', '/v1/settlements'],
      ['GET', '/v1/audit_log'],
      ['GET', '/v1/ledger/reconciliation'],
      ['POST', '/v1/allocations', { referrer_id: school.id, pool_id: circuit.generalPoolId, amount: 10_000_000 }],
    ];
    for (const [method, path, body] of refusals) {
      const answer = await asSchoolDesk(method, path, body);
      assert.equal(answer.status, 403, `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body.code, 'forbidden', `${method} ${path}`);
    }
    assert.equal(
      (await asSchoolDesk('GET', '/v1/ledger/reconciliation')).body.detail,
      'This needs a secret key of an operator organization; this is a desk key of a referrer.',
    );
    // The beneficiary is still there: the refused erasure changed nothing.
    assert.equal(assertOk(await asSchoolDesk('GET', `/v1/beneficiaries/${voucher.beneficiaryId}`)).erased_at, null);
  });

  it('is refused from a browser on an origin the school has not allowed, and gets CORS on its own', async () => {
    const elsewhere = await call(api, 'GET', '/v1/vouchers', { key: schoolDesk, headers: { Origin: 'https://example.com' } });
    assertProblem(elsewhere, 403, 'forbidden_origin');
    const own = await asSchoolDesk('GET', '/v1/vouchers');
    assert.equal(own.headers.get('access-control-allow-origin'), schoolOffice);
  });
});

describe("a provider's desk key, for the box office widget", () => {
  it("knows its organization, lists the day's redemptions, finds a booking by its QR code, and reads settlements", async () => {
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Fraschini', allowedOrigins: [boxOffice] });
    const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    const atTheDesk = (method: string, path: string, body?: unknown) => call(api, method, path, { key: desk, body, headers: { Origin: boxOffice } });
    const offer = await seedOffer(api, circuit, theatre.id);
    const redeem = async () => {
      const voucher = await seedVoucher(api, circuit, school, { amount: 1500n });
      return assertOk(await atTheDesk('POST', '/v1/redemptions', { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: false }), 201);
    };
    assert.equal(assertOk(await atTheDesk('GET', '/v1/organizations/me')).name, 'Teatro Fraschini');

    const yesterday = await redeem();
    // Made yesterday, as far as its id and time say.
    const dayAgo = new Date(Date.now() - 24 * 3600 * 1000);
    const oldId = firstIdAt(dayAgo).replace(/0{12}$/, '000000000001');
    await api.database.sql`update redemptions set id = ${oldId}, created_at = ${dayAgo} where id = ${yesterday.id}`;
    const midnight = new Date(Date.now() - 3600 * 1000);
    const today = [await redeem(), await redeem()] as const;

    const listed = assertOk(await atTheDesk('GET', `/v1/redemptions?created_after=${encodeURIComponent(midnight.toISOString())}`)).data;
    assert.deepEqual(listed.map((redemption: { id: string }) => redemption.id), today.map((redemption) => redemption.id));
    const paged = assertOk(await atTheDesk('GET', `/v1/redemptions?limit=1&created_after=${midnight.toISOString()}&starting_after=${today[0].id}`));
    assert.deepEqual(paged.data.map((redemption: { id: string }) => redemption.id), [today[1].id]);

    const scanned = today[1].qr_payload.replace('MENTORING:BOOKING:', '');
    const [found] = assertOk(await atTheDesk('GET', `/v1/redemptions?booking_reference=${scanned}`)).data;
    assert.equal(found.id, today[1].id);

    for (const redemption of today) assertOk(await atTheDesk('POST', `/v1/redemptions/${redemption.id}/capture`, {}));
    const settlement = assertOk(await call(api, 'POST', '/v1/settlements', { key: circuit.operator.secretKey, body: { provider_id: theatre.id } }), 201);
    assert.deepEqual(assertOk(await atTheDesk('GET', '/v1/settlements')).data.map((row: { id: string }) => row.id), [settlement.id]);
    const csv = await api.app.request(`/v1/settlements/${settlement.id}.csv`, { headers: { Authorization: `Bearer ${desk}`, Origin: boxOffice } });
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('access-control-allow-origin'), boxOffice);
  });

  it('the admin key has no organization to show', async () => {
    assertProblem(await call(api, 'GET', '/v1/organizations/me', { key: adminKey }), 403, 'forbidden');
  });
});
