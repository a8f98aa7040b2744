import type { KeyMode } from '../auth/keys.js';

/** A payment to start for a sponsorship. */
export interface PaymentRequest {
  sponsorshipId: string;
  /** The sponsorship's receipt reference (SP-7K3Q-9XPA): what a bank transfer's "causale" carries. */
  reference: string;
  amount: bigint;
  currency: string;
  mode: KeyMode;
  /** Shown on the mentor's statement or receipt, e.g. "Mentoring · 2 seats · La locandiera". */
  description: string;
  /** A provider-specific payment method (a card token, or `test_fail` for the test provider); most take none. */
  paymentMethod?: string | undefined;
}

/** What starting a payment gave: money now (the test provider), later by webhook, or a refusal. */
export type PaymentStart =
  | { status: 'succeeded'; paymentId: string }
  | { status: 'pending'; paymentId: string; instructions: Record<string, string> }
  | { status: 'failed'; reason: string };

export const paymentEventTypes = ['payment.succeeded', 'payment.failed', 'payment.refunded'] as const;

/** A provider's webhook event, once its signature checked out. */
export interface PaymentEvent {
  /** The provider's event id: an event applied once is never applied again. */
  id: string;
  type: (typeof paymentEventTypes)[number];
  /** The provider's id of the payment, as `start` returned it. */
  paymentId: string;
}

/**
 * A way to take a mentor's money. Only a confirmed payment funds a pool: `start` returns
 * `succeeded` at once (the test provider) or `pending`, and the provider confirms by a signed
 * webhook that `parseWebhook` verifies. The payment id `start` returns depends on the request
 * alone, so starting the same sponsorship again names the same payment.
 */
export interface PaymentProvider {
  readonly name: string;
  /** The key modes it serves: the test provider only test keys. */
  readonly modes: readonly KeyMode[];
  start(request: PaymentRequest): Promise<PaymentStart>;
  /** Checks the signature (and its age) of a webhook and reads its event; throws a Problem otherwise. Absent: no webhooks. */
  parseWebhook?(rawBody: string, headers: Headers, now: Date): PaymentEvent;
}

export type PaymentProviders = ReadonlyMap<string, PaymentProvider>;
