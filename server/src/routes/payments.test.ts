import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { fundPool, seedCircuit, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { derivedId } from '../ids.js';
import { defaultPaymentProviders } from '../payments/providers.js';

const webhookSecret = 'whsec_test_7K3Q9XPAW2DC5M8N4R6T0V1Y3Z5B7D9F';
const webhook = '/v1/payments/bank_transfer/webhook';

let api: TestApi;
let circuit: TestCircuit;
let mentor: TestOrganization;

before(async () => {
  api = await createTestApi({
    payments: defaultPaymentProviders({
      bankTransfer: { secret: webhookSecret, iban: 'IT60X0542811101000000123456', beneficiaryName: 'Circuito Cultura Vigevano APS' },
    }),
  });
  circuit = await seedCircuit(api);
  mentor = await createOrganization(api, 'mentor', { name: 'Fondazione Piacenza e Vigevano', by: circuit.operator.secretKey });
});
after(() => api.close());

/** A mentor's €`amount / 100` by bank transfer to a pool: pending, with the instructions for the bonifico. */
async function payByBankTransfer(amount: number, poolId = circuit.generalPoolId) {
  return assertOk(
    await call(api, 'POST', '/v1/sponsorships', {
      key: mentor.secretKey,
      body: { pool_id: poolId, amount, display_name: 'Fondazione Piacenza e Vigevano', payment_provider: 'bank_transfer' },
    }),
    201,
  );
}

/** The header the bank-reconciliation service signs a delivery with. */
function signature(body: string, { secret = webhookSecret, at = Date.now() } = {}): string {
  const timestamp = Math.floor(at / 1000);
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

let events = 0;
function bankEvent(type: string, paymentId: string, id = `evt_${++events}`): string {
  return JSON.stringify({ id, type, payment_id: paymentId });
}

function deliver(body: string, signed = signature(body)) {
  return call(api, 'POST', webhook, { body, headers: { 'Mentoring-Payment-Signature': signed } });
}

async function available(poolId = circuit.generalPoolId): Promise<bigint> {
  const [account] = await api.ledger.lookupAccounts([poolId]);
  return account!.available;
}

async function stateOf(sponsorshipId: string) {
  const [row] = await api.database.sql<{ status: string; events: number }[]>`
    select status, (select count(*) from payment_events where sponsorship_id = ${sponsorshipId})::int as events
    from sponsorships where id = ${sponsorshipId}`;
  return row!;
}

describe('a bank transfer', () => {
  it('stays pending with instructions for the bonifico, and funds the pool only when the bank confirms', async () => {
    const before = await available();
    const sponsorship = await payByBankTransfer(50_000);
    assert.equal(sponsorship.status, 'pending');
    assert.equal(sponsorship.payment_id, sponsorship.receipt_reference);
    assert.deepEqual(sponsorship.payment_instructions, {
      method: 'bank_transfer',
      iban: 'IT60 X054 2811 1010 0000 0123 456',
      account_holder: 'Circuito Cultura Vigevano APS',
      reference: sponsorship.receipt_reference,
    });
    assert.equal(await available(), before, 'nothing is funded before the money arrives');

    const received = assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    assert.deepEqual(received, { received: true });
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'succeeded', events: 1 });
    assert.equal(await available(), before + 50_000n);
    const read = assertOk(await call(api, 'GET', `/v1/sponsorships/${sponsorship.id}`, { key: mentor.secretKey }));
    assert.equal(read.status, 'succeeded');
    const log = assertOk(await call(api, 'GET', '/v1/audit_log?limit=100', { key: adminKey })).data;
    assert.deepEqual(
      log.filter((entry: { actor: string }) => entry.actor === 'payment_provider').map((entry: { action: string; status: number }) => [entry.action, entry.status]),
      [['POST /v1/payments/bank_transfer/webhook', 200]],
      'the bank confirmation is in the audit log',
    );
  });

  it('an event the bank sends twice is applied once', async () => {
    const sponsorship = await payByBankTransfer(20_000);
    const before = await available();
    const body = bankEvent('payment.succeeded', sponsorship.receipt_reference);
    assertOk(await deliver(body));
    assert.deepEqual(assertOk(await deliver(body)), { received: true });
    assert.equal(await available(), before + 20_000n);
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'succeeded', events: 1 });
  });

  it('the same success reported under two event ids funds the pool once', async () => {
    const sponsorship = await payByBankTransfer(4_000);
    const before = await available();
    assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'succeeded', events: 2 });
    assert.equal(await available(), before + 4_000n);
  });

  it('a failed transfer leaves nothing in the pool, and a success reported after it changes nothing', async () => {
    const sponsorship = await payByBankTransfer(15_000);
    const before = await available();
    assertOk(await deliver(bankEvent('payment.failed', sponsorship.receipt_reference)));
    assert.equal((await stateOf(sponsorship.id)).status, 'failed');
    assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'failed', events: 2 });
    assert.equal(await available(), before);
    assert.deepEqual(await api.ledger.lookupTransfers([derivedId(sponsorship.id, 'fund')]), []);
  });
});

describe('a signature the server does not trust', () => {
  it('a tampered body, a wrong secret, a stale or missing signature get 400 invalid_signature and change nothing', async () => {
    const sponsorship = await payByBankTransfer(30_000);
    const before = await available();
    const body = bankEvent('payment.succeeded', sponsorship.receipt_reference);
    const tampered = body.replace('"payment.succeeded"', '"payment.succeeded" ');
    const attempts = [
      deliver(tampered, signature(body)),
      deliver(body, signature(body, { secret: 'whsec_test_someone_else_000000000000000' })),
      deliver(body, signature(body, { at: Date.now() - 301_000 })),
      deliver(body, signature(body, { at: Date.now() + 301_000 })),
      deliver(body, 'v1=' + '0'.repeat(64)),
      call(api, 'POST', webhook, { body }),
    ];
    for (const attempt of attempts) assertProblem(await attempt, 400, 'invalid_signature');
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'pending', events: 0 });
    assert.equal(await available(), before);
  });

  it('accepts a delivery signed with the old and the new secret while the secret is rotated', async () => {
    const sponsorship = await payByBankTransfer(1_000);
    const body = bankEvent('payment.succeeded', sponsorship.receipt_reference);
    const [timestamp, current] = signature(body).split(',');
    const old = signature(body, { secret: 'whsec_test_the_previous_secret_0000000000' }).split(',')[1];
    assertOk(await deliver(body, `${timestamp},${old},${current}`));
    assert.equal((await stateOf(sponsorship.id)).status, 'succeeded');
  });

  it('a signed body that is not an event gets 400 invalid_request', async () => {
    const body = JSON.stringify({ id: 'evt_x', type: 'payment.disputed', payment_id: 'SP-0000-0000' });
    const refused = assertProblem(await deliver(body), 400, 'invalid_request');
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['type']);
  });
});

describe('a refund', () => {
  it('takes the money back out of the pool', async () => {
    const sponsorship = await payByBankTransfer(12_000);
    assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    const funded = await available();
    assertOk(await deliver(bankEvent('payment.refunded', sponsorship.receipt_reference)));
    assert.equal(await available(), funded - 12_000n);
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'refunded', events: 2 });
    const [refund] = await api.ledger.lookupTransfers([derivedId(sponsorship.id, 'refund')]);
    assert.equal(refund?.code, 'REFUND');
    assert.equal(refund?.amount, 12_000n);
  });

  it('the pool cannot cover once the money became vouchers: 409 and no change, until the operator covers it', async () => {
    const town = await seedCircuit(api, { name: 'Mortara' });
    const sponsorship = await payByBankTransfer(10_000, town.generalPoolId);
    assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    const school = await seedReferrer(api, town);
    await seedVoucher(api, town, school, { amount: 8_000n });
    const refund = bankEvent('payment.refunded', sponsorship.receipt_reference);
    const refused = assertProblem(await deliver(refund), 409, 'insufficient_funds');
    assert.match(refused.detail, /issued as vouchers/);
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'succeeded', events: 1 });
    assert.equal(await available(town.generalPoolId), 2_000n);

    await fundPool(api, town.generalPoolId, 8_000n);
    assertOk(await deliver(refund));
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'refunded', events: 2 });
    assert.equal(await available(town.generalPoolId), 0n);
  });

  it('a refund that overtakes its success leaves the sponsorship refunded with nothing in the pool', async () => {
    const sponsorship = await payByBankTransfer(7_000);
    const before = await available();
    assertOk(await deliver(bankEvent('payment.refunded', sponsorship.receipt_reference)));
    assertOk(await deliver(bankEvent('payment.succeeded', sponsorship.receipt_reference)));
    assert.deepEqual(await stateOf(sponsorship.id), { status: 'refunded', events: 2 });
    assert.equal(await available(), before);
  });
});

describe('webhooks that reach no payment', () => {
  it('an unknown provider, the test provider (no webhooks) or an unknown payment get 404', async () => {
    const body = bankEvent('payment.succeeded', 'SP-0000-0000');
    for (const provider of ['stripe', 'test']) {
      const result = await call(api, 'POST', `/v1/payments/${provider}/webhook`, { body, headers: { 'Mentoring-Payment-Signature': signature(body) } });
      assertProblem(result, 404, 'not_found');
    }
    assertProblem(await deliver(body), 404, 'not_found');
  });
});
