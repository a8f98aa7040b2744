import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import {
  seedCampaign,
  seedCircuit,
  seedOffer,
  seedProvider,
  seedSponsorship,
  type TestCampaign,
  type TestCircuit,
  type TestOffer,
} from '../../test/fixtures/catalog.js';
import { newId } from '../ids.js';
import { seasonOf } from './public.js';

let api: TestApi;
let circuit: TestCircuit;
let theatre: TestOrganization;
let locandiera: TestOffer;
before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { name: 'Vigevano' });
  theatre = await seedProvider(api, circuit, { name: 'Teatro Cagnoni' });
  locandiera = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 40 });
});
after(() => api.close());

const lastSeason = () => new Date(seasonOf(new Date()).startsAt.getTime() - 24 * 3600 * 1000);

/** A redemption at the provider as the redemption code leaves it once captured (or reversed). */
async function redeemed(provider: TestOrganization, offer: TestOffer, seats: number, { status = 'captured', capturedAt = new Date() } = {}) {
  const amount = offer.seatPrice * BigInt(seats);
  await api.database.sql`
    insert into redemptions (id, voucher_id, offer_id, provider_id, channel, status, seats, seat_price, amount,
                             captured_seats, captured_amount, currency, hold_expires_at, booking_reference, captured_at)
    values (${newId()}, ${newId()}, ${offer.id}, ${provider.id}, 'counter', ${status}, ${seats}, ${offer.seatPrice}, ${amount},
            ${seats}, ${amount}, 'EUR', ${capturedAt}, ${`BK-${newId().slice(-10)}`}, ${capturedAt})`;
}

describe('the sponsor-seat widget', () => {
  let campaign: TestCampaign;
  let colombo: TestOrganization;
  before(async () => {
    campaign = await seedCampaign(api, circuit, { offer: locandiera, targetSeats: 20 });
    colombo = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo' });
    await seedSponsorship(api, campaign, { amount: 4500n, seats: 3, mentorId: colombo.id, displayName: 'Pasticceria Colombo', message: 'Buona visione!' });
    await seedSponsorship(api, campaign, { amount: 3000n, seats: 2, displayName: 'Chi preferisce tacere', anonymous: true });
    await seedSponsorship(api, campaign, { amount: 1500n, seats: 1, displayName: 'Pagamento in corso', status: 'pending' });
    for (const name of ['Anna', 'Besa', 'Carlo', 'Dritan', 'Elena']) {
      await seedSponsorship(api, campaign, { amount: 2000n, displayName: name });
    }
  });

  it('shows the campaign, its progress and the latest named sponsors, without a key', async () => {
    const result = await call(api, 'GET', `/v1/public/campaigns/${campaign.id}`);
    const page = assertOk(result);
    assert.deepEqual(
      {
        object: page.object,
        circuit: page.circuit,
        title: page.title.it,
        offer: page.offer,
        seat_price: page.seat_price,
        currency: page.currency,
        target_seats: page.target_seats,
        seats_funded: page.seats_funded,
        funded_amount: page.funded_amount,
        sponsors_count: page.sponsors_count,
      },
      {
        object: 'public_campaign',
        circuit: { id: circuit.id, name: 'Vigevano' },
        title: 'La locandiera',
        offer: {
          id: locandiera.id,
          title: { it: 'La locandiera', en: 'The Mistress of the Inn', sq: 'Hanxhesha' },
          venue: 'Teatro Cagnoni, Vigevano',
          starts_at: locandiera.startsAt.toISOString(),
          provider_name: 'Teatro Cagnoni',
        },
        seat_price: 1500,
        currency: 'EUR',
        target_seats: 20,
        seats_funded: 11,
        funded_amount: 17_500,
        sponsors_count: 7,
      },
    );
    assert.deepEqual(
      page.recent_sponsors,
      ['Elena', 'Dritan', 'Carlo', 'Besa', 'Anna'].map((name) => ({ display_name: name, message: null, seats: 1 })),
      'the five latest named sponsors; €20 is one whole seat',
    );
  });

  it('never shows who the mentors are behind a name, nor anonymous or unpaid sponsors', async () => {
    const { body } = await call(api, 'GET', `/v1/public/campaigns/${campaign.id}`);
    const text = JSON.stringify(body);
    assert.ok(!text.includes(colombo.id), 'no mentor id');
    assert.doesNotMatch(text, /Chi preferisce tacere|Pagamento in corso|mentor|@/);
    assert.deepEqual(
      body.recent_sponsors.flatMap((sponsor: object) => Object.keys(sponsor)).filter((key: string, index: number, keys: string[]) => keys.indexOf(key) === index),
      ['display_name', 'message', 'seats'],
    );
  });

  it('any page may read it, and caches may keep it: ETag, If-None-Match answers 304', async () => {
    const path = `/v1/public/campaigns/${campaign.id}`;
    const first = await call(api, 'GET', path, { headers: { Origin: 'https://www.pasticceriacolombo.it' } });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('access-control-allow-origin'), '*');
    assert.equal(first.headers.get('access-control-expose-headers'), 'X-Request-Id');
    assert.equal(first.headers.get('cache-control'), 'public, max-age=30, stale-while-revalidate=300');
    const etag = first.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f]+"$/);
    const again = await api.app.request(path, { headers: { 'If-None-Match': etag! } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), '');
    assert.equal(again.headers.get('cache-control'), 'public, max-age=30, stale-while-revalidate=300');
    assert.equal(again.headers.get('access-control-allow-origin'), '*');
    assert.match(String(again.headers.get('x-request-id')), /^[0-9a-f-]{36}$/, 'a 304 names its request too');
    await seedSponsorship(api, campaign, { amount: 1500n, seats: 1, displayName: 'Farmacia Cairoli' });
    const changed = await api.app.request(path, { headers: { 'If-None-Match': etag! } });
    assert.equal(changed.status, 200, 'a new sponsor changes the ETag');
    const preflight = await api.app.request(path, {
      method: 'OPTIONS',
      headers: { Origin: 'https://www.pasticceriacolombo.it', 'Access-Control-Request-Method': 'GET' },
    });
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
  });

  it('an unknown campaign is a 404 problem the page can read, and is not cached', async () => {
    const missing = await call(api, 'GET', `/v1/public/campaigns/${newId()}`);
    assertProblem(missing, 404, 'not_found');
    assert.equal(missing.headers.get('access-control-allow-origin'), '*');
    assert.equal(missing.headers.get('cache-control'), null);
    assertProblem(await call(api, 'GET', '/v1/public/campaigns/la-locandiera'), 404, 'not_found');
  });
});

describe('circuit badges', () => {
  it("count this season's sponsored seats for the circuit, the provider (with seats redeemed there) and the mentor", async () => {
    const pavia = await seedCircuit(api, { name: 'Pavia' });
    const fraschini = await seedProvider(api, pavia, { name: 'Teatro Fraschini' });
    const norma = await seedOffer(api, pavia, fraschini.id, { seatPrice: 2000n, category: 'music' });
    const campaign = await seedCampaign(api, pavia, { offer: norma });
    const openCall = await seedCampaign(api, pavia, { seatPrice: 1000n });
    const mentor = await createOrganization(api, 'mentor', { name: 'Ferramenta Ticino' });
    await seedSponsorship(api, campaign, { amount: 6000n, seats: 3, mentorId: mentor.id });
    await seedSponsorship(api, campaign, { amount: 5000n, mentorId: mentor.id, anonymous: true });
    await seedSponsorship(api, openCall, { amount: 4000n, displayName: 'Bar Minerva' });
    await seedSponsorship(api, campaign, { amount: 20_000n, seats: 10, succeededAt: lastSeason() });
    await seedSponsorship(api, campaign, { amount: 2000n, seats: 1, status: 'refunded' });
    await redeemed(fraschini, norma, 2);
    await redeemed(fraschini, norma, 4, { status: 'reversed' });
    await redeemed(fraschini, norma, 3, { capturedAt: lastSeason() });

    const badge = async (kind: string, id: string) => {
      const result = await call(api, 'GET', `/v1/public/badges/${kind}/${id}`);
      assert.equal(result.headers.get('access-control-allow-origin'), '*');
      assert.match(result.headers.get('etag') ?? '', /.+/);
      return assertOk(result);
    };
    const season = seasonOf(new Date());
    const circuitBadge = await badge('circuit', pavia.id);
    assert.deepEqual(circuitBadge, {
      object: 'badge',
      kind: 'circuit',
      id: pavia.id,
      name: 'Pavia',
      circuit: { id: pavia.id, name: 'Pavia' },
      season: { name: season.name, starts_at: season.startsAt.toISOString(), ends_at: season.endsAt.toISOString() },
      seats_sponsored: 3 + 2 + 4,
    });
    const providerBadge = await badge('provider', fraschini.id);
    assert.deepEqual(
      [providerBadge.name, providerBadge.circuit, providerBadge.seats_sponsored, providerBadge.seats_redeemed],
      ['Teatro Fraschini', { id: pavia.id, name: 'Pavia' }, 3 + 2, 2],
    );
    const mentorBadge = await badge('mentor', mentor.id);
    assert.deepEqual(
      [mentorBadge.name, mentorBadge.circuit, mentorBadge.seats_sponsored, mentorBadge.seats_redeemed],
      ['Ferramenta Ticino', { id: pavia.id, name: 'Pavia' }, 5, undefined],
    );
    const newcomer = await createOrganization(api, 'mentor', { name: 'Forno Visconti' });
    const empty = await badge('mentor', newcomer.id);
    assert.deepEqual([empty.circuit, empty.seats_sponsored], [null, 0]);
  });

  it("a shop's badge counts the seats its customers give on the shop's own page, not those given elsewhere", async () => {
    const shopSite = 'https://pasticceriacolombo.it';
    const campaign = await seedCampaign(api, circuit, { offer: locandiera });
    const shop = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo', allowedOrigins: [shopSite], by: circuit.operator.secretKey });
    const shopPage = await createKey(api, shop.id, 'publishable', circuit.operator.secretKey);
    const otherSite = await createOrganization(api, 'provider', { name: 'Cinema Odeon', allowedOrigins: ['https://odeon.it'], by: circuit.operator.secretKey });
    const otherPage = await createKey(api, otherSite.id, 'publishable', circuit.operator.secretKey);
    const give = async (key: string, origin: string, seats: number) =>
      assertOk(await call(api, 'POST', '/v1/sponsorships', { key, body: { campaign_id: campaign.id, seats, anonymous: true }, headers: { Origin: origin } }), 201);
    const visitorsGift = await give(shopPage, shopSite, 2);
    await give(otherPage, 'https://odeon.it', 5);
    assert.equal(visitorsGift.mentor_id, null, 'the payer is the visitor, not the shop');
    const shopBadge = assertOk(await call(api, 'GET', `/v1/public/badges/mentor/${shop.id}`));
    assert.deepEqual([shopBadge.seats_sponsored, shopBadge.circuit], [2, { id: circuit.id, name: 'Vigevano' }]);
  });

  it('an unknown id, a wrong kind or a malformed path is a 404 problem', async () => {
    for (const path of [
      `/v1/public/badges/circuit/${newId()}`,
      `/v1/public/badges/mentor/${theatre.id}`,
      `/v1/public/badges/provider/${circuit.id}`,
      `/v1/public/badges/theatre/${theatre.id}`,
      '/v1/public/badges/provider/cagnoni',
    ]) {
      const result = await call(api, 'GET', path);
      assertProblem(result, 404, 'not_found');
      assert.equal(result.headers.get('access-control-allow-origin'), '*', path);
    }
  });
});

describe('the season', () => {
  it('runs from 1 September to 31 August, Italian time', () => {
    assert.equal(seasonOf(new Date('2025-08-31T21:59:59Z')).name, '2024-2025');
    assert.equal(seasonOf(new Date('2025-08-31T22:00:00Z')).name, '2025-2026', 'midnight of 1 September in Italy');
    assert.equal(seasonOf(new Date('2026-01-01T00:30:00Z')).name, '2025-2026');
    assert.deepEqual(seasonOf(new Date('2026-03-15T12:00:00Z')).startsAt, new Date('2025-08-31T22:00:00Z'));
  });
});
