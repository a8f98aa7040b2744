import { z } from '@hono/zod-openapi';
import { invalidRequest } from '../http/router.js';
import { Problem } from '../problem.js';
import { verifySignature } from '../webhooks/signature.js';
import { paymentEventTypes, type PaymentEvent, type PaymentProvider, type PaymentRequest, type PaymentStart } from './provider.js';

export const bankTransferSignatureHeader = 'Mentoring-Payment-Signature';

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
    verifySignature(this.#secret, rawBody, headers.get(bankTransferSignatureHeader), now, bankTransferSignatureHeader);
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

/** ISO 13616: the country and check digits moved to the end, letters as numbers, mod 97 is 1. */
function isIban(compact: string): boolean {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(compact)) return false;
  const digits = (compact.slice(4) + compact.slice(0, 4)).replace(/[A-Z]/g, (letter) => String(letter.charCodeAt(0) - 55));
  let remainder = 0;
  for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  return remainder === 1;
}
