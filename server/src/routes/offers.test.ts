import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';

let api: TestApi;
let circuit: TestCircuit;
let theatre: Awaited<ReturnType<typeof seedProvider>>;
before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { name: 'Vigevano' });
  theatre = await seedProvider(api, circuit, { name: 'Teatro Cagnoni', allowedOrigins: ['https://teatrocagnoni.it'] });
});
after(() => api.close());

const inAMonth = new Date(Date.now() + 30 * 24 * 3600 * 1000);

function locandiera(overrides: Record<string, unknown> = {}) {
  return {
    circuit_id: circuit.id,
    category: 'theatre',
    title: { it: 'La locandiera', en: 'The Mistress of the Inn' },
    venue: 'Teatro Cagnoni, Vigevano',
    starts_at: inAMonth.toISOString(),
    seat_price: 1500,
    seats_total: 12,
    ...overrides,
  };
}

async function offerCount(): Promise<number> {
  const [row] = await api.database.sql<{ n: number }[]>`select count(*)::int as n from offers`;
  return row!.n;
}

describe('offers', () => {
  it('Teatro Cagnoni publishes La locandiera: 12 seats at €15, reversible until 48 hours before', async () => {
    const offer = assertOk(await call(api, 'POST', '/v1/offers', { key: theatre.secretKey, body: locandiera() }), 201);
    assert.deepEqual(
      {
        object: offer.object,
        provider_id: offer.provider_id,
        provider_name: offer.provider_name,
        seat_price: offer.seat_price,
        currency: offer.currency,
        seats_total: offer.seats_total,
        seats_left: offer.seats_left,
        cancellation_window_seconds: offer.cancellation_window_seconds,
        starts_at: offer.starts_at,
        ends_at: offer.ends_at,
        description: offer.description,
      },
      {
        object: 'offer',
        provider_id: theatre.id,
        provider_name: 'Teatro Cagnoni',
        seat_price: 1500,
        currency: 'EUR',
        seats_total: 12,
        seats_left: 12,
        cancellation_window_seconds: 172_800,
        starts_at: inAMonth.toISOString(),
        ends_at: null,
        description: null,
      },
    );
  });

  it("the operator publishes for a member; the theatre's widget reads price and seats left with its publishable key", async () => {
    const museum = await seedProvider(api, circuit, { name: 'Museo della Calzatura' });
    const created = assertOk(
      await call(api, 'POST', '/v1/offers', {
        key: circuit.operator.secretKey,
        body: locandiera({
          provider_id: museum.id,
          category: 'museum',
          title: { it: 'Scarpe e storie', sq: 'Këpucë dhe histori' },
          venue: 'Castello Sforzesco',
          ends_at: new Date(inAMonth.getTime() + 2 * 3600 * 1000).toISOString(),
          cancellation_window_seconds: 3600,
        }),
      }),
      201,
    );
    assert.equal(created.provider_id, museum.id);
    await api.database.sql`update offers set seats_taken = 5 where id = ${created.id}`;
    const publishable = await createKey(api, theatre.id, 'publishable');
    // The museum's page reads its offer for the redeem widget; the theatre's page, set up with the museum's offer by mistake, hears so at once.
    const museumPage = await createKey(api, museum.id, 'publishable');
    const seen = assertOk(await call(api, 'GET', `/v1/offers/${created.id}`, { key: museumPage }));
    assert.deepEqual([seen.seats_total, seen.seats_left, seen.cancellation_window_seconds], [12, 7, 3600]);
    const mixedUp = assertProblem(
      await call(api, 'GET', `/v1/offers/${created.id}`, { key: publishable, headers: { Origin: 'https://teatrocagnoni.it' } }),
      403,
      'forbidden',
    );
    assert.match(mixedUp.detail, /this page's key can redeem only its own offers/);
    const operatorPage = await createKey(api, circuit.operator.id, 'publishable', circuit.operator.secretKey);
    assertOk(await call(api, 'GET', `/v1/offers/${created.id}`, { key: operatorPage }));
    const desk = await createKey(api, museum.id, 'desk');
    assertOk(await call(api, 'GET', `/v1/offers/${created.id}`, { key: desk }));
    const museumOffers = assertOk(await call(api, 'GET', `/v1/offers?provider_id=${museum.id}`, { key: publishable }));
    assert.deepEqual(museumOffers.data.map((offer: { id: string }) => offer.id), [created.id]);
    const inCircuit = assertOk(await call(api, 'GET', `/v1/offers?circuit_id=${circuit.id}&limit=1`, { key: publishable }));
    assert.equal(inCircuit.has_more, true);
    assertProblem(await call(api, 'GET', '/v1/offers/0190a1b2-0000-7000-8000-000000000000', { key: publishable }), 404, 'not_found');
  });

  it('refuses an unknown category, a non-member, another circuit and the wrong keys, writing nothing', async () => {
    const pavia = await seedCircuit(api, { name: 'Pavia' });
    const stranger = await createOrganization(api, 'provider', { name: 'Teatro Fraschini', by: pavia.operator.secretKey });
    const publishable = await createKey(api, theatre.id, 'publishable');
    const school = await createOrganization(api, 'referrer', { by: circuit.operator.secretKey });
    const before = await offerCount();
    const publish = (key: string, body: unknown) => call(api, 'POST', '/v1/offers', { key, body });

    const cinema = assertProblem(await publish(theatre.secretKey, locandiera({ category: 'cinema' })), 400, 'invalid_request');
    assert.deepEqual(cinema.errors, [{ path: 'category', message: 'not a category of the circuit' }]);
    assert.match(cinema.detail, /Vigevano has no category "cinema"; use one of: theatre, music, museum/);
    const nonMember = assertProblem(
      await publish(circuit.operator.secretKey, locandiera({ provider_id: stranger.id })),
      400,
      'invalid_request',
    );
    assert.match(nonMember.detail, /POST \/v1\/circuits\/.+\/providers/);
    assertProblem(await publish(circuit.operator.secretKey, locandiera()), 400, 'invalid_request');
    assertProblem(await publish(adminKey, locandiera()), 400, 'invalid_request');
    assertProblem(await publish(stranger.secretKey, locandiera()), 404, 'not_found');
    assertProblem(await publish(pavia.operator.secretKey, locandiera({ provider_id: theatre.id })), 404, 'not_found');
    assertProblem(await publish(theatre.secretKey, locandiera({ provider_id: stranger.id })), 403, 'forbidden');
    assertProblem(await publish(publishable, locandiera()), 403, 'forbidden');
    assertProblem(await publish(school.secretKey, locandiera()), 403, 'forbidden');

    const ends = assertProblem(
      await publish(theatre.secretKey, locandiera({ ends_at: new Date(inAMonth.getTime() - 1000).toISOString() })),
      400,
      'invalid_request',
    );
    assert.deepEqual(ends.errors.map((error: { path: string }) => error.path), ['ends_at']);
    const past = assertProblem(await publish(theatre.secretKey, locandiera({ starts_at: '2020-01-01T20:00:00+01:00' })), 400, 'invalid_request');
    assert.deepEqual(past.errors, [{ path: 'starts_at', message: 'starts_at must be in the future' }]);
    for (const bad of [{ seat_price: 0 }, { seat_price: 14.99 }, { seats_total: -1 }, { starts_at: 'tomorrow' }, { title: { en: 'No Italian' } }, { price: 1500 }]) {
      assertProblem(await publish(theatre.secretKey, locandiera(bad)), 400, 'invalid_request');
    }
    assert.equal(await offerCount(), before);
  });

  it('the fixture publishes through the API', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { seats: 3, category: 'music' });
    const seen = assertOk(await call(api, 'GET', `/v1/offers/${offer.id}`, { key: theatre.secretKey }));
    assert.deepEqual([seen.category, seen.seats_left], ['music', 3]);
  });
});
