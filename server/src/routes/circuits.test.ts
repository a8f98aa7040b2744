import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';
import { fundPool, seedCircuit, seedOffer, seedProvider, testCategories } from '../../test/fixtures/catalog.js';

let api: TestApi;
before(async () => {
  api = await createTestApi();
});
after(() => api.close());

const musicPath = {
  name: { it: 'Percorso musica', en: 'Music path' },
  ordered: true,
  steps: [{ category: 'music' }, { category: 'theatre' }],
};

/** Rows a refused request must not have written. */
async function counts() {
  const [row] = await api.database.sql`
    select (select count(*) from circuits)::int as circuits, (select count(*) from pools)::int as pools,
           (select count(*) from accounts)::int as accounts, (select count(*) from circuit_providers)::int as members,
           (select count(*) from allocations)::int as allocations`;
  return row;
}

describe('circuits', () => {
  it("Vigevano's operator creates its circuit, with categories, a music path and a general pool", async () => {
    const operator = await createOrganization(api, 'operator', { name: 'Circuito Vigevano' });
    const circuit = assertOk(
      await call(api, 'POST', '/v1/circuits', {
        key: operator.secretKey,
        body: { name: 'Vigevano', description: { it: 'Cultura in Lomellina' }, categories: testCategories, paths: [musicPath] },
      }),
      201,
    );
    assert.equal(circuit.object, 'circuit');
    assert.equal(circuit.operator_id, operator.id);
    assert.equal(circuit.currency, 'EUR');
    assert.deepEqual(circuit.categories, testCategories);
    assert.equal(circuit.paths.length, 1);
    assert.match(circuit.paths[0].id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(circuit.paths[0].steps, musicPath.steps);
    const pool = assertOk(await call(api, 'GET', `/v1/pools/${circuit.general_pool_id}`, { key: operator.secretKey }));
    assert.deepEqual(
      { kind: pool.kind, circuit_id: pool.circuit_id, balance: pool.balance, available: pool.available },
      { kind: 'general', circuit_id: circuit.id, balance: 0, available: 0 },
    );
    const [account] = await api.ledger.lookupAccounts([circuit.general_pool_id]);
    assert.deepEqual([account!.kind, account!.reference], ['pool', `pool:${circuit.general_pool_id}`]);
    assert.deepEqual(assertOk(await call(api, 'GET', `/v1/circuits/${circuit.id}`, { key: operator.secretKey })), circuit);
  });

  it('the admin creates a circuit for an operator it names', async () => {
    const operator = await createOrganization(api, 'operator', { name: 'Circuito Pavia' });
    const circuit = assertOk(
      await call(api, 'POST', '/v1/circuits', { key: adminKey, body: { operator_id: operator.id, name: 'Pavia', categories: testCategories } }),
      201,
    );
    assert.equal(circuit.operator_id, operator.id);
    const missing = assertProblem(
      await call(api, 'POST', '/v1/circuits', { key: adminKey, body: { name: 'Pavia', categories: testCategories } }),
      400,
      'invalid_request',
    );
    assert.deepEqual(missing.errors.map((error: { path: string }) => error.path), ['operator_id']);
    const theatre = await createOrganization(api, 'provider');
    assertProblem(
      await call(api, 'POST', '/v1/circuits', { key: adminKey, body: { operator_id: theatre.id, name: 'Pavia', categories: testCategories } }),
      404,
      'not_found',
    );
  });

  it('each operator lists its own circuits; a provider those it belongs to; a mentor all', async () => {
    const vigevano = await seedCircuit(api, { name: 'Vigevano' });
    const milano = await seedCircuit(api, { name: 'Milano' });
    const names = async (key: string) =>
      assertOk(await call(api, 'GET', '/v1/circuits', { key })).data.map((circuit: { name: string }) => circuit.name);
    assert.deepEqual(await names(vigevano.operator.secretKey), ['Vigevano']);
    assert.deepEqual(await names(milano.operator.secretKey), ['Milano']);
    const theatre = await seedProvider(api, vigevano, { name: 'Teatro Cagnoni' });
    assert.deepEqual(await names(theatre.secretKey), ['Vigevano']);
    const mentor = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo' });
    const all = await names(mentor.secretKey);
    assert.ok(all.includes('Vigevano') && all.includes('Milano'));
    assertProblem(await call(api, 'GET', `/v1/circuits/${milano.id}`, { key: vigevano.operator.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'GET', `/v1/circuits/${milano.id}`, { key: theatre.secretKey }), 404, 'not_found');
    const first = assertOk(await call(api, 'GET', '/v1/circuits?limit=1', { key: mentor.secretKey }));
    assert.equal(first.data.length, 1);
    assert.equal(first.has_more, true);
    const next = assertOk(await call(api, 'GET', `/v1/circuits?limit=1&starting_after=${first.data[0].id}`, { key: mentor.secretKey }));
    assert.notEqual(next.data[0].id, first.data[0].id);
  });

  it('an offer joins a path once it exists; a category offers use cannot be removed', async () => {
    const circuit = await seedCircuit(api);
    const theatre = await seedProvider(api, circuit);
    const opera = await seedOffer(api, circuit, theatre.id, { category: 'music' });
    const key = circuit.operator.secretKey;
    const updated = assertOk(
      await call(api, 'POST', `/v1/circuits/${circuit.id}`, {
        key,
        body: { paths: [{ ...musicPath, steps: [{ category: 'music' }, { offer_id: opera.id }] }] },
      }),
    );
    const path = updated.paths[0];
    assert.deepEqual(path.steps[1], { offer_id: opera.id });
    const renamed = assertOk(
      await call(api, 'POST', `/v1/circuits/${circuit.id}`, { key, body: { paths: [{ ...musicPath, id: path.id, name: { it: 'Musica!' } }] } }),
    );
    assert.equal(renamed.paths[0].id, path.id, 'a path sent with its id keeps it');
    const conflict = assertProblem(
      await call(api, 'POST', `/v1/circuits/${circuit.id}`, { key, body: { categories: testCategories.filter((category) => category.slug !== 'music') } }),
      409,
      'conflict',
    );
    assert.match(conflict.detail, /"music"/);
    const elsewhere = await seedCircuit(api, { name: 'Mortara' });
    assertProblem(
      await call(api, 'POST', `/v1/circuits/${elsewhere.id}`, {
        key: elsewhere.operator.secretKey,
        body: { paths: [{ ...musicPath, steps: [{ offer_id: opera.id }] }] },
      }),
      400,
      'invalid_request',
    );
    assertProblem(await call(api, 'POST', `/v1/circuits/${circuit.id}`, { key: elsewhere.operator.secretKey, body: { name: 'Mine' } }), 404, 'not_found');
  });

  it('refuses bad circuits and wrong keys, writing nothing', async () => {
    const operator = await createOrganization(api, 'operator', { name: 'Circuito Vigevano' });
    const publishable = await createKey(api, operator.id, 'publishable');
    const theatre = await createOrganization(api, 'provider', { name: 'Teatro Cagnoni' });
    const other = await createOrganization(api, 'operator', { name: 'Circuito Milano' });
    const before = await counts();
    const create = (key: string, body: unknown) => call(api, 'POST', '/v1/circuits', { key, body });
    const valid = { name: 'Vigevano', categories: testCategories };
    assertProblem(await create(publishable, valid), 403, 'forbidden');
    assertProblem(await create(theatre.secretKey, valid), 403, 'forbidden');
    assertProblem(await create(operator.secretKey, { ...valid, operator_id: other.id }), 403, 'forbidden');
    const unknownCategory = assertProblem(
      await create(operator.secretKey, { ...valid, paths: [{ ...musicPath, steps: [{ category: 'cinema' }] }] }),
      400,
      'invalid_request',
    );
    assert.deepEqual(unknownCategory.errors, [{ path: 'paths.0.steps.0.category', message: 'not a category of the circuit: cinema' }]);
    assert.match(unknownCategory.detail, /theatre, music, museum/);
    const duplicate = assertProblem(
      await create(operator.secretKey, { ...valid, categories: [...testCategories, testCategories[0]] }),
      400,
      'invalid_request',
    );
    assert.match(JSON.stringify(duplicate.errors), /unique/);
    assertProblem(
      await create(operator.secretKey, { ...valid, categories: [{ slug: 'Live Music', name: { it: 'Musica dal vivo' } }] }),
      400,
      'invalid_request',
    );
    assertProblem(await create(operator.secretKey, { ...valid, categories: [] }), 400, 'invalid_request');
    assertProblem(await create(operator.secretKey, { ...valid, region: 'Lombardia' }), 400, 'invalid_request');
    assertProblem(await create(operator.secretKey, { ...valid, name: { it: 'Vigevano' } }), 400, 'invalid_request');
    assert.deepEqual(await counts(), before);
  });
});

describe('providers of a circuit', () => {
  it('the operator adds Teatro Cagnoni; adding it again is harmless', async () => {
    const circuit = await seedCircuit(api);
    const theatre = await createOrganization(api, 'provider', { name: 'Teatro Cagnoni', by: circuit.operator.secretKey });
    const add = () =>
      call(api, 'POST', `/v1/circuits/${circuit.id}/providers`, { key: circuit.operator.secretKey, body: { provider_id: theatre.id } });
    const added = assertOk(await add(), 201);
    assert.deepEqual(
      { object: added.object, circuit_id: added.circuit_id, provider_id: added.provider_id, provider_name: added.provider_name },
      { object: 'circuit_provider', circuit_id: circuit.id, provider_id: theatre.id, provider_name: 'Teatro Cagnoni' },
    );
    assert.deepEqual(assertOk(await add(), 200), added);
    const members = assertOk(await call(api, 'GET', `/v1/circuits/${circuit.id}/providers`, { key: theatre.secretKey }));
    assert.deepEqual(members.data, [added]);
  });

  it("refuses a provider of another operator, another operator's circuit and a provider's key, writing nothing", async () => {
    const vigevano = await seedCircuit(api, { name: 'Vigevano' });
    const pavia = await seedCircuit(api, { name: 'Pavia' });
    const museum = await createOrganization(api, 'provider', { name: 'Musei Civici di Pavia', by: pavia.operator.secretKey });
    const school = await createOrganization(api, 'referrer', { name: 'Liceo Cairoli', by: vigevano.operator.secretKey });
    const before = await counts();
    const add = (circuitId: string, key: string, providerId: string) =>
      call(api, 'POST', `/v1/circuits/${circuitId}/providers`, { key, body: { provider_id: providerId } });
    assertProblem(await add(vigevano.id, vigevano.operator.secretKey, museum.id), 404, 'not_found');
    assertProblem(await add(vigevano.id, vigevano.operator.secretKey, school.id), 404, 'not_found');
    assertProblem(await add(vigevano.id, pavia.operator.secretKey, museum.id), 404, 'not_found');
    assertProblem(await add(pavia.id, museum.secretKey, museum.id), 403, 'forbidden');
    assert.deepEqual(await counts(), before);
    assertOk(await add(vigevano.id, adminKey, museum.id), 201);
  });
});

describe('pools and allocations', () => {
  it("a foundation's fund pool shows what was put in it", async () => {
    const circuit = await seedCircuit(api);
    const created = assertOk(
      await call(api, 'POST', '/v1/pools', { key: circuit.operator.secretKey, body: { circuit_id: circuit.id, name: 'Fondazione Piacenza e Vigevano' } }),
      201,
    );
    assert.deepEqual([created.object, created.kind, created.balance], ['pool', 'fund', 0]);
    await fundPool(api, created.id, 250_000n);
    const pool = assertOk(await call(api, 'GET', `/v1/pools/${created.id}`, { key: circuit.operator.secretKey }));
    assert.deepEqual([pool.balance, pool.available], [250_000, 250_000]);
  });

  it('refuses a pool in a circuit of another operator, and shows pools to nobody else', async () => {
    const vigevano = await seedCircuit(api, { name: 'Vigevano' });
    const milano = await seedCircuit(api, { name: 'Milano' });
    const mentor = await createOrganization(api, 'mentor');
    const before = await counts();
    assertProblem(
      await call(api, 'POST', '/v1/pools', { key: milano.operator.secretKey, body: { circuit_id: vigevano.id, name: 'Mine' } }),
      404,
      'not_found',
    );
    assertProblem(await call(api, 'POST', '/v1/pools', { key: mentor.secretKey, body: { circuit_id: vigevano.id, name: 'Mine' } }), 403, 'forbidden');
    assertProblem(await call(api, 'POST', '/v1/pools', { key: vigevano.operator.secretKey, body: { circuit_id: vigevano.id } }), 400, 'invalid_request');
    assert.deepEqual(await counts(), before);
    assertProblem(await call(api, 'GET', `/v1/pools/${vigevano.generalPoolId}`, { key: milano.operator.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'GET', `/v1/pools/${vigevano.generalPoolId}`, { key: mentor.secretKey }), 403, 'forbidden');
  });

  it('Liceo Cairoli may issue €500 from the general pool, then €800; it sees what is left', async () => {
    const circuit = await seedCircuit(api, { funded: 1_000_000n });
    const school = await createOrganization(api, 'referrer', { name: 'Liceo Cairoli', by: circuit.operator.secretKey });
    assertProblem(await call(api, 'GET', `/v1/pools/${circuit.generalPoolId}`, { key: school.secretKey }), 404, 'not_found');
    const allocate = (amount: number) =>
      call(api, 'POST', '/v1/allocations', {
        key: circuit.operator.secretKey,
        body: { referrer_id: school.id, pool_id: circuit.generalPoolId, amount },
      });
    const first = assertOk(await allocate(50_000));
    assert.deepEqual(
      { object: first.object, amount: first.amount, issued: first.issued, remaining: first.remaining, circuit_id: first.circuit_id },
      { object: 'allocation', amount: 50_000, issued: 0, remaining: 50_000, circuit_id: circuit.id },
    );
    // Vouchers are another part of the API; here issuing is only its bookkeeping.
    await api.database.sql`update allocations set issued = 30000 where referrer_id = ${school.id}`;
    assertOk(await allocate(80_000));
    const mine = assertOk(await call(api, 'GET', '/v1/allocations', { key: school.secretKey }));
    assert.deepEqual(
      mine.data.map((allocation: Record<string, unknown>) => [allocation.pool_id, allocation.amount, allocation.issued, allocation.remaining]),
      [[circuit.generalPoolId, 80_000, 30_000, 50_000]],
    );
    const pool = assertOk(await call(api, 'GET', `/v1/pools/${circuit.generalPoolId}`, { key: school.secretKey }));
    assert.equal(pool.available, 1_000_000);
    const operatorView = assertOk(await call(api, 'GET', `/v1/allocations?referrer_id=${school.id}`, { key: circuit.operator.secretKey }));
    assert.deepEqual(operatorView.data, mine.data);
    const below = assertProblem(await allocate(20_000), 409, 'conflict');
    assert.match(below.detail, /Liceo Cairoli has already issued EUR 300.00 of vouchers from this pool/);
    const [row] = await api.database.sql`select amount from allocations where referrer_id = ${school.id}`;
    assert.equal(row!.amount, 80_000n, 'the refused allocation changed nothing');
  });

  it("refuses allocations for another operator's referrer or pool, and lists need a referrer", async () => {
    const vigevano = await seedCircuit(api, { name: 'Vigevano' });
    const milano = await seedCircuit(api, { name: 'Milano' });
    const school = await createOrganization(api, 'referrer', { name: 'Liceo Cairoli', by: vigevano.operator.secretKey });
    const association = await createOrganization(api, 'referrer', { name: 'Associazione Shqiponja', by: milano.operator.secretKey });
    const theatre = await seedProvider(api, vigevano);
    const before = await counts();
    const allocate = (key: string, referrerId: string, poolId: string, amount: unknown = 10_000) =>
      call(api, 'POST', '/v1/allocations', { key, body: { referrer_id: referrerId, pool_id: poolId, amount } });
    assertProblem(await allocate(vigevano.operator.secretKey, association.id, vigevano.generalPoolId), 404, 'not_found');
    assertProblem(await allocate(vigevano.operator.secretKey, school.id, milano.generalPoolId), 404, 'not_found');
    assertProblem(await allocate(vigevano.operator.secretKey, theatre.id, vigevano.generalPoolId), 404, 'not_found');
    assertProblem(await allocate(school.secretKey, school.id, vigevano.generalPoolId), 403, 'forbidden');
    assertProblem(await allocate(vigevano.operator.secretKey, school.id, vigevano.generalPoolId, -1), 400, 'invalid_request');
    assertProblem(await allocate(vigevano.operator.secretKey, school.id, vigevano.generalPoolId, 12.5), 400, 'invalid_request');
    assert.deepEqual(await counts(), before);
    assertProblem(await call(api, 'GET', '/v1/allocations', { key: vigevano.operator.secretKey }), 400, 'invalid_request');
    assertOk(await allocate(adminKey, association.id, vigevano.generalPoolId));
    const seenByMilano = assertOk(await call(api, 'GET', `/v1/allocations?referrer_id=${association.id}`, { key: milano.operator.secretKey }));
    assert.deepEqual(seenByMilano.data, [], "Milano's operator does not see allocations in Vigevano's pools");
  });
});
