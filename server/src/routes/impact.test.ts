// What a mentor's money did: two mentors and a shop's customers fund one campaign, three young
// people book with vouchers from its pool, two cancel some seats, and each mentor sees its share.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { seedCampaign, seedCircuit, seedOffer, seedProviderWithKeys, type TestCampaign, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedVoucher } from '../../test/fixtures/vouchers.js';
import { impactTimeZone } from '../impact/impact.js';
import { declinedTestPaymentMethod } from '../payments/test-provider.js';

const bakeryShop = 'https://pasticceriacolombo.it';

let api: TestApi;
let circuit: TestCircuit;
let theatre: TestOrganization & { deskKey: string; publishableKey: string };
let offer: TestOffer;
let campaign: TestCampaign;
let bakery: TestOrganization;
let bookshop: TestOrganization;
let school: TestOrganization;
const bookings: { id: string; code: string; pin: string }[] = [];

/** This month in Italy, as the impact counts months. */
const thisMonth = new Intl.DateTimeFormat('en-CA', { timeZone: impactTimeZone, year: 'numeric', month: '2-digit' }).format(new Date());

before(async () => {
  api = await createTestApi({ rateLimits: { perIp: 10_000, perVoucher: 10_000, windowSeconds: 60 } });
  circuit = await seedCircuit(api);
  theatre = await seedProviderWithKeys(api, circuit, { allowedOrigins: ['https://teatrocagnoni.it'] });
  offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 50, category: 'theatre' });
  campaign = await seedCampaign(api, circuit, { offer, targetSeats: 20 });
  bakery = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo', allowedOrigins: [bakeryShop], by: circuit.operator.secretKey });
  bookshop = await createOrganization(api, 'mentor', { name: 'Libreria Le Mani', by: circuit.operator.secretKey });
  school = await createOrganization(api, 'referrer', { name: 'Liceo Cairoli', by: circuit.operator.secretKey });
  assertOk(
    await call(api, 'POST', '/v1/allocations', {
      key: circuit.operator.secretKey,
      body: { referrer_id: school.id, pool_id: campaign.poolId, amount: 18_000 },
    }),
  );
});
after(() => api.close());

function sponsor(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(api, 'POST', '/v1/sponsorships', { key, body, headers });
}

function impactOf(key: string, headers: Record<string, string> = {}) {
  return call(api, 'GET', '/v1/mentors/me/impact', { key, headers });
}

/** A young person with a €30 voucher from the campaign's pool books `seats` seats of the play. */
async function book(language: string, seats: number): Promise<{ id: string }> {
  const voucher = await seedVoucher(api, circuit, school, {
    poolId: campaign.poolId,
    amount: 3000n,
    beneficiary: { reference: `3B-0${bookings.length + 1}`, language },
  });
  const redemption = assertOk(
    await call(api, 'POST', '/v1/redemptions', {
      key: theatre.publishableKey,
      body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats, capture: true },
      headers: { Origin: 'https://teatrocagnoni.it' },
    }),
    201,
  );
  bookings.push({ id: redemption.id, code: voucher.code, pin: voucher.pin });
  return { id: redemption.id as string };
}

describe("a mentor's impact", () => {
  let bakeryDesk: string;

  it('counts each mentor its own gifts, its shop customers’ too, by month in Italian time and by category', async () => {
    const own = assertOk(await sponsor(bakery.secretKey, { campaign_id: campaign.id, seats: 6, display_name: 'Pasticceria Colombo' }), 201);
    // Paid at 00:30 on 1 February in Vigevano: February's, though it is still January in UTC.
    await api.database.sql`update sponsorships set succeeded_at = '2026-01-31T23:30:00Z' where id = ${own.id}`;
    const shopKey = await createKey(api, bakery.id, 'publishable', circuit.operator.secretKey);
    assertOk(await sponsor(shopKey, { campaign_id: campaign.id, seats: 2, anonymous: true }, { Origin: bakeryShop }), 201);
    assertOk(await sponsor(bakery.secretKey, { pool_id: circuit.generalPoolId, amount: 2000 }), 201);
    assertOk(await sponsor(bookshop.secretKey, { campaign_id: campaign.id, amount: 6000 }), 201);
    // A refused payment gave nothing.
    assertProblem(await sponsor(bakery.secretKey, { campaign_id: campaign.id, seats: 1, payment_method: declinedTestPaymentMethod }), 402, 'payment_failed');

    bakeryDesk = await createKey(api, bakery.id, 'desk', bakery.secretKey);
    assert.match(bakeryDesk, /^rk_test_/);
    const impact = assertOk(await impactOf(bakeryDesk, { Origin: bakeryShop }));
    assert.deepEqual(impact.mentor, { id: bakery.id, name: 'Pasticceria Colombo' });
    assert.equal(impact.time_zone, 'Europe/Rome');
    const figures = { seats_used: 0, used: 0 };
    assert.deepEqual(impact.rows, [
      { month: '2026-02', category: 'theatre', given: 9000, sponsorships: 1, seats_funded: 6, ...figures },
      { month: thisMonth, category: null, given: 2000, sponsorships: 1, seats_funded: 0, ...figures },
      { month: thisMonth, category: 'theatre', given: 3000, sponsorships: 1, seats_funded: 2, ...figures },
    ]);
    assert.deepEqual(impact.totals, { given: 14_000, sponsorships: 3, seats_funded: 8, ...figures });
    assert.deepEqual(
      impact.categories.map((category: { category: string | null; name: { en: string } | null; given: number }) => [category.category, category.name?.en, category.given]),
      [['theatre', 'Theatre', 12_000], [null, undefined, 2000]],
    );
    assert.deepEqual(impact.months.map((month: { month: string; given: number }) => [month.month, month.given]), [['2026-02', 9000], [thisMonth, 5000]]);
    assert.deepEqual(impact.languages, []);
  });

  it('shares the seats booked from one pool between its mentors pro rata by amount, and takes cancellations back', async () => {
    // The campaign's pool: €120 from the bakery and its customers, €60 from the bookshop: 2/3 and 1/3.
    const first = await book('it', 2);
    const second = await book('it', 2);
    const third = await book('sq', 2);
    const before = assertOk(await impactOf(bakery.secretKey));
    assert.equal(before.totals.seats_used, 4, '6 seats × 2/3');
    assert.equal(before.totals.used, 6000, '€90 × 2/3');
    assert.deepEqual(before.languages, [{ language: 'it', beneficiaries: 2 }, { language: 'sq', beneficiaries: 1 }]);

    assertOk(await call(api, 'POST', `/v1/redemptions/${second.id}/reverse`, { key: theatre.deskKey, body: { seats: 1 } }));
    assertOk(await call(api, 'POST', `/v1/redemptions/${third.id}/reverse`, { key: theatre.deskKey, body: {} }));
    assert.ok(first.id);

    const bakeryImpact = assertOk(await impactOf(bakery.secretKey));
    const bookshopImpact = assertOk(await impactOf(bookshop.secretKey));
    // 3 seats (€45) still booked: 2 (€30) are the bakery's, 1 (€15) the bookshop's; never more than were booked.
    assert.deepEqual([bakeryImpact.totals.seats_used, bakeryImpact.totals.used], [2, 3000]);
    assert.deepEqual([bookshopImpact.totals.seats_used, bookshopImpact.totals.used], [1, 1500]);
    assert.deepEqual(bakeryImpact.rows.find((row: { month: string; category: string }) => row.month === thisMonth && row.category === 'theatre'), {
      month: thisMonth,
      category: 'theatre',
      given: 3000,
      sponsorships: 1,
      seats_funded: 2,
      seats_used: 2,
      used: 3000,
    });
    assert.deepEqual(bookshopImpact.totals, { given: 6000, sponsorships: 1, seats_funded: 4, seats_used: 1, used: 1500 });
    // The young person who cancelled everything was not reached; nobody is named.
    assert.deepEqual(bakeryImpact.languages, [{ language: 'it', beneficiaries: 2 }]);
    assert.doesNotMatch(JSON.stringify(bakeryImpact), /3B-0|beneficiary_id|voucher_id|booking/);
  });

  it('rounds a third of a seat to a tenth, and the totals add up the rounded rows', async () => {
    await book('it', 1);
    const bookshopImpact = assertOk(await impactOf(bookshop.secretKey));
    assert.equal(bookshopImpact.totals.seats_used, 1.3);
    assert.equal(bookshopImpact.totals.used, 2000);
    assert.equal(assertOk(await impactOf(bakery.secretKey)).totals.seats_used, 2.7);
  });

  it('gives the same figures as a spreadsheet: UTF-8 with a BOM like the settlements, a row per month and category, a total', async () => {
    const response = await api.app.request('/v1/mentors/me/impact.csv', { headers: { Authorization: `Bearer ${bakeryDesk}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.match(response.headers.get('content-disposition')!, /^attachment; filename="impact-\d{4}-\d\d-\d\d\.csv"$/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf]);
    const text = new TextDecoder().decode(bytes.slice(3));
    assert.equal(
      text,
      [
        'month,category,given (EUR),sponsorships,seats funded,seats used,used (EUR)',
        '2026-02,theatre,90.00,1,6,0.0,0.00',
        `${thisMonth},,20.00,1,0,0.0,0.00`,
        `${thisMonth},theatre,30.00,1,2,2.7,40.00`,
        'total,,140.00,3,8,2.7,40.00',
        '',
      ].join('\r\n'),
    );
  });

  it('opens with the mentor’s secret or desk key only; the desk key reads and does nothing else', async () => {
    const theatreSecret = assertProblem(await impactOf(theatre.secretKey), 403, 'forbidden');
    assert.match(theatreSecret.detail, /mentor/);
    assertProblem(await impactOf(adminKey), 403, 'forbidden');
    const shopKey = await createKey(api, bakery.id, 'publishable', bakery.secretKey);
    assertProblem(await impactOf(shopKey, { Origin: bakeryShop }), 403, 'forbidden');
    assertProblem(await impactOf(bakeryDesk, { Origin: 'https://elsewhere.example' }), 403, 'forbidden_origin');
    const csv = await api.app.request('/v1/mentors/me/impact.csv', { headers: { Authorization: `Bearer ${theatre.deskKey}` } });
    assert.equal(csv.status, 403);

    const { code, pin } = bookings[0]!;
    const asDesk = (method: string, path: string, body?: unknown) => call(api, method, path, { key: bakeryDesk, body });
    assertProblem(await asDesk('POST', '/v1/redemptions', { code, pin, offer_id: offer.id, seats: 1, capture: true }), 403, 'forbidden');
    assertProblem(await asDesk('POST', '/v1/vouchers/check', { code, pin }), 403, 'forbidden');
    assertProblem(await asDesk('POST', '/v1/vouchers', { beneficiary_id: bakery.id, pool_id: campaign.poolId, amount: 1000 }), 403, 'forbidden');
    assertProblem(await asDesk('POST', '/v1/sponsorships', { campaign_id: campaign.id, seats: 1 }), 403, 'forbidden');
    assertProblem(await asDesk('GET', '/v1/sponsorships'), 403, 'forbidden');
    assertProblem(await asDesk('POST', `/v1/organizations/${bakery.id}/keys`, { kind: 'secret' }), 403, 'forbidden');
    assertProblem(await asDesk('GET', '/v1/thanks'), 403, 'forbidden');
    assert.equal(assertOk(await asDesk('GET', '/v1/organizations/me')).name, 'Pasticceria Colombo');
  });
});
