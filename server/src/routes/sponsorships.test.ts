import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { seedCircuit, type TestCircuit } from '../../test/fixtures/catalog.js';
import { generateKey } from '../auth/keys.js';
import { derivedId, newId } from '../ids.js';

const shopSite = 'https://pasticceriacolombo.it';
const day = 24 * 3600 * 1000;

let api: TestApi;
let circuit: TestCircuit;
let mentor: TestOrganization;
let shop: TestOrganization & { publishableKey: string };

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api);
  mentor = await createOrganization(api, 'mentor', { name: 'Ferramenta Bianchi', by: circuit.operator.secretKey });
  const colombo = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo', allowedOrigins: [shopSite], by: circuit.operator.secretKey });
  shop = { ...colombo, publishableKey: await createKey(api, colombo.id, 'publishable', circuit.operator.secretKey) };
});
after(() => api.close());

/** "Sponsor a seat" of the circuit: a campaign with its own pool (the ledger account and its row). */
async function seedCampaign({ seatPrice = 1500n, deadline = new Date(Date.now() + 30 * day) } = {}) {
  const id = newId();
  const poolId = newId();
  await api.ledger.createAccounts([{ id: poolId, kind: 'pool', currency: 'EUR', reference: `pool:${poolId}` }]);
  await api.database.sql`
    insert into pools (id, circuit_id, kind, name, currency) values (${poolId}, ${circuit.id}, 'campaign', 'Un posto a teatro', 'EUR')`;
  await api.database.sql`
    insert into campaigns (id, circuit_id, pool_id, title, seat_price, target_seats, deadline)
    values (${id}, ${circuit.id}, ${poolId}, ${JSON.stringify({ it: 'Un posto a teatro' })}::text::jsonb, ${seatPrice}, 40, ${deadline})`;
  return { id, poolId };
}

async function available(poolId: string): Promise<bigint> {
  const [account] = await api.ledger.lookupAccounts([poolId]);
  return account!.available;
}

/** What a refused request must leave as it was. */
async function written() {
  const [counts] = await api.database.sql<{ sponsorships: number; transfers: number }[]>`
    select (select count(*) from sponsorships)::int as sponsorships, (select count(*) from transfers)::int as transfers`;
  return counts!;
}

/** A live secret key, which a test-mode admin cannot create through the API. */
async function liveSecretKey(organizationId: string): Promise<string> {
  const created = generateKey('secret', 'live');
  await api.database.sql`
    insert into api_keys (id, organization_id, kind, mode, hash, hint)
    values (${newId()}, ${organizationId}, 'secret', 'live', ${created.hash}, ${created.hint})`;
  return created.key;
}

function sponsor(key: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return call(api, 'POST', '/v1/sponsorships', { key, body, headers });
}

describe('sponsoring with the test provider', () => {
  it("a hardware shop sponsors two €15 seats and the campaign's pool has €30 at once", async () => {
    const campaign = await seedCampaign({ seatPrice: 1500n });
    const sponsorship = assertOk(
      await sponsor(mentor.secretKey, { campaign_id: campaign.id, seats: 2, display_name: 'Ferramenta Bianchi', message: 'Buona visione!' }),
      201,
    );
    assert.equal(sponsorship.object, 'sponsorship');
    assert.equal(sponsorship.status, 'succeeded');
    assert.equal(sponsorship.amount, 3000);
    assert.equal(sponsorship.seats, 2);
    assert.equal(sponsorship.campaign_id, campaign.id);
    assert.equal(sponsorship.pool_id, campaign.poolId);
    assert.equal(sponsorship.mentor_id, mentor.id);
    assert.equal(sponsorship.payment_provider, 'test');
    assert.equal(sponsorship.payment_instructions, null);
    assert.match(sponsorship.receipt_reference, /^SP-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    assert.match(sponsorship.succeeded_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(await available(campaign.poolId), 3000n);
    const [fund] = await api.ledger.lookupTransfers([derivedId(sponsorship.id, 'fund')]);
    assert.equal(fund?.code, 'FUND');
    assert.equal(fund?.amount, 3000n);
  });

  it("a visitor of a partner shop's page gives €25 to the circuit's general pool through the widget", async () => {
    const before = await available(circuit.generalPoolId);
    const sponsorship = assertOk(
      await sponsor(shop.publishableKey, { pool_id: circuit.generalPoolId, amount: 2500, anonymous: true }, { Origin: shopSite }),
      201,
    );
    assert.equal(sponsorship.status, 'succeeded');
    assert.equal(sponsorship.mentor_id, null, 'a visitor is not the shop');
    assert.equal(sponsorship.anonymous, true);
    assert.equal(sponsorship.display_name, null);
    assert.equal(sponsorship.campaign_id, null);
    assert.equal(await available(circuit.generalPoolId), before + 2500n);
  });

  it('a declined test payment answers 402, records the sponsorship as failed and moves no money', async () => {
    const campaign = await seedCampaign();
    const refused = assertProblem(
      await sponsor(mentor.secretKey, { campaign_id: campaign.id, seats: 1, payment_method: 'test_fail' }),
      402,
      'payment_failed',
    );
    assert.match(refused.detail, /test_fail/);
    const [row] = await api.database.sql<{ status: string; failed_at: Date | null }[]>`
      select status, failed_at from sponsorships where id = ${refused.sponsorship_id}`;
    assert.equal(row?.status, 'failed');
    assert.ok(row?.failed_at instanceof Date);
    assert.equal(await available(campaign.poolId), 0n);
    assert.deepEqual(await api.ledger.lookupTransfers([derivedId(refused.sponsorship_id, 'fund')]), []);
  });

  it('the same Idempotency-Key replays the sponsorship instead of paying twice', async () => {
    const campaign = await seedCampaign();
    const request = () =>
      sponsor(mentor.secretKey, { campaign_id: campaign.id, seats: 3 }, { 'Idempotency-Key': `sponsor-${campaign.id}` });
    const first = assertOk(await request(), 201);
    const again = await request();
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first);
    assert.equal(await available(campaign.poolId), 4500n);
  });

  it("a widget's retry from its page gets the replay with the page's CORS headers and a request id of its own", async () => {
    const headers = { Origin: shopSite, 'Idempotency-Key': `gift-${Date.now()}` };
    const send = () => sponsor(shop.publishableKey, { pool_id: circuit.generalPoolId, amount: 1200 }, headers);
    const first = await send();
    const again = await send();
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, assertOk(first, 201));
    // Without them, the browser would hide the replay from the widget that retried.
    assert.equal(again.headers.get('access-control-allow-origin'), shopSite);
    assert.match(again.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.notEqual(again.headers.get('x-request-id'), first.headers.get('x-request-id'));
  });

  it('answers with the sponsorship alone: nothing about who the money will reach', async () => {
    const campaign = await seedCampaign();
    const sponsorship = assertOk(await sponsor(mentor.secretKey, { campaign_id: campaign.id, seats: 1 }), 201);
    assert.deepEqual(Object.keys(sponsorship).sort(), [
      'amount', 'anonymous', 'campaign_id', 'created_at', 'currency', 'display_name', 'failed_at', 'id', 'mentor_id',
      'message', 'mode', 'need_id', 'object', 'payment_id', 'payment_instructions', 'payment_provider', 'pool_id',
      'receipt_reference', 'refunded_at', 'reserved_until', 'seats', 'status', 'succeeded_at',
    ]);
  });
});

describe('sponsorships the API refuses, writing nothing', () => {
  it('a publishable key used from a foreign page gets 403 forbidden_origin', async () => {
    const before = await written();
    assertProblem(
      await sponsor(shop.publishableKey, { pool_id: circuit.generalPoolId, amount: 1000 }, { Origin: 'https://evil.example' }),
      403,
      'forbidden_origin',
    );
    assert.deepEqual(await written(), before);
  });

  it("a provider's, an operator's or a desk key gets 403: sponsoring is for mentors and partner sites", async () => {
    const before = await written();
    const theatre = await createOrganization(api, 'provider', { by: circuit.operator.secretKey });
    const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    for (const key of [theatre.secretKey, circuit.operator.secretKey, desk]) {
      assertProblem(await sponsor(key, { pool_id: circuit.generalPoolId, amount: 1000 }), 403, 'forbidden');
    }
    assert.deepEqual(await written(), before);
  });

  it('a live key cannot pay with the test provider, and must choose a provider', async () => {
    const before = await written();
    const live = await liveSecretKey(mentor.id);
    const refused = assertProblem(
      await sponsor(live, { pool_id: circuit.generalPoolId, amount: 1000, payment_provider: 'test' }),
      400,
      'invalid_request',
    );
    assert.match(refused.detail, /The test provider serves test keys only, and this is a live key/);
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['payment_provider']);
    const unchosen = assertProblem(await sponsor(live, { pool_id: circuit.generalPoolId, amount: 1000 }), 400, 'invalid_request');
    assert.match(unchosen.detail, /Choose a payment_provider/);
    assertProblem(
      await sponsor(mentor.secretKey, { pool_id: circuit.generalPoolId, amount: 1000, payment_provider: 'paypal' }),
      400,
      'invalid_request',
    );
    assert.deepEqual(await written(), before);
  });

  it('a campaign past its deadline takes no more sponsorships', async () => {
    const campaign = await seedCampaign({ deadline: new Date(Date.now() - day) });
    const before = await written();
    const refused = assertProblem(await sponsor(mentor.secretKey, { campaign_id: campaign.id, seats: 1 }), 409, 'conflict');
    assert.match(refused.title, /closed/);
    assert.deepEqual(await written(), before);
  });

  it('an unknown campaign or pool gets 404', async () => {
    const before = await written();
    assertProblem(await sponsor(mentor.secretKey, { campaign_id: newId(), seats: 1 }), 404, 'not_found');
    assertProblem(await sponsor(mentor.secretKey, { pool_id: newId(), amount: 1000 }), 404, 'not_found');
    assert.deepEqual(await written(), before);
  });

  it('a malformed request gets 400 naming each field', async () => {
    const campaign = await seedCampaign();
    const before = await written();
    const cases: [Record<string, unknown>, string[]][] = [
      [{ campaign_id: campaign.id, pool_id: circuit.generalPoolId, amount: 1000 }, ['campaign_id']],
      [{ seats: 1 }, ['campaign_id', 'seats']],
      [{ campaign_id: campaign.id, seats: 1, amount: 1500 }, ['seats']],
      [{ pool_id: circuit.generalPoolId, seats: 1 }, ['seats']],
      [{ pool_id: circuit.generalPoolId, amount: 1000, anonymous: true, display_name: 'Ferramenta Bianchi' }, ['display_name']],
      [{ pool_id: circuit.generalPoolId, amount: 0 }, ['amount']],
      [{ pool_id: circuit.generalPoolId, amount: 10.5 }, ['amount']],
      [{ pool_id: circuit.generalPoolId, amount: 99 }, ['amount']],
      [{ campaign_id: campaign.id, seats: 0 }, ['seats']],
      [{ pool_id: circuit.generalPoolId, amount: 1000, message: 'x'.repeat(501) }, ['message']],
      [{ pool_id: 'not-a-uuid', amount: 1000 }, ['pool_id']],
      [{ pool_id: circuit.generalPoolId, amount: 1000, iban: 'IT60X0542811101000000123456' }, ['iban']],
    ];
    for (const [body, fields] of cases) {
      const refused = assertProblem(await sponsor(mentor.secretKey, body), 400, 'invalid_request');
      assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), fields, JSON.stringify(body));
    }
    assert.deepEqual(await written(), before);
  });
});

describe('reading sponsorships', () => {
  it('the mentor and the circuit operator see a sponsorship; another mentor or operator does not', async () => {
    const sponsorship = assertOk(await sponsor(mentor.secretKey, { pool_id: circuit.generalPoolId, amount: 1000 }), 201);
    const path = `/v1/sponsorships/${sponsorship.id}`;
    for (const key of [mentor.secretKey, circuit.operator.secretKey, adminKey]) {
      const { payment_instructions: _, ...stored } = sponsorship;
      assert.deepEqual(assertOk(await call(api, 'GET', path, { key })), stored);
    }
    const otherOperator = await createOrganization(api, 'operator');
    for (const key of [shop.secretKey, otherOperator.secretKey]) {
      assertProblem(await call(api, 'GET', path, { key }), 404, 'not_found');
    }
    assertProblem(await call(api, 'GET', path, { key: shop.publishableKey }), 403, 'forbidden');
  });

  it("a mentor lists its own sponsorships, page by page", async () => {
    const patron = await createOrganization(api, 'mentor', { name: 'Fondazione Piacenza', by: circuit.operator.secretKey });
    const made = [];
    for (const amount of [1000, 2000, 3000]) {
      made.push(assertOk(await sponsor(patron.secretKey, { pool_id: circuit.generalPoolId, amount }), 201).id);
    }
    const first = assertOk(await call(api, 'GET', '/v1/sponsorships?limit=2', { key: patron.secretKey }));
    assert.deepEqual(first.data.map((sponsorship: { id: string }) => sponsorship.id), made.slice(0, 2));
    assert.equal(first.has_more, true);
    const second = assertOk(
      await call(api, 'GET', `/v1/sponsorships?limit=2&starting_after=${made[1]}`, { key: patron.secretKey }),
    );
    assert.deepEqual(second.data.map((sponsorship: { id: string }) => sponsorship.id), made.slice(2));
    assert.equal(second.has_more, false);
    const operatorView = assertOk(await call(api, 'GET', '/v1/sponsorships?limit=100&status=succeeded', { key: circuit.operator.secretKey }));
    assert.ok(made.every((id) => operatorView.data.some((sponsorship: { id: string }) => sponsorship.id === id)));
  });
});
