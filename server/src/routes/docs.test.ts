import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../test/api.js';

let api: TestApi;
before(async () => {
  api = await createTestApi();
});
after(() => api.close());

/** The endpoints DESIGN §3 names: a contract for widgets, partners and tests. */
const contract = [
  'post /v1/organizations',
  'post /v1/circuits',
  'post /v1/pools',
  'post /v1/offers',
  'post /v1/campaigns',
  'post /v1/sponsorships',
  'post /v1/payments/{provider}/webhook',
  'post /v1/beneficiaries',
  'post /v1/vouchers',
  'post /v1/vouchers/batch',
  'post /v1/vouchers/check',
  'post /v1/redemptions',
  'post /v1/redemptions/{id}/capture',
  'post /v1/redemptions/{id}/void',
  'post /v1/redemptions/{id}/reverse',
  'post /v1/settlements',
  'get /v1/settlements/{id}',
  'get /v1/settlements/{id}.csv',
  'get /v1/public/campaigns/{id}',
  'get /v1/ledger/reconciliation',
];

describe('the API describes itself', () => {
  it('GET /openapi.json is OpenAPI 3.1 with every endpoint of the contract', async () => {
    const response = await api.app.request('/openapi.json');
    assert.equal(response.status, 200);
    const document = (await response.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(document.openapi, '3.1.0');
    const present = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    const missing = contract.filter((endpoint) => !present.includes(endpoint));
    assert.deepEqual(missing, []);
    assert.ok(present.some((endpoint) => endpoint.startsWith('get /v1/public/badges/')), 'the public badges');
  });

  it('GET /docs is a page a developer can read, without scripts', async () => {
    const response = await api.app.request('/docs');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/html/);
    assert.match(response.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    const html = await response.text();
    assert.match(html, /<code>\/v1\/redemptions<\/code>/);
    assert.match(html, /Idempotency-Key/);
    // What a success answers, field by field: a capture tells what the voucher has left.
    assert.match(html, /<b>200<\/b> The captured redemption <code>RedemptionWithBalance<\/code><table>.*<code>voucher_available<\/code>/s);
    assert.doesNotMatch(html, /<script/);
  });
});
