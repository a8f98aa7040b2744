import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BankTransferProvider } from './bank-transfer.js';
import { defaultPaymentProviders } from './providers.js';

const bankTransfer = { secret: 'whsec_test_7K3Q9XPAW2DC5M8N4R6T0V1Y3Z5B7D9F', iban: 'IT60X0542811101000000123456', beneficiaryName: 'Circuito Cultura Vigevano APS' };
const request = { sponsorshipId: '0190d5e2-0000-7000-8000-000000000001', reference: 'SP-7K3Q-9XPA', amount: 1500n, currency: 'EUR', mode: 'test', description: 'Mentoring' } as const;

describe('payment providers', () => {
  it('a server offers the test provider, and bank_transfer once it is configured', () => {
    assert.deepEqual([...defaultPaymentProviders().keys()], ['test']);
    assert.deepEqual([...defaultPaymentProviders({ bankTransfer }).keys()], ['test', 'bank_transfer']);
  });

  it('the test provider succeeds at once with the same payment id on a retry, and declines test_fail', async () => {
    const test = defaultPaymentProviders().get('test')!;
    assert.deepEqual(test.modes, ['test']);
    const first = await test.start(request);
    assert.equal(first.status, 'succeeded');
    assert.deepEqual(await test.start(request), first);
    assert.equal((await test.start({ ...request, paymentMethod: 'test_fail' })).status, 'failed');
  });

  it('a misconfigured bank transfer stops the server at start, not at the first mentor', () => {
    assert.throws(() => new BankTransferProvider({ ...bankTransfer, iban: 'IT61X0542811101000000123456' }), /not a valid IBAN/);
    assert.throws(() => new BankTransferProvider({ ...bankTransfer, secret: 'short' }), /at least 32 characters/);
    assert.throws(() => new BankTransferProvider({ ...bankTransfer, beneficiaryName: ' ' }), /account holder/);
    assert.doesNotThrow(() => new BankTransferProvider({ ...bankTransfer, iban: 'it60 x054 2811 1010 0000 0123 456' }));
  });
});
