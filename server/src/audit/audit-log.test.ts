import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';

let api: TestApi;
let circuit: TestCircuit;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 1_000_000n });
});
after(() => api.close());

interface Entry {
  actor: string;
  key_id: string | null;
  organization_id: string | null;
  action: string;
  object_id: string | null;
  status: number;
  problem_code: string | null;
  request_id: string;
}

async function auditLog(key: string, query = ''): Promise<Entry[]> {
  return assertOk(await call(api, 'GET', `/v1/audit_log?limit=100${query}`, { key })).data;
}

/** The id of the organization's first key of `kind`, as its operator lists them. */
async function keyId(organizationId: string, kind: string): Promise<string> {
  const keys = assertOk(await call(api, 'GET', `/v1/organizations/${organizationId}/keys`, { key: adminKey }));
  return keys.data.find((key: { kind: string }) => key.kind === kind).id;
}

describe('the audit log', () => {
  it('records who made what, in which request, and who was refused and why', async () => {
    const made = await call(api, 'POST', '/v1/organizations', {
      key: circuit.operator.secretKey,
      body: { kind: 'provider', name: 'Teatro Cagnoni' },
      headers: { 'X-Request-Id': 'req-theatre-registration' },
    });
    const theatre = assertOk(made, 201);
    assertProblem(
      await call(api, 'POST', '/v1/settlements', {
        key: circuit.operator.secretKey,
        body: { provider_id: theatre.id, period_end: '2999-01-01T00:00:00Z' },
      }),
      400,
      'invalid_request',
    );
    const entries = await auditLog(circuit.operator.secretKey, `&key_id=${await keyId(circuit.operator.id, 'secret')}`);
    const registration = entries.find((entry) => entry.request_id === 'req-theatre-registration');
    assert.deepEqual(registration && { ...registration, id: undefined, created_at: undefined }, {
      id: undefined,
      object: 'audit_entry',
      created_at: undefined,
      request_id: 'req-theatre-registration',
      actor: 'key',
      key_id: await keyId(circuit.operator.id, 'secret'),
      organization_id: circuit.operator.id,
      action: 'POST /v1/organizations',
      object_id: theatre.id,
      status: 201,
      problem_code: null,
      detail: null,
    });
    const refusal = entries.at(-1)!;
    assert.deepEqual([refusal.action, refusal.status, refusal.problem_code], ['POST /v1/settlements', 400, 'invalid_request']);
  });

  it("follows a booking at the box office, wrong PIN included, under the desk key's id", async () => {
    const theatre = await seedProvider(api, circuit, { name: 'Teatro Fraschini' });
    const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
    const offer = await seedOffer(api, circuit, theatre.id);
    const voucher = await seedVoucher(api, circuit, await seedReferrer(api, circuit));
    const wrongPin = voucher.pin === '000000' ? '111111' : '000000';
    assertProblem(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: wrongPin, offer_id: offer.id, seats: 1 } }), 422, 'wrong_pin');
    const booking = assertOk(
      await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: false } }),
      201,
    );
    assertOk(await call(api, 'POST', `/v1/redemptions/${booking.id}/capture`, { key: desk, body: {} }));
    const deskId = await keyId(theatre.id, 'desk');
    const entries = await auditLog(circuit.operator.secretKey, `&key_id=${deskId}`);
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.object_id, entry.status, entry.problem_code]),
      [
        ['POST /v1/redemptions', null, 422, 'wrong_pin'],
        ['POST /v1/redemptions', booking.id, 201, null],
        ['POST /v1/redemptions/{id}/capture', booking.id, 200, null],
      ],
    );
    assert.deepEqual(
      (await auditLog(circuit.operator.secretKey, `&object_id=${booking.id}`)).map((entry) => entry.action),
      ['POST /v1/redemptions', 'POST /v1/redemptions/{id}/capture'],
    );
  });

  it('records a request replayed from its Idempotency-Key once', async () => {
    const headers = { 'Idempotency-Key': 'register-the-museum' };
    const body = { kind: 'provider', name: 'Museo della Calzatura' };
    const first = assertOk(await call(api, 'POST', '/v1/organizations', { key: circuit.operator.secretKey, body, headers }), 201);
    const replay = await call(api, 'POST', '/v1/organizations', { key: circuit.operator.secretKey, body, headers });
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal((await auditLog(adminKey, `&object_id=${first.id}`)).length, 1);
    // The replay names no object: only its request id could find an entry of its own.
    const [entries] = await api.database.sql<{ count: number }[]>`
      select count(*)::int as count from audit_log where request_id = ${replay.headers.get('x-request-id')!}`;
    assert.equal(entries!.count, 0);
  });

  it("is read by an operator for its own organizations, not another's; the admin reads it all", async () => {
    const pavia = await seedCircuit(api, { name: 'Pavia' });
    const school = await seedReferrer(api, pavia, { name: 'Liceo Foscolo' });
    const ours = await auditLog(circuit.operator.secretKey);
    const theirs = await auditLog(pavia.operator.secretKey);
    assert.ok(ours.length > 0 && theirs.length > 0);
    assert.ok(theirs.some((entry) => entry.organization_id === pavia.operator.id));
    assert.equal(ours.some((entry) => entry.organization_id === pavia.operator.id || entry.object_id === school.id), false);
    assert.ok((await auditLog(adminKey, `&object_id=${school.id}`)).length > 0);
    assertProblem(await call(api, 'GET', '/v1/audit_log', { key: school.secretKey }), 403, 'forbidden');
  });

  it('is append-only: the database refuses to change or delete an entry', async () => {
    await assert.rejects(api.database.sql`update audit_log set status = 200`, /append-only/);
    await assert.rejects(api.database.sql`delete from audit_log`, /append-only/);
  });
});
