import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from '@hono/zod-openapi';
import { invalidRequest } from '../http/router.js';
import { Problem } from '../problem.js';
import { paymentEventTypes, type PaymentEvent, type PaymentProvider, type PaymentRequest, type PaymentStart } from './provider.js';

export const bankTransferSignatureHeader = 'Mentoring-Payment-Signature';
/** How far a webhook's signing time may be from now: a captured request cannot be replayed later. */
export const signatureToleranceSeconds = 300;

/** What the bank-reconciliation service sends once it matched (or lost) a transfer. */
export const bankTransferEventSchema = z
  .object({
    id: z.string().min(1).max(200).openapi({ description: 'The event id; an event is applied once.', example: 'evt_2024_0412_0007' }),
    type: z.enum(paymentEventTypes),
    payment_id: z
      .string()
      .min(1)
      .max(200)
      .openapi({ description: "The sponsorship's receipt reference, read from the transfer's causale.", example: 'SP-7K3Q-9XPA' }),
  })
  .openapi('BankTransferEvent');

export interface BankTransferOptions {
  /** Shared with the bank-reconciliation service, which signs its webhooks with it. */
  secret: string;
  /** The account mentors transfer to. */
  iban: string;
  /** The holder of that account, as the bank knows it. */
  beneficiaryName: string;
}

/**
 * A "bonifico": the mentor transfers the amount to the circuit's account with the receipt
 * reference in the causale. Nothing happens at start but instructions; the bank-reconciliation
 * service matches incoming transfers by that reference and tells us by a signed webhook. It sends
 * `payment.succeeded` only once the whole amount arrived. Test and live keys alike.
 */
export class BankTransferProvider implements PaymentProvider {
  readonly name = 'bank_transfer';
  readonly modes = ['test', 'live'] as const;
  readonly #secret: string;
  readonly #iban: string;
  readonly #beneficiaryName: string;

  constructor({ secret, iban, beneficiaryName }: BankTransferOptions) {
    if (secret.length < 32) throw new Error('the bank transfer webhook secret must be at least 32 characters long');
    const compact = iban.replace(/\s+/g, '').toUpperCase();
    if (!isIban(compact)) throw new Error(`${iban} is not a valid IBAN`);
    if (beneficiaryName.trim() === '') throw new Error('the bank transfer needs the name of the account holder');
    this.#secret = secret;
    this.#iban = compact.replace(/(.{4})(?!$)/g, '$1 ');
    this.#beneficiaryName = beneficiaryName.trim();
  }

  async start(request: PaymentRequest): Promise<PaymentStart> {
    return {
      status: 'pending',
      paymentId: request.reference,
      instructions: {
        method: 'bank_transfer',
        iban: this.#iban,
        account_holder: this.#beneficiaryName,
        reference: request.reference,
      },
    };
  }

  parseWebhook(rawBody: string, headers: Headers, now: Date): PaymentEvent {
    verifySignature(this.#secret, rawBody, headers.get(bankTransferSignatureHeader), now);
    let json: unknown;
    try {
      json = JSON.parse(rawBody);
    } catch {
      throw new Problem(400, 'invalid_request', 'Malformed JSON', 'The webhook body is not JSON.');
    }
    const parsed = bankTransferEventSchema.safeParse(json);
    if (!parsed.success) throw invalidRequest(parsed.error);
    return { id: parsed.data.id, type: parsed.data.type, paymentId: parsed.data.payment_id };
  }
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, with several `v1` while a
 * secret is being rotated. Compared in constant time; a stale or future `t` is refused.
 */
function verifySignature(secret: string, rawBody: string, header: string | null, now: Date): void {
  if (header === null) throw invalidSignature(`No ${bankTransferSignatureHeader} header.`);
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = value;
    if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw invalidSignature(`${bankTransferSignatureHeader} must be t=<unix seconds>,v1=<hex HMAC-SHA256>.`);
  }
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > signatureToleranceSeconds) {
    throw invalidSignature(`The signature is more than ${signatureToleranceSeconds} seconds old or ahead; sign each delivery when sending it.`);
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest();
  if (!signatures.some((signature) => timingSafeEqual(signature, expected))) {
    throw invalidSignature('No v1 signature matches this body and timestamp.');
  }
}

function invalidSignature(detail: string): Problem {
  return new Problem(400, 'invalid_signature', 'Invalid webhook signature', detail);
}

/** ISO 13616: the country and check digits moved to the end, letters as numbers, mod 97 is 1. */
function isIban(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const digits = (compact.slice(4) + compact.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}
