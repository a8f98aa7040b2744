// The API as the server process serves it, over real HTTP: what partners' servers and visitors'
// browsers see on the wire (CORS preflights, problem+json, limits, replays), beyond app.request().
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, overHttp, type ApiCaller } from '../test/api.js';
import { createEmbeddedDataDir, createTestDatabase, type TestDatabase } from '../test/database.js';
import { listeningPort, startScript, type Running } from '../test/process.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const theatreSite = 'https://teatrocagnoni.it';
const day = 24 * 3600 * 1000;

let server: Running;
let base: string;
let api: ApiCaller;
let database: TestDatabase | undefined;
let dataDir: string | undefined;

before(async () => {
  // The server's own database: a fresh one on the PostgreSQL at DATABASE_URL, else embedded.
  let where: Record<string, string>;
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    where = { DATABASE_URL: database.url! };
  } else {
    dataDir = createEmbeddedDataDir();
    where = { MENTORING_DATA_DIR: dataDir };
  }
  server = startScript(main, { PORT: '0', MENTORING_ADMIN_KEY: adminKey, MENTORING_DEMO: 'false', ...where });
  base = `http://127.0.0.1:${await listeningPort(server)}`;
  api = overHttp(base);
});

after(async () => {
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, server.output());
  await database?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

describe('the API served by the server process', () => {
  it('a bakery funds the circuit, a school issues a voucher, a pupil books on the theatre page, the box office holds and captures, and the ledger reconciles', async () => {
    const operator = await createOrganization(api, 'operator', { name: 'Circuito Vigevano' });
    const circuit = assertOk(
      await call(api, 'POST', '/v1/circuits', {
        key: operator.secretKey,
        body: { name: 'Vigevano', categories: [{ slug: 'theatre', name: { it: 'Teatro', en: 'Theatre', sq: 'Teatër' } }] },
      }),
      201,
    );
    const bakery = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo', by: operator.secretKey });
    const gift = assertOk(
      await call(api, 'POST', '/v1/sponsorships', { key: bakery.secretKey, body: { pool_id: circuit.general_pool_id, amount: 6000 } }),
      201,
    );
    assert.equal(gift.status, 'succeeded');

    const theatre = await createOrganization(api, 'provider', { name: 'Teatro Cagnoni', allowedOrigins: [theatreSite], by: operator.secretKey });
    assertOk(await call(api, 'POST', `/v1/circuits/${circuit.id}/providers`, { key: operator.secretKey, body: { provider_id: theatre.id } }), 201);
    const offer = assertOk(
      await call(api, 'POST', '/v1/offers', {
        key: operator.secretKey,
        body: {
          circuit_id: circuit.id,
          provider_id: theatre.id,
          category: 'theatre',
          title: { it: 'La locandiera', en: 'The Mistress of the Inn', sq: 'Hanxhesha' },
          venue: 'Teatro Cagnoni, Vigevano',
          starts_at: new Date(Date.now() + 30 * day).toISOString(),
          seat_price: 1500,
          seats_total: 40,
        },
      }),
      201,
    );

    const school = await createOrganization(api, 'referrer', { name: 'Liceo Cairoli', by: operator.secretKey });
    assertOk(
      await call(api, 'POST', '/v1/allocations', {
        key: operator.secretKey,
        body: { referrer_id: school.id, pool_id: circuit.general_pool_id, amount: 6000 },
      }),
    );
    const pupil = assertOk(
      await call(api, 'POST', '/v1/beneficiaries', { key: school.secretKey, body: { reference: '3B-0007', age_band: '14-17', language: 'sq' } }),
      201,
    );
    const voucher = assertOk(
      await call(api, 'POST', '/v1/vouchers', {
        key: school.secretKey,
        body: { beneficiary_id: pupil.id, pool_id: circuit.general_pool_id, amount: 4500 },
      }),
      201,
    );

    // The pupil types the code in lowercase with spaces on the theatre's own page.
    const pageKey = await createKey(api, theatre.id, 'publishable', operator.secretKey);
    const typed = voucher.code.toLowerCase().replaceAll('-', ' ');
    const inPage = { Origin: theatreSite };
    const checked = assertOk(await call(api, 'POST', '/v1/vouchers/check', { key: pageKey, body: { code: typed, pin: voucher.pin }, headers: inPage }));
    assert.equal(checked.available, 4500);
    const booked = assertOk(
      await call(api, 'POST', '/v1/redemptions', {
        key: pageKey,
        body: { code: typed, pin: voucher.pin, offer_id: offer.id, seats: 2, capture: true },
        headers: inPage,
      }),
      201,
    );
    assert.equal(booked.status, 'captured');
    assert.equal(booked.voucher_available, 1500);

    // A friend comes along on the night: the box office holds the last €15 seat, then captures it.
    const desk = await createKey(api, theatre.id, 'desk', operator.secretKey);
    const held = assertOk(
      await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: false } }),
      201,
    );
    assert.equal(held.status, 'held');
    const captured = assertOk(await call(api, 'POST', `/v1/redemptions/${held.id}/capture`, { key: desk, body: {} }));
    assert.equal(captured.status, 'captured');
    const empty = assertProblem(
      await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: false } }),
      422,
      'insufficient_funds',
    );
    assert.equal(empty.available, 0);

    const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
    assert.equal(report.clean, true, JSON.stringify(report.problems));
  });

  it("answers a browser's preflight for any origin, and a key only from its own origins, readably for the page", async () => {
    const operator = await createOrganization(api, 'operator');
    const museum = await createOrganization(api, 'provider', { name: 'Museo della Calzatura', allowedOrigins: [theatreSite], by: operator.secretKey });
    const preflight = (origin: string) =>
      fetch(`${base}/v1/redemptions`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
      });
    for (const origin of [theatreSite, 'https://www.museocalzatura.it']) {
      const answer = await preflight(origin);
      assert.equal(answer.status, 204);
      assert.equal(answer.headers.get('access-control-allow-origin'), origin);
      assert.match(answer.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    }

    // The museum's key pasted into its new site, not yet in its allowed origins: refused, and the page can read why.
    const museumKey = await createKey(api, museum.id, 'publishable', operator.secretKey);
    const refused = await fetch(`${base}/v1/vouchers/check`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${museumKey}`, 'Content-Type': 'application/json', Origin: 'https://www.museocalzatura.it' },
      body: JSON.stringify({ code: 'MNT-0000-0000-0000-0', pin: '1234' }),
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), 'https://www.museocalzatura.it');
    const problem = (await refused.json()) as { code: string; detail: string };
    assert.equal(problem.code, 'forbidden_origin');
    assert.match(problem.detail, /Museo della Calzatura has not allowed https:\/\/www\.museocalzatura\.it/);
  });

  it('speaks problem+json on the wire: a body too large, malformed JSON, a missing key, each with its request id', async () => {
    const tooLarge = await fetch(`${base}/v1/organizations`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'mentor', name: 'x'.repeat(300 * 1024) }),
    });
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.headers.get('content-type'), 'application/problem+json');
    assert.equal(((await tooLarge.json()) as { code: string }).code, 'payload_too_large');

    const malformed = await call(api, 'POST', '/v1/organizations', { key: adminKey, body: '{"kind": "mentor",' });
    assertProblem(malformed, 400, 'invalid_request');
    assert.match(malformed.body.detail, /JSON/);
    const missingKey = await call(api, 'GET', '/v1/organizations');
    assertProblem(missingKey, 401, 'unauthorized');
    for (const answer of [malformed, missingKey]) {
      assert.match(answer.body.request_id, /^[0-9a-f-]{36}$/);
      assert.equal(answer.headers.get('x-request-id'), answer.body.request_id);
    }
  });

  it('replays a POST sent again with its Idempotency-Key, and refuses the key with another body', async () => {
    const headers = { 'Idempotency-Key': `create-mentor-${Date.now()}` };
    const first = assertOk(await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { kind: 'operator', name: 'Circuito Pavia' }, headers }), 201);
    const again = await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { kind: 'operator', name: 'Circuito Pavia' }, headers });
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.id);
    assertProblem(
      await call(api, 'POST', '/v1/organizations', { key: adminKey, body: { kind: 'operator', name: 'Circuito Milano' }, headers }),
      422,
      'idempotency_conflict',
    );
  });
});
