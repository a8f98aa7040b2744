import { createRoute, z } from '@hono/zod-openapi';
import type { Services } from '../http/context.js';
import { apiRouter, jsonResponse, problems } from '../http/router.js';
import { retryTransaction } from '../ledger/ledger.js';
import { bankTransferEventSchema, bankTransferSignatureHeader } from '../payments/bank-transfer.js';
import type { PaymentEvent } from '../payments/provider.js';
import { recordPayment, type SponsorshipRow, type SponsorshipStatus } from '../payments/sponsorship-payments.js';
import { Problem } from '../problem.js';
import { signatureToleranceSeconds } from '../webhooks/signature.js';

const statusAfter: Record<PaymentEvent['type'], SponsorshipStatus> = {
  'payment.succeeded': 'succeeded',
  'payment.failed': 'failed',
  'payment.refunded': 'refunded',
};

const receiptSchema = z.object({ received: z.literal(true) }).openapi('WebhookReceipt');

/**
 * Payment webhooks: a provider tells us a payment succeeded, failed or was refunded. The event,
 * its record in payment_events and its money commit in one transaction, so a provider resending
 * an event (or sending it to two replicas at once) changes nothing the second time.
 */
export function paymentRoutes({ sql, ledger, payments }: Services) {
  const app = apiRouter();
  app.openAPIRegistry.register('BankTransferEvent', bankTransferEventSchema);

  app.openapi(
    createRoute({
      method: 'post',
      path: '/payments/{provider}/webhook',
      tags: ['Payments'],
      summary: "A payment provider's signed event",
      description:
        'No API key: the provider signs the raw body. bank_transfer sends `' +
        bankTransferSignatureHeader +
        ': t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`, ' +
        `at most ${signatureToleranceSeconds} seconds old. \`payment.succeeded\` funds the pool of a pending sponsorship; ` +
        '`payment.failed` closes a pending one without money; `payment.refunded` takes the money back out of the pool. ' +
        'A refund the pool can no longer cover (already issued as vouchers) answers 409 and changes nothing, so the ' +
        'provider retries later. An event already applied answers 200 again.',
      request: {
        params: z.object({ provider: z.string().min(1).max(40).openapi({ example: 'bank_transfer' }) }),
        // A reference, not the zod schema: the signature covers the raw bytes, which a validator would consume first.
        body: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/BankTransferEvent' } } } },
      },
      responses: {
        200: jsonResponse(receiptSchema, 'Applied, or applied before'),
        ...problems(400, 404, 409),
      },
    }),
    async (c) => {
      const name = c.req.valid('param').provider;
      const provider = payments.get(name);
      if (provider?.parseWebhook === undefined) {
        throw new Problem(404, 'not_found', 'No such payment provider', `No payment provider ${name} sends webhooks to this server.`);
      }
      const event = provider.parseWebhook(await c.req.text(), c.req.raw.headers, new Date());
      await retryTransaction(() =>
        sql.begin(async (tx) => {
          const [sponsorship] = await tx<SponsorshipRow[]>`
            select * from sponsorships where payment_provider = ${provider.name} and payment_id = ${event.paymentId} for update`;
          if (sponsorship === undefined) {
            throw new Problem(404, 'not_found', 'No such payment', `No sponsorship is paid by ${name} payment ${event.paymentId}.`);
          }
          const [fresh] = await tx`
            insert into payment_events (payment_provider, event_id, sponsorship_id, type)
            values (${provider.name}, ${event.id}, ${sponsorship.id}, ${event.type})
            on conflict (payment_provider, event_id) do nothing returning event_id`;
          if (fresh !== undefined) await recordPayment(tx, ledger, sponsorship, { status: statusAfter[event.type] });
        }),
      );
      return c.json({ received: true as const }, 200);
    },
  );

  return app;
}
