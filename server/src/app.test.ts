import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminKey } from '../test/api.js';
import { captureErrors } from '../test/console.js';
import { createTestDatabase, type TestDatabase } from '../test/database.js';
import { createApp } from './app.js';
import { openDatabase } from './db/connection.js';

let database: TestDatabase;
let assets: { embed: string; examples: string };

before(async () => {
  database = await createTestDatabase();
  const root = mkdtempSync(join(tmpdir(), 'mentoring-assets-'));
  assets = { embed: join(root, 'embed'), examples: join(root, 'examples') };
  mkdirSync(assets.embed);
  mkdirSync(join(assets.examples, 'teatro'), { recursive: true });
  writeFileSync(join(assets.embed, 'mentoring.js'), 'console.info("Mentoring widgets test")');
  writeFileSync(join(assets.examples, 'index.html'), '<!doctype html><title>Demo sites</title>');
  writeFileSync(join(assets.examples, 'teatro', 'index.html'), '<!doctype html><title>Teatro Cagnoni</title>');
  writeFileSync(join(root, 'secret.txt'), 'not for the web');
});

after(async () => {
  await database.close();
  rmSync(join(assets.embed, '..'), { recursive: true, force: true });
});

async function problem(response: Response) {
  assert.equal(response.headers.get('content-type'), 'application/problem+json');
  return (await response.json()) as Record<string, unknown>;
}

describe('GET /healthz', () => {
  it('answers 200 with the database kind when the database answers, never cached', async () => {
    const response = await createApp({ database, assets }).request('/healthz');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = (await response.json()) as { status: string; database: { status: string; kind: string } };
    assert.equal(body.status, 'ok');
    assert.deepEqual({ ...body.database, latency_ms: undefined }, { status: 'ok', kind: database.kind, latency_ms: undefined });
  });

  it('answers 503 problem+json when the database is down, so a load balancer takes the replica out', async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const down = await openDatabase({ url: 'postgres://postgres@127.0.0.1:1/mentoring', dataDir: '' });
    try {
      let response!: Response;
      await captureErrors(async () => (response = await createApp({ database: down, assets }).request('/healthz')));
      assert.equal(response.status, 503);
      const body = await problem(response);
      assert.equal(body.code, 'service_unavailable');
      assert.equal(body.detail, 'The database did not answer.');
    } finally {
      await down.close();
    }
  });

  it('answers 503 within its time limit when the database accepts connections but never replies', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const hung = await openDatabase({ url: `postgres://postgres@127.0.0.1:${port}/mentoring`, dataDir: '' });
    try {
      const started = performance.now();
      let response!: Response;
      await captureErrors(async () => (response = await createApp({ database: hung, assets }).request('/healthz')));
      assert.equal(response.status, 503);
      assert.ok(performance.now() - started < 4_000, 'a load balancer gets its answer, not a hang');
    } finally {
      await hung.sql.end({ timeout: 0 });
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('errors', () => {
  it('answers an unknown path with a 404 problem+json that carries the request id', async () => {
    const response = await createApp({ database, assets }).request('/nothing-here');
    assert.equal(response.status, 404);
    const body = await problem(response);
    assert.equal(body.type, 'urn:mentoring:problem:not_found');
    assert.equal(body.code, 'not_found');
    assert.equal(body.status, 404);
    assert.equal(body.request_id, response.headers.get('x-request-id'));
    assert.match(String(body.request_id), /^[0-9a-f-]{36}$/);
  });

  it('answers a method the path does not take with 405 and Allow, and an unknown one under a known path with 404', async () => {
    const app = createApp({ database, assets, services: { adminKey } });
    const headers = { Authorization: `Bearer ${adminKey}` };
    const wrongMethod = await app.request('/v1/redemptions/0190a6b2-5c3d-7e4f-8a1b-2c3d4e5f6a7b/capture', { headers });
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'OPTIONS, POST');
    const body = await problem(wrongMethod);
    assert.equal(body.code, 'method_not_allowed');
    assert.match(String(body.detail), /answers POST, not GET/);
    const collection = await app.request('/v1/vouchers', { method: 'DELETE', headers });
    assert.equal(collection.status, 405);
    assert.equal(collection.headers.get('allow'), 'GET, HEAD, OPTIONS, POST');
    const options = await app.request('/healthz', { method: 'OPTIONS' });
    assert.deepEqual([options.status, options.headers.get('allow')], [204, 'GET, HEAD, OPTIONS']);
    const keyless = await app.request('/v1/vouchers', { method: 'OPTIONS' });
    assert.deepEqual([keyless.status, keyless.headers.get('allow')], [204, 'GET, HEAD, OPTIONS, POST'], 'no key needed to ask');
    assert.equal((await app.request('/v1/vouchers/batch/nothing', { headers })).status, 404);
    assert.equal((await app.request('/embed/v1/redeem-voucher.js')).status, 404, 'a missing file under a static route');
  });

  it('keeps the request id a client sends, so a support question can quote it', async () => {
    const response = await createApp({ database, assets }).request('/healthz', {
      headers: { 'X-Request-Id': 'desk-vigevano-42' },
    });
    assert.equal(response.headers.get('x-request-id'), 'desk-vigevano-42');
  });

  it('answers an unexpected failure with a 500 that hides the internals and logs them', async () => {
    const app = createApp({ database, assets });
    app.get('/broken', () => {
      throw new Error('connection string postgres://secret@db');
    });
    let response!: Response;
    const logged = await captureErrors(async () => (response = await app.request('/broken')));
    assert.equal(response.status, 500);
    const text = await response.clone().text();
    assert.doesNotMatch(text, /secret/);
    assert.equal((await problem(response)).code, 'internal_error');
    assert.match(String(logged[0]?.[0]), /GET \/broken failed/);
  });
});

describe('static assets', () => {
  it('serves the embed script to any origin, with CORS for the chunks it imports', async () => {
    const response = await createApp({ database, assets }).request('/embed/v1/mentoring.js');
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /javascript/);
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.equal(response.headers.get('cross-origin-resource-policy'), 'cross-origin');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(await response.text(), 'console.info("Mentoring widgets test")');
  });

  it('answers a missing embed file with 404', async () => {
    const response = await createApp({ database, assets }).request('/embed/v1/redeem-voucher.js');
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('cache-control'), 'no-store');
  });

  it('serves the demo sites under /examples/, and sends / and /examples there', async () => {
    const app = createApp({ database, assets });
    const site = await app.request('/examples/teatro/');
    assert.equal(site.status, 200);
    assert.match(await site.text(), /Teatro Cagnoni/);
    assert.equal((await app.request('/examples')).headers.get('location'), '/examples/');
    assert.equal((await app.request('/')).headers.get('location'), '/examples/');
  });

  it('never serves a file outside the examples folder', async () => {
    const app = createApp({ database, assets });
    const paths = ['/examples/%2e%2e/secret.txt', '/examples/..%2fsecret.txt', '/examples/%2E%2E%2Fsecret.txt', '/examples/..\\secret.txt'];
    for (const path of paths) {
      const response = await app.request(path);
      assert.equal(response.status, 404, path);
    }
  });
});
