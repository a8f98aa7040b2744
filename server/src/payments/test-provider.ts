import type { PaymentProvider, PaymentRequest, PaymentStart } from './provider.js';

/** The payment method that makes the test provider decline, so a partner site can try its failure path. */
export const declinedTestPaymentMethod = 'test_fail';

/**
 * The built-in `test` provider: no money, no webhooks, test keys only. A payment succeeds at once,
 * unless its `payment_method` is `test_fail`, which declines it (like a test card number would).
 */
export class TestPaymentProvider implements PaymentProvider {
  readonly name = 'test';
  readonly modes = ['test'] as const;

  async start(request: PaymentRequest): Promise<PaymentStart> {
    if (request.paymentMethod === declinedTestPaymentMethod) {
      return { status: 'failed', reason: `The test payment method ${declinedTestPaymentMethod} is always declined.` };
    }
    return { status: 'succeeded', paymentId: `test_${request.sponsorshipId}` };
  }
}
