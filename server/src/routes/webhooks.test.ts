import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { createApp } from '../app.js';
import { isPrivateAddress } from '../webhooks/endpoint-url.js';
import { maxEndpointsPerOrganization } from './webhooks.js';
import { retryDelaySeconds } from '../webhooks/worker.js';

let api: TestApi;
let circuit: TestCircuit;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 1_000_000n });
});
after(() => api.close());

const endpoints = '/v1/webhook_endpoints';

describe('webhook endpoints', () => {
  it('show their secret once, when made; afterwards only a hint', async () => {
    const theatre = await seedProvider(api, circuit);
    const created = assertOk(
      await call(api, 'POST', endpoints, {
        key: theatre.secretKey,
        body: { url: 'https://teatro.example/hooks', event_types: ['redemption.captured', 'settlement.created'], description: 'Biglietteria' },
      }),
      201,
    );
    assert.match(created.secret, /^whsec_[A-Za-z0-9]{32}$/);
    assert.equal(created.mode, 'test');
    assert.equal(created.status, 'enabled');
    const listed = assertOk(await call(api, 'GET', endpoints, { key: theatre.secretKey }));
    assert.equal(listed.data.length, 1);
    assert.equal(listed.data[0].secret, undefined);
    assert.equal(listed.data[0].secret_hint, `whsec_…${created.secret.slice(-4)}`);
    const fetched = assertOk(await call(api, 'GET', `${endpoints}/${created.id}`, { key: theatre.secretKey }));
    assert.equal(fetched.secret, undefined);
  });

  it(`are at most ${maxEndpointsPerOrganization} per organization`, async () => {
    const school = await seedReferrer(api, circuit, { name: 'Liceo Omodeo' });
    const add = () => call(api, 'POST', endpoints, { key: school.secretKey, body: { url: 'https://liceo.example/hooks', event_types: ['voucher.issued'] } });
    for (let count = 0; count < maxEndpointsPerOrganization; count += 1) assertOk(await add(), 201);
    assertProblem(await add(), 409, 'conflict');
  });

  it('belong to their organization: another one, a desk key or the admin cannot reach them', async () => {
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Fraschini' });
    const museum = await seedProvider(api, circuit, { name: 'Musei Civici' });
    const created = assertOk(
      await call(api, 'POST', endpoints, { key: theatre.secretKey, body: { url: 'https://teatro.example/hooks', event_types: ['redemption.held'] } }),
      201,
    );
    assertProblem(await call(api, 'GET', `${endpoints}/${created.id}`, { key: museum.secretKey }), 404, 'not_found');
    const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    assertProblem(await call(api, 'GET', endpoints, { key: desk }), 403, 'forbidden');
    assertProblem(await call(api, 'POST', endpoints, { key: adminKey, body: { url: 'https://admin.example/', event_types: ['voucher.issued'] } }), 403, 'forbidden');
  });

  it('hear only of what concerns their organization: a mentor of its sponsorships, not of bookings', async () => {
    const mentor = await createOrganization(api, 'mentor', { name: 'Calzaturificio Rossi', by: circuit.operator.secretKey });
    const refused = assertProblem(
      await call(api, 'POST', endpoints, {
        key: mentor.secretKey,
        body: { url: 'https://rossi.example/hooks', event_types: ['sponsorship.succeeded', 'redemption.captured'] },
      }),
      400,
      'invalid_request',
    );
    assert.deepEqual(refused.errors, [{ path: 'event_types.1', message: 'a mentor hears only of sponsorship.succeeded, need.adopted, need.funded' }]);
    assertProblem(await call(api, 'POST', endpoints, { key: mentor.secretKey, body: { url: 'https://rossi.example/hooks', event_types: ['voucher.stolen'] } }), 400, 'invalid_request');
  });

  it('use https on a public address with a live key; http and loopback are for test keys', async () => {
    const operator = await createOrganization(api, 'operator', { name: 'Circuito Pavia' });
    // Only a live key makes live keys: the same database served with a live admin key.
    const liveAdmin = adminKey.replace('_test_', '_live_');
    const liveApi = { app: createApp({ database: api.database, services: { adminKey: liveAdmin, ledger: api.ledger } }) };
    const live = assertOk(await call(liveApi, 'POST', `/v1/organizations/${operator.id}/keys`, { key: liveAdmin, body: { kind: 'secret' } }), 201).key;
    const refusals: [string, string][] = [
      ['http://circuito.example/hooks', 'a live endpoint must use https://'],
      ['https://127.0.0.1/hooks', 'a live endpoint must be on a public address'],
      ['https://10.1.2.3/hooks', 'a live endpoint must be on a public address'],
      ['https://[::1]/hooks', 'a live endpoint must be on a public address'],
      ['https://localhost:8443/hooks', 'a live endpoint must be on a public address'],
      ['https://metadata/computeMetadata', 'a live endpoint must be on a public address'],
      ['https://user:secret@circuito.example/hooks', 'put no credentials in the URL; verify the signature instead'],
      ['ftp://circuito.example/hooks', 'a live endpoint must use https://'],
    ];
    for (const [url, message] of refusals) {
      const problem = assertProblem(await call(api, 'POST', endpoints, { key: live, body: { url, event_types: ['voucher.issued'] } }), 400, 'invalid_request');
      assert.deepEqual(problem.errors, [{ path: 'url', message }], url);
    }
    const accepted = assertOk(await call(api, 'POST', endpoints, { key: live, body: { url: 'https://circuito.example/hooks', event_types: ['voucher.issued'] } }), 201);
    assert.equal(accepted.mode, 'live');
    assertProblem(
      await call(api, 'POST', `${endpoints}/${accepted.id}`, { key: live, body: { url: 'http://circuito.example/hooks' } }),
      400,
      'invalid_request',
    );
    assertOk(await call(api, 'POST', endpoints, { key: operator.secretKey, body: { url: 'http://127.0.0.1:4000/hooks', event_types: ['voucher.issued'] } }), 201);
    // A server that sends test webhooks to private addresses still never sends to a cloud's metadata service.
    for (const url of ['http://169.254.169.254/latest/meta-data', 'http://[fe80::1]/hooks', 'http://[64:ff9b::a9fe:a9fe]/', 'http://[fd00:ec2::254]/']) {
      const refused = assertProblem(await call(api, 'POST', endpoints, { key: operator.secretKey, body: { url, event_types: ['voucher.issued'] } }), 400, 'invalid_request');
      assert.match(refused.errors[0].message, /link-local/, url);
    }
  });

  it('stay off private addresses, test mode included, on a server that does not allow them', async () => {
    const shared = { app: createApp({ database: api.database, services: { adminKey, ledger: api.ledger, webhookPrivateAddresses: false } }) };
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Nuovo' });
    const problem = assertProblem(
      await call(shared, 'POST', endpoints, { key: theatre.secretKey, body: { url: 'http://127.0.0.1:4000/hooks', event_types: ['redemption.held'] } }),
      400,
      'invalid_request',
    );
    assert.deepEqual(problem.errors, [{ path: 'url', message: 'this server sends webhooks to public addresses only' }]);
    assertOk(await call(shared, 'POST', endpoints, { key: theatre.secretKey, body: { url: 'http://teatro.example/hooks', event_types: ['redemption.held'] } }), 201);
  });

  it('queue nothing while disabled, and again once enabled', async () => {
    const school = await seedReferrer(api, circuit, { name: 'Istituto Casale' });
    const created = assertOk(
      await call(api, 'POST', endpoints, { key: school.secretKey, body: { url: 'http://127.0.0.1:9/hooks', event_types: ['voucher.issued'] } }),
      201,
    );
    const queued = async () => {
      const [row] = await api.database.sql<{ count: number }[]>`select count(*)::int as count from webhook_deliveries where endpoint_id = ${created.id}`;
      return row!.count;
    };
    await seedVoucher(api, circuit, school);
    assert.equal(await queued(), 1);
    const disabled = assertOk(await call(api, 'POST', `${endpoints}/${created.id}`, { key: school.secretKey, body: { disabled: true } }));
    assert.equal(disabled.status, 'disabled');
    await seedVoucher(api, circuit, school);
    assert.equal(await queued(), 1);
    assertOk(await call(api, 'POST', `${endpoints}/${created.id}`, { key: school.secretKey, body: { disabled: false, event_types: ['voucher.issued', 'voucher.expired'] } }));
    await seedVoucher(api, circuit, school);
    assert.equal(await queued(), 2);
  });

  it('are not told of a redemption of a provider that did not subscribe to it', async () => {
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Civico' });
    assertOk(await call(api, 'POST', endpoints, { key: theatre.secretKey, body: { url: 'http://127.0.0.1:9/', event_types: ['settlement.created'] } }), 201);
    const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    const offer = await seedOffer(api, circuit, theatre.id);
    const voucher = await seedVoucher(api, circuit, await seedReferrer(api, circuit, { name: 'Scuola Media Bussi' }));
    const booking = assertOk(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 } }), 201);
    const [row] = await api.database.sql<{ count: number }[]>`
      select count(*)::int as count from webhook_deliveries where data ->> 'id' = ${booking.id}`;
    assert.equal(row!.count, 0);
  });
});

describe('webhook rules', () => {
  it('count loopback, private, link-local and mapped addresses as private, public ones not', () => {
    for (const address of ['127.0.0.1', '10.0.0.8', '172.20.1.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      assert.equal(isPrivateAddress(address), true, address);
    }
    for (const address of ['93.184.216.34', '151.101.1.69', '2a00:1450:4002:402::200e']) {
      assert.equal(isPrivateAddress(address), false, address);
    }
  });

  it('wait 30 s after a first failure, doubling to at most 6 hours, spread ±50% at random', () => {
    assert.equal(retryDelaySeconds(1, () => 0.5), 30);
    assert.equal(retryDelaySeconds(2, () => 0.5), 60);
    assert.equal(retryDelaySeconds(1, () => 0), 15);
    assert.equal(retryDelaySeconds(1, () => 0.999999) < 45, true);
    assert.equal(retryDelaySeconds(30, () => 0.5), 6 * 3600);
  });
});
