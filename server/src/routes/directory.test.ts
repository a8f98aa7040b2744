import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOk, assertProblem, call, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { seedCampaign, seedCircuit, seedProvider, seedSponsorship, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer } from '../../test/fixtures/vouchers.js';

let api: TestApi;
let vigevano: TestCircuit;
let pavia: TestCircuit;
let theatre: TestOrganization;
let museum: TestOrganization;
let school: TestOrganization;
let besa: TestOrganization;
let colombo: TestOrganization;
let marta: TestOrganization;
before(async () => {
  api = await createTestApi();
  vigevano = await seedCircuit(api, { name: 'Vigevano' });
  pavia = await seedCircuit(api, { name: 'Pavia' });
  theatre = await seedProvider(api, vigevano, { name: 'Teatro Cagnoni' });
  museum = await seedProvider(api, vigevano, { name: 'Museo della Calzatura' });
  school = await seedReferrer(api, vigevano, { name: 'Istituto Comprensivo Vigevano' });
  besa = await seedReferrer(api, vigevano, { name: 'Shoqata Besa' });
  colombo = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo', by: vigevano.operator.secretKey });
  marta = await createOrganization(api, 'mentor', { name: 'Marta R.', by: vigevano.operator.secretKey });
  const campaign = await seedCampaign(api, vigevano, { targetSeats: 10 });
  await seedSponsorship(api, campaign, { amount: 3000n, seats: 2, mentorId: colombo.id });
  await seedSponsorship(api, campaign, { amount: 1500n, seats: 1, mentorId: marta.id });
});
after(() => api.close());

const directory = (query: string, headers: Record<string, string> = {}) => call(api, 'GET', `/v1/public/directory?${query}`, { headers });
const names = (result: { body: Record<string, any> }) => (result.body.data as { display_name: string }[]).map((entry) => entry.display_name);

function saveProfile(organization: TestOrganization, body: Record<string, unknown>) {
  return call(api, 'PUT', '/v1/organizations/me/profile', { key: organization.secretKey, body });
}

describe('public profiles', () => {
  it('start private, under the organization\'s name, until the organization saves one', async () => {
    const profile = assertOk(await call(api, 'GET', '/v1/organizations/me/profile', { key: museum.secretKey }));
    assert.deepEqual(
      { public: profile.public, display_name: profile.display_name, categories: profile.categories, updated_at: profile.updated_at },
      { public: false, display_name: 'Museo della Calzatura', categories: [], updated_at: null },
    );
  });

  it('refuse a profile with a bad website, language, place or category, naming each field, and keep nothing', async () => {
    const refused = assertProblem(
      await saveProfile(theatre, {
        public: true,
        website: 'http://www.teatrocagnoni.it',
        languages: ['it', 'xx'],
        location: { city: 'Vigevano', latitude: 45.31 },
        categories: ['theatre'],
      }),
      400,
      'invalid_request',
    );
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path).sort(), ['languages.1', 'location.latitude', 'website']);
    for (const website of ['javascript:alert(1)', 'https://user:secret@example.org', 'https://localhost']) {
      assertProblem(await saveProfile(theatre, { website }), 400, 'invalid_request');
    }
    const notOurs = assertProblem(await saveProfile(theatre, { categories: ['theatre', 'cinema'] }), 400, 'invalid_request');
    assert.deepEqual(notOurs.errors, [{ path: 'categories.1', message: 'no circuit of yours has the category "cinema"' }]);
    const profile = assertOk(await call(api, 'GET', '/v1/organizations/me/profile', { key: theatre.secretKey }));
    assert.equal(profile.updated_at, null);
  });

  it('let only a mentor be a person, whose contact email needs their consent', async () => {
    assertProblem(await saveProfile(school, { holder: 'person' }), 400, 'invalid_request');
    const withoutConsent = assertProblem(
      await saveProfile(marta, { holder: 'person', contact_email: 'marta@example.org' }),
      400,
      'invalid_request',
    );
    assert.equal(withoutConsent.errors[0].path, 'contact_email');
  });

  it('may be set by the operator that registered the organization, not by another', async () => {
    const set = assertOk(
      await call(api, 'PUT', `/v1/organizations/${museum.id}/profile`, {
        key: vigevano.operator.secretKey,
        body: { display_name: 'Museo Internazionale della Calzatura', categories: ['museum'], languages: ['it', 'en'] },
      }),
    );
    assert.equal(set.display_name, 'Museo Internazionale della Calzatura');
    assertProblem(
      await call(api, 'PUT', `/v1/organizations/${museum.id}/profile`, { key: pavia.operator.secretKey, body: { public: true } }),
      404,
      'not_found',
    );
    assertProblem(await call(api, 'GET', `/v1/organizations/${museum.id}/profile`, { key: theatre.secretKey }), 403, 'forbidden');
  });
});

describe("a circuit's directory", () => {
  before(async () => {
    const description = { it: 'Il teatro storico di Vigevano.', en: "Vigevano's historic theatre.", sq: 'Teatri historik i Vigevanos.' };
    assertOk(
      await saveProfile(theatre, {
        public: true,
        description,
        categories: ['theatre', 'music'],
        languages: ['it', 'en'],
        location: { city: 'Vigevano', address: 'Corso Vittorio Emanuele II 45', latitude: 45.3167, longitude: 8.8589 },
        website: 'https://www.teatrocagnoni.it',
        contact_email: 'biglietteria@teatrocagnoni.it',
      }),
    );
    assertOk(await saveProfile(besa, { public: true, languages: ['sq', 'it'], description: { it: 'Associazione della diaspora albanese.' } }));
    assertOk(await saveProfile(school, { public: true, languages: ['it'], location: { city: 'Vigevano' } }));
    assertOk(await saveProfile(colombo, { public: true, categories: ['theatre'], contact_email: 'ciao@pasticceriacolombo.it' }));
    assertOk(await saveProfile(marta, { public: true, holder: 'person', languages: ['it', 'sq'] }));
    // Public, but of Pavia only.
    const certosa = await seedProvider(api, pavia, { name: 'Certosa di Pavia' });
    assertOk(await saveProfile(certosa, { public: true }));
  });

  it('lists only the public profiles of the organizations taking part in the circuit, localized texts whole', async () => {
    const page = assertOk(await directory(`circuit=${vigevano.id}`));
    assert.deepEqual(names({ body: page }).sort(), ['Istituto Comprensivo Vigevano', 'Marta R.', 'Pasticceria Colombo', 'Shoqata Besa', 'Teatro Cagnoni']);
    const cagnoni = page.data.find((entry: { id: string }) => entry.id === theatre.id);
    assert.deepEqual(cagnoni.description.sq, 'Teatri historik i Vigevanos.');
    assert.deepEqual(cagnoni.location, { city: 'Vigevano', address: 'Corso Vittorio Emanuele II 45', latitude: 45.3167, longitude: 8.8589 });
    assert.equal(cagnoni.contact_email, 'biglietteria@teatrocagnoni.it');
    assert.equal(page.circuit.name, 'Vigevano');
    assert.deepEqual(page.circuit.languages, ['en', 'it', 'sq']);
    assert.deepEqual(page.circuit.categories.map((category: { slug: string }) => category.slug), ['theatre', 'music', 'museum']);
    assert.deepEqual(names(await directory(`circuit=${pavia.id}`)), ['Certosa di Pavia']);
  });

  it('keeps a profile out until it is made public, and takes it out when it is made private again', async () => {
    assert.ok(!names(await directory(`circuit=${vigevano.id}&kind=provider`)).includes('Museo Internazionale della Calzatura'));
    assertOk(await saveProfile(besa, { public: false, languages: ['sq', 'it'] }));
    assert.ok(!names(await directory(`circuit=${vigevano.id}`)).includes('Shoqata Besa'));
    assertOk(await saveProfile(besa, { public: true, languages: ['sq', 'it'], description: { it: 'Associazione della diaspora albanese.' } }));
  });

  it('filters by kind, category, language and words, and pages through the rest', async () => {
    const circuit = `circuit=${vigevano.id}`;
    assert.deepEqual(names(await directory(`${circuit}&kind=referrer`)).sort(), ['Istituto Comprensivo Vigevano', 'Shoqata Besa']);
    assert.deepEqual(names(await directory(`${circuit}&kind=mentor`)).sort(), ['Marta R.', 'Pasticceria Colombo']);
    assert.deepEqual(names(await directory(`${circuit}&category=theatre`)).sort(), ['Pasticceria Colombo', 'Teatro Cagnoni']);
    assert.deepEqual(names(await directory(`${circuit}&language=sq`)).sort(), ['Marta R.', 'Shoqata Besa']);
    assert.deepEqual(names(await directory(`${circuit}&q=diaspora`)), ['Shoqata Besa']);
    assert.deepEqual(names(await directory(`${circuit}&q=historik`)), ['Teatro Cagnoni']);
    assert.deepEqual(names(await directory(`${circuit}&q=${encodeURIComponent('100%')}`)), []);
    assert.deepEqual(names(await directory(`${circuit}&q=sq`)), [], 'the languages of a description are not words in it');

    const seen: string[] = [];
    let cursor = '';
    for (;;) {
      const page = assertOk(await directory(`${circuit}&limit=2${cursor}`));
      assert.ok(page.data.length <= 2);
      seen.push(...names({ body: page }));
      if (!page.has_more) break;
      cursor = `&starting_after=${page.data.at(-1).id}`;
    }
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
  });

  it("shows a person's contact only when they chose to", async () => {
    const person = () => directory(`circuit=${vigevano.id}&kind=mentor`).then((result) => result.body.data.find((entry: { id: string }) => entry.id === marta.id));
    assert.equal((await person()).contact_email, null);
    assertOk(await saveProfile(marta, { public: true, holder: 'person', languages: ['it', 'sq'], contact_email: 'marta@example.org', show_contact: true }));
    assert.equal((await person()).contact_email, 'marta@example.org');
  });

  it('is public and cacheable like the other public answers, and 404 for a circuit that does not exist', async () => {
    const first = await directory(`circuit=${vigevano.id}`, { Origin: 'https://www.comune.vigevano.pv.it' });
    assert.equal(first.headers.get('access-control-allow-origin'), '*');
    assert.equal(first.headers.get('cache-control'), 'public, max-age=30, stale-while-revalidate=300');
    const again = await api.app.request(`/v1/public/directory?circuit=${vigevano.id}`, { headers: { 'If-None-Match': first.headers.get('etag')! } });
    assert.equal(again.status, 304);
    assertProblem(await directory('circuit=0190aaaa-0000-7000-8000-000000000000'), 404, 'not_found');
    assertProblem(await directory('circuit=vigevano'), 404, 'not_found');
  });
});
