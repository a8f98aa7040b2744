import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';
import {
  seedCampaign,
  seedCircuit,
  seedOffer,
  seedProvider,
  seedSponsorship,
  type TestCircuit,
  type TestOffer,
} from '../../test/fixtures/catalog.js';

let api: TestApi;
let circuit: TestCircuit;
let theatre: Awaited<ReturnType<typeof seedProvider>>;
let locandiera: TestOffer;
before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { name: 'Vigevano' });
  theatre = await seedProvider(api, circuit, { name: 'Teatro Cagnoni' });
  locandiera = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 40 });
});
after(() => api.close());

const inTwoWeeks = () => new Date(Date.now() + 14 * 24 * 3600 * 1000).toISOString();

async function counts() {
  const [row] = await api.database.sql`
    select (select count(*) from campaigns)::int as campaigns, (select count(*) from pools)::int as pools,
           (select count(*) from accounts)::int as accounts`;
  return row;
}

describe('campaigns', () => {
  it("the operator asks mentors to fund 20 seats of La locandiera: title and price come from the offer, the pool is the campaign's own", async () => {
    const campaign = assertOk(
      await call(api, 'POST', '/v1/campaigns', {
        key: circuit.operator.secretKey,
        body: { circuit_id: circuit.id, offer_id: locandiera.id, target_seats: 20, deadline: inTwoWeeks() },
      }),
      201,
    );
    assert.deepEqual(
      {
        object: campaign.object,
        title: campaign.title,
        seat_price: campaign.seat_price,
        currency: campaign.currency,
        target_seats: campaign.target_seats,
        seats_funded: campaign.seats_funded,
        funded_amount: campaign.funded_amount,
        sponsors_count: campaign.sponsors_count,
        created_by: campaign.created_by,
      },
      {
        object: 'campaign',
        title: { it: 'La locandiera', en: 'The Mistress of the Inn', sq: 'Hanxhesha' },
        seat_price: 1500,
        currency: 'EUR',
        target_seats: 20,
        seats_funded: 0,
        funded_amount: 0,
        sponsors_count: 0,
        created_by: circuit.operator.id,
      },
    );
    const pool = assertOk(await call(api, 'GET', `/v1/pools/${campaign.pool_id}`, { key: circuit.operator.secretKey }));
    assert.deepEqual([pool.kind, pool.circuit_id, pool.balance], ['campaign', circuit.id, 0]);
  });

  it('counts whole seats from succeeded sponsorships only', async () => {
    const campaign = await seedCampaign(api, circuit, { offer: locandiera, targetSeats: 10 });
    const colombo = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo' });
    await seedSponsorship(api, campaign, { amount: 4500n, seats: 3, mentorId: colombo.id, displayName: 'Pasticceria Colombo' });
    await seedSponsorship(api, campaign, { amount: 2000n, anonymous: true });
    await seedSponsorship(api, campaign, { amount: 1500n, seats: 1, status: 'pending' });
    await seedSponsorship(api, campaign, { amount: 3000n, seats: 2, status: 'failed' });
    const progress = assertOk(await call(api, 'GET', `/v1/campaigns/${campaign.id}`, { key: colombo.secretKey }));
    assert.deepEqual(
      [progress.funded_amount, progress.seats_funded, progress.sponsors_count, progress.target_seats],
      [6500, 4, 2, 10],
      '€65 buys 4 whole seats at €15',
    );
    const pool = assertOk(await call(api, 'GET', `/v1/pools/${campaign.poolId}`, { key: circuit.operator.secretKey }));
    assert.equal(pool.balance, 6500);
  });

  it('Teatro Cagnoni starts one for its own offer, never for another provider’s', async () => {
    const campaign = assertOk(
      await call(api, 'POST', '/v1/campaigns', {
        key: theatre.secretKey,
        body: {
          circuit_id: circuit.id,
          offer_id: locandiera.id,
          title: { it: 'Regala un posto in platea' },
          seat_price: 1200,
          target_seats: 15,
          deadline: inTwoWeeks(),
        },
      }),
      201,
    );
    assert.deepEqual([campaign.seat_price, campaign.title.it, campaign.created_by], [1200, 'Regala un posto in platea', theatre.id]);
    const museum = await seedProvider(api, circuit, { name: 'Museo della Calzatura' });
    const before = await counts();
    const start = (key: string, body: Record<string, unknown>) =>
      call(api, 'POST', '/v1/campaigns', { key, body: { circuit_id: circuit.id, target_seats: 5, deadline: inTwoWeeks(), ...body } });
    assertProblem(await start(museum.secretKey, { offer_id: locandiera.id }), 404, 'not_found');
    const withoutOffer = assertProblem(await start(museum.secretKey, { title: { it: 'Musei per tutti' }, seat_price: 800 }), 400, 'invalid_request');
    assert.deepEqual(withoutOffer.errors.map((error: { path: string }) => error.path), ['offer_id']);
    assert.deepEqual(await counts(), before);
  });

  it('a circuit-wide campaign names its own title and seat price', async () => {
    const campaign = assertOk(
      await call(api, 'POST', '/v1/campaigns', {
        key: adminKey,
        body: { circuit_id: circuit.id, title: { it: 'Un anno di cultura' }, seat_price: 1000, target_seats: 100, deadline: inTwoWeeks() },
      }),
      201,
    );
    assert.deepEqual([campaign.offer_id, campaign.created_by], [null, null]);
    const missing = assertProblem(
      await call(api, 'POST', '/v1/campaigns', {
        key: circuit.operator.secretKey,
        body: { circuit_id: circuit.id, target_seats: 100, deadline: inTwoWeeks() },
      }),
      400,
      'invalid_request',
    );
    assert.deepEqual(missing.errors.map((error: { path: string }) => error.path), ['title', 'seat_price']);
  });

  it('refuses deadlines out of range, offers of other circuits, other operators and the wrong keys, writing nothing', async () => {
    const pavia = await seedCircuit(api, { name: 'Pavia' });
    const fraschini = await seedProvider(api, pavia, { name: 'Teatro Fraschini' });
    const pavianOffer = await seedOffer(api, pavia, fraschini.id);
    const mentor = await createOrganization(api, 'mentor');
    const publishable = await createKey(api, circuit.operator.id, 'publishable');
    const before = await counts();
    const start = (key: string, body: Record<string, unknown>) =>
      call(api, 'POST', '/v1/campaigns', {
        key,
        body: { circuit_id: circuit.id, offer_id: locandiera.id, target_seats: 5, deadline: inTwoWeeks(), ...body },
      });
    const key = circuit.operator.secretKey;
    assertProblem(await start(key, { deadline: new Date(Date.now() - 1000).toISOString() }), 400, 'invalid_request');
    const afterEvent = new Date(locandiera.startsAt.getTime() + 3600 * 1000).toISOString();
    assertProblem(await start(key, { deadline: afterEvent }), 400, 'invalid_request');
    assertProblem(await start(key, { offer_id: pavianOffer.id }), 400, 'invalid_request');
    assertProblem(await start(key, { target_seats: 0 }), 400, 'invalid_request');
    assertProblem(await start(key, { goal: 'many' }), 400, 'invalid_request');
    assertProblem(await start(pavia.operator.secretKey, {}), 404, 'not_found');
    assertProblem(await start(key, { offer_id: '0190a1b2-0000-7000-8000-000000000000' }), 404, 'not_found');
    assertProblem(await start(mentor.secretKey, {}), 403, 'forbidden');
    assertProblem(await start(publishable, {}), 403, 'forbidden');
    assert.deepEqual(await counts(), before);
  });

  it('mentors and partner sites list the campaigns of a circuit', async () => {
    const milano = await seedCircuit(api, { name: 'Milano' });
    const first = await seedCampaign(api, milano, { targetSeats: 5 });
    const second = await seedCampaign(api, milano, { targetSeats: 8 });
    const mentor = await createOrganization(api, 'mentor', { name: 'Libreria Il Convivio' });
    const publishable = await createKey(api, mentor.id, 'publishable');
    for (const key of [mentor.secretKey, publishable]) {
      const listed = assertOk(await call(api, 'GET', `/v1/campaigns?circuit_id=${milano.id}`, { key }));
      assert.deepEqual(listed.data.map((campaign: { id: string }) => campaign.id), [first.id, second.id]);
    }
    const paged = assertOk(await call(api, 'GET', `/v1/campaigns?circuit_id=${milano.id}&limit=1&starting_after=${first.id}`, { key: mentor.secretKey }));
    assert.deepEqual([paged.data[0].id, paged.has_more], [second.id, false]);
    assertProblem(await call(api, 'GET', '/v1/campaigns/0190a1b2-0000-7000-8000-000000000000', { key: mentor.secretKey }), 404, 'not_found');
  });
});
