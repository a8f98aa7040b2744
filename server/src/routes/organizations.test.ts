import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';

let api: TestApi;
before(async () => {
  api = await createTestApi();
});
after(() => api.close());

describe('organizations and keys', () => {
  it('the admin registers an operator, which registers a theatre and gives it keys', async () => {
    const operator = await createOrganization(api, 'operator', { name: 'Circuito Vigevano' });
    const theatre = await createOrganization(api, 'provider', { name: 'Teatro Cagnoni', by: operator.secretKey });
    const listed = assertOk(await call(api, 'GET', '/v1/organizations', { key: operator.secretKey }));
    assert.deepEqual(listed.data.map((organization: { name: string }) => organization.name), ['Teatro Cagnoni']);
    assert.equal(listed.has_more, false);
    const desk = await createKey(api, theatre.id, 'desk', operator.secretKey);
    assert.match(desk, /^rk_test_[A-Za-z0-9]{32}$/);
    const keys = assertOk(await call(api, 'GET', `/v1/organizations/${theatre.id}/keys`, { key: theatre.secretKey }));
    assert.equal(keys.data.length, 2);
    for (const key of keys.data) {
      assert.equal(key.key, undefined, 'a listed key never shows the key itself');
      assert.match(key.hint, /^(sk|rk)_test_…[A-Za-z0-9]{4}$/);
    }
  });

  it('stores an allowed origin as browsers send it, in lower case', async () => {
    const created = assertOk(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { kind: 'mentor', name: 'Bar Sport', allowed_origins: [' https://Bar-Sport.Example:8443'] } }),
      201,
    );
    assert.deepEqual(created.allowed_origins, ['https://bar-sport.example:8443']);
  });

  it('stores only the hash of a key', async () => {
    const mentor = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo' });
    const rows = await api.database.sql<{ hash: Buffer; hint: string }[]>`
      select hash, hint from api_keys where organization_id = ${mentor.id}`;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.hash.length, 32);
    const dump = JSON.stringify(await api.database.sql`select * from api_keys`);
    assert.ok(!dump.includes(mentor.secretKey.slice(8)), 'the key is nowhere in the table');
  });

  it('refuses a missing, malformed, unknown or revoked key with 401', async () => {
    assertProblem(await call(api, 'GET', '/v1/organizations'), 401, 'unauthorized');
    assertProblem(await call(api, 'GET', '/v1/organizations', { key: 'hello' }), 401, 'unauthorized');
    assertProblem(
      await call(api, 'GET', '/v1/organizations', { key: 'sk_test_' + 'x'.repeat(32) }),
      401,
      'unauthorized',
    );
    const operator = await createOrganization(api, 'operator');
    const keys = assertOk(await call(api, 'GET', `/v1/organizations/${operator.id}/keys`, { key: adminKey }));
    assertOk(await call(api, 'POST', `/v1/keys/${keys.data[0].id}/revoke`, { key: adminKey }));
    const refused = assertProblem(await call(api, 'GET', '/v1/organizations', { key: operator.secretKey }), 401, 'unauthorized');
    assert.match(refused.title, /revoked/i);
  });

  it('refuses the wrong kind of key with 403', async () => {
    const operator = await createOrganization(api, 'operator');
    const publishable = await createKey(api, operator.id, 'publishable');
    assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: publishable, body: { kind: 'mentor', name: 'x' } }),
      403,
      'forbidden',
    );
    assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: operator.secretKey, body: { kind: 'operator', name: 'x' } }),
      403,
      'forbidden',
    );
    // Desk keys are for a box office, a school office or a mentor's impact page (desk-keys.test.ts, impact.test.ts): an operator has none.
    assertProblem(
      await call(api, 'POST', `/v1/organizations/${operator.id}/keys`, { key: adminKey, body: { kind: 'desk' } }),
      400,
      'invalid_request',
    );
  });

  it('answers a key with Cache-Control: no-store, so no shared cache keeps an organization\'s data', async () => {
    const operator = await createOrganization(api, 'operator');
    const answer = await call(api, 'GET', `/v1/organizations/${operator.id}`, { key: operator.secretKey });
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
  });

  it("hides organizations the caller does not manage", async () => {
    const one = await createOrganization(api, 'operator');
    const other = await createOrganization(api, 'operator');
    assertProblem(await call(api, 'GET', `/v1/organizations/${other.id}`, { key: one.secretKey }), 404, 'not_found');
  });

  it('answers a publishable key only from allowed origins, with CORS for that origin', async () => {
    const theatre = await createOrganization(api, 'provider', { name: 'Teatro Cagnoni', allowedOrigins: ['https://teatrocagnoni.it'] });
    const publishable = await createKey(api, theatre.id, 'publishable');
    const path = `/v1/organizations/${theatre.id}`;
    const refused = await call(api, 'GET', path, { key: theatre.secretKey, headers: { Origin: 'https://evil.example' } });
    assertProblem(refused, 403, 'forbidden_origin');
    const preflight = await api.app.request(path, {
      method: 'OPTIONS',
      headers: { Origin: 'https://teatrocagnoni.it', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://teatrocagnoni.it');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/);
    // Any origin may send the request (a preflight has no key); the key then refuses it, readably.
    const foreignPreflight = await api.app.request(path, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'POST' },
    });
    assert.equal(foreignPreflight.status, 204);
    assert.equal(foreignPreflight.headers.get('access-control-allow-origin'), 'https://evil.example');
    assert.equal(refused.headers.get('access-control-allow-origin'), 'https://evil.example');
    const allowed = await call(api, 'POST', '/v1/organizations', {
      key: publishable,
      body: { kind: 'mentor', name: 'x' },
      headers: { Origin: 'https://teatrocagnoni.it' },
    });
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://teatrocagnoni.it');
    assertProblem(allowed, 403, 'forbidden');
    // A key revoked while still on the theatre's page: the page can read why.
    const keys = assertOk(await call(api, 'GET', `/v1/organizations/${theatre.id}/keys`, { key: adminKey }));
    const publishableId = keys.data.find((key: { kind: string }) => key.kind === 'publishable').id;
    assertOk(await call(api, 'POST', `/v1/keys/${publishableId}/revoke`, { key: adminKey }));
    const revoked = await call(api, 'GET', path, { key: publishable, headers: { Origin: 'https://teatrocagnoni.it' } });
    assert.match(assertProblem(revoked, 401, 'unauthorized').title, /revoked/i);
    assert.equal(revoked.headers.get('access-control-allow-origin'), 'https://teatrocagnoni.it');
    // From anywhere else, a revoked key is a 401 too: it names no organization and no allowed origin.
    const elsewhere = assertProblem(await call(api, 'GET', path, { key: publishable, headers: { Origin: 'https://evil.example' } }), 401, 'unauthorized');
    assert.equal(elsewhere.detail.includes('Cagnoni'), false);
    // A key mistyped into the page's tag: the page reads the 401 too.
    const mistyped = await call(api, 'GET', path, { key: `${publishable.slice(0, -4)}abcd`, headers: { Origin: 'https://teatrocagnoni.it' } });
    assert.match(assertProblem(mistyped, 401, 'unauthorized').title, /unknown/i);
    assert.equal(mistyped.headers.get('access-control-allow-origin'), 'https://teatrocagnoni.it');
  });
});

describe('requests the API refuses, writing nothing', () => {
  it('malformed JSON, wrong types, unknown fields get 400 naming the fields, a body that is not JSON 415', async () => {
    const before = await api.database.sql`select count(*)::int as n from organizations`;
    const malformed = assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: '{"kind": "mentor",' }),
      400,
      'invalid_request',
    );
    assert.match(malformed.title, /JSON/i);
    const wrongType = assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { kind: 'mentor', name: 42 } }),
      400,
      'invalid_request',
    );
    assert.deepEqual(wrongType.errors.map((error: { path: string }) => error.path), ['name']);
    const unknown = assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { kind: 'mentor', name: 'x', iban: 'IT60' } }),
      400,
      'invalid_request',
    );
    assert.deepEqual(unknown.errors, [{ path: 'iban', message: 'Unknown field: this endpoint does not take it.' }]);
    assert.match(unknown.detail, /Check these fields: iban\./);
    assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: 'kind=mentor', headers: { 'Content-Type': 'text/plain' } }),
      415,
      'invalid_request',
    );
    const after = await api.database.sql`select count(*)::int as n from organizations`;
    assert.deepEqual(after, before);
  });

  it('a body over the limit gets 413', async () => {
    const huge = JSON.stringify({ kind: 'mentor', name: 'x'.repeat(300 * 1024) });
    assertProblem(await call(api, 'POST', '/v1/organizations', { key: adminKey, body: huge }), 413, 'payload_too_large');
  });

  it('every answer carries a request id', async () => {
    const result = await call(api, 'GET', '/v1/organizations');
    assert.match(result.headers.get('x-request-id') ?? '', /.+/);
    assert.equal(result.body.request_id, result.headers.get('x-request-id'));
  });
});

describe('Idempotency-Key', () => {
  it('replays the stored answer for the same key and body, and refuses a different body', async () => {
    const headers = { 'Idempotency-Key': 'register-colombo-1' };
    const body = { kind: 'mentor', name: 'Ferramenta Bianchi' };
    const first = assertOk(await call(api, 'POST', '/v1/organizations', { key: adminKey, body, headers }), 201);
    const again = await call(api, 'POST', '/v1/organizations', { key: adminKey, body, headers });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(again.body, first);
    const rows = await api.database.sql`select 1 from organizations where name = 'Ferramenta Bianchi'`;
    assert.equal(rows.length, 1);
    assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { ...body, name: 'Other' }, headers }),
      422,
      'idempotency_conflict',
    );
  });

  it('answers 409 while the first request with the key is still running', async () => {
    await api.database.sql`
      insert into idempotency_keys (principal, key, request_hash, status)
      values ('admin', 'still-running', '\\x00', 'in_flight')`;
    const result = await call(api, 'POST', '/v1/organizations', {
      key: adminKey,
      body: { kind: 'mentor', name: 'x' },
      headers: { 'Idempotency-Key': 'still-running' },
    });
    assertProblem(result, 409, 'idempotency_in_flight');
    assert.equal(result.headers.get('retry-after'), '1');
  });
});
