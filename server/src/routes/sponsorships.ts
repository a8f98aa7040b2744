import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { KeyMode } from '../auth/keys.js';
import type { Queryable } from '../db/connection.js';
import type { Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems, problemSchema } from '../http/router.js';
import { minorUnits } from '../http/schemas.js';
import { humanReference, newId } from '../ids.js';
import { maxAmount, retryTransaction } from '../ledger/ledger.js';
import type { PaymentProvider, PaymentProviders } from '../payments/provider.js';
import { declinedTestPaymentMethod } from '../payments/test-provider.js';
import { recordPayment, sponsorshipJson, sponsorshipStatuses, type PaymentChange, type SponsorshipRow } from '../payments/sponsorship-payments.js';
import { adoptionHoldDays, minimumGift, reserveAdoption } from '../needs/needs.js';
import { Problem } from '../problem.js';

/** The most seats one sponsorship funds, as the sponsorships table allows. */
export const maxSeatsPerSponsorship = 10_000;

const sponsorshipSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('sponsorship'),
    status: z.enum(sponsorshipStatuses).openapi({ description: 'Only a succeeded sponsorship has funded its pool.' }),
    campaign_id: z.uuid().nullable(),
    need_id: z.uuid().nullable().openapi({ description: 'The need it adopts, on the needs board.' }),
    pool_id: z.uuid(),
    mentor_id: z.uuid().nullable().openapi({ description: "The mentor whose secret key made it; null from a partner site's widget." }),
    seats: z.number().int().nullable(),
    amount: z.number().int().openapi({ description: 'In cents: seats × the campaign seat price, or the amount given.' }),
    currency: z.string(),
    display_name: z.string().nullable(),
    anonymous: z.boolean(),
    message: z.string().nullable(),
    mode: z.enum(['test', 'live']),
    payment_provider: z.string(),
    payment_id: z.string().nullable().openapi({ description: "The provider's id of the payment, once it has one." }),
    receipt_reference: z.string().openapi({ example: 'SP-7K3Q-9XPA' }),
    reserved_until: z.iso.datetime().nullable().openapi({
      description:
        `A need's adoption waiting for its payment keeps its part of the need until then (${adoptionHoldDays} days, ` +
        "never past the need's deadline); paid later, it still funds the need. Null for any other sponsorship, and once paid.",
    }),
    created_at: z.iso.datetime(),
    succeeded_at: z.iso.datetime().nullable(),
    failed_at: z.iso.datetime().nullable(),
    refunded_at: z.iso.datetime().nullable(),
  })
  .openapi('Sponsorship');

const createdSponsorshipSchema = sponsorshipSchema
  .extend({
    payment_instructions: z
      .record(z.string(), z.string())
      .nullable()
      .openapi({
        description: 'For a pending payment, what the mentor does to pay: for bank_transfer the IBAN, the account holder and the reference for the causale.',
        example: { method: 'bank_transfer', iban: 'IT60 X054 2811 1010 0000 0123 456', account_holder: 'Circuito Cultura Vigevano', reference: 'SP-7K3Q-9XPA' },
      }),
  })
  .openapi('CreatedSponsorship');

const newSponsorshipSchema = z
  .strictObject({
    campaign_id: z.uuid().optional().openapi({ description: "A campaign: the money goes to the campaign's pool." }),
    pool_id: z.uuid().optional().openapi({ description: "A pool, e.g. a circuit's general pool. Give campaign_id, pool_id or need_id." }),
    need_id: z.uuid().optional().openapi({
      description: "Adopt a need of the needs board, in full or in part: the money goes to the need's pool. Never more than it has left.",
    }),
    seats: z
      .number()
      .int()
      .min(1)
      .max(maxSeatsPerSponsorship)
      .optional()
      .openapi({ description: "Seats at the campaign's or the need's seat price (campaigns and needs only)." }),
    amount: minorUnits.optional().openapi({
      description: `An amount in cents, at least ${minimumGift} (or exactly what a need has left). Give seats or amount.`,
    }),
    display_name: z.string().trim().min(1).max(100).optional().openapi({ description: 'How the mentor is thanked in public.' }),
    anonymous: z.boolean().default(false).openapi({ description: 'Thanked without a name; no display_name then.' }),
    message: z.string().trim().min(1).max(500).optional(),
    payment_provider: z.string().min(1).max(40).optional().openapi({
      description: '`test` (test keys only; the default with test keys) or a configured provider such as `bank_transfer`.',
    }),
    payment_method: z.string().min(1).max(200).optional().openapi({
      description: `Provider-specific. The test provider declines \`${declinedTestPaymentMethod}\`, to try a failed payment; bank_transfer takes none.`,
    }),
  })
  .superRefine((body, context) => {
    if ([body.campaign_id, body.pool_id, body.need_id].filter((id) => id !== undefined).length !== 1) {
      context.addIssue({ code: 'custom', path: ['campaign_id'], message: 'give exactly one of campaign_id, pool_id and need_id' });
    }
    if ((body.seats === undefined) === (body.amount === undefined)) {
      context.addIssue({ code: 'custom', path: ['seats'], message: 'give exactly one of seats and amount' });
    }
    if (body.seats !== undefined && body.campaign_id === undefined && body.need_id === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['seats'],
        message: 'seats are priced by a campaign or a need: give campaign_id or need_id, or an amount for a pool',
      });
    }
    // At least a euro, as the widgets ask: cents cost more to pay than they give. A need's last cents are
    // checked against what it has left (reserveAdoption).
    if (body.amount !== undefined && body.amount < minimumGift && body.need_id === undefined) {
      context.addIssue({ code: 'custom', path: ['amount'], message: `at least ${minimumGift} cents (1.00)` });
    }
    if (body.anonymous && body.display_name !== undefined) {
      context.addIssue({ code: 'custom', path: ['display_name'], message: 'an anonymous sponsorship has no display name' });
    }
  })
  .openapi('NewSponsorship');

const listQuery = pageQuery.extend({
  campaign_id: z.uuid().optional(),
  need_id: z.uuid().optional(),
  status: z.enum(sponsorshipStatuses).optional(),
});

const idParam = z.object({ id: z.uuid() });

/** A campaign's, a need's or a pool's: where the money goes and at what seat price. */
interface TargetRow {
  pool_id: string;
  pool_name: string;
  pool_kind: string;
  currency: string;
  campaign_id: string | null;
  campaign_title: string | null;
  need_id: string | null;
  need_title: string | null;
  seat_price: bigint | null;
  deadline: Date | null;
}

/**
 * Sponsorships: a mentor's money for a campaign or a pool. It funds the pool only once its
 * payment succeeded (at once with the test provider, by a webhook for a bank transfer).
 *
 * A process that dies part-way leaves nothing wrong behind. Before the payment's outcome is
 * recorded, the sponsorship is `pending` without a payment id: no pool was funded, and neither
 * built-in provider took money (the bank details were never shown), so it simply stays unpaid.
 * The outcome, the status and the FUND transfer commit in one transaction (recordPayment), the
 * transfer's id derived from the sponsorship's: a webhook reporting the same success later finds
 * it instead of funding twice.
 */
export function sponsorshipRoutes({ sql, ledger, payments }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/sponsorships',
      tags: ['Sponsorships'],
      summary: 'Sponsor seats of a campaign, adopt a need, or give to a pool',
      description:
        "With a partner site's publishable key (the sponsor-seat widget) or a mentor's secret key. The payment starts " +
        'at once: `succeeded` funds the pool now; `pending` (a bank transfer) comes with payment instructions and funds ' +
        'the pool when the provider confirms by webhook; a declined payment answers 402 `payment_failed`. ' +
        'A campaign past its deadline takes no more sponsorships. A need is adopted while it is open, and never for more than ' +
        'it has left, counting adoptions still waiting for their payment (409 `exceeds_need`, with `open_amount`).',
      security: bearer,
      request: { body: jsonBody(newSponsorshipSchema) },
      responses: {
        201: jsonResponse(createdSponsorshipSchema, 'The sponsorship, succeeded or pending'),
        402: {
          description: 'Payment declined (`payment_failed`, with `sponsorship_id`); the sponsorship is recorded as failed',
          content: { 'application/problem+json': { schema: problemSchema } },
        },
        ...problems(400, 401, 403, 404, 409),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const publishable = principal.type === 'key' && principal.keyKind === 'publishable';
      const organization = requireAccess(
        principal,
        publishable ? { organizations: ['provider', 'mentor', 'referrer', 'operator'], keys: ['publishable'] } : { organizations: ['mentor'] },
      );
      const body = c.req.valid('json');
      const provider = paymentProviderFor(payments, body.payment_provider, principal.mode);

      const [target] = await sql<TargetRow[]>`
        select p.id as pool_id, p.name as pool_name, p.kind as pool_kind, p.currency, c.id as campaign_id,
               c.title->>'it' as campaign_title, n.id as need_id, coalesce(n.title->>'it', n.title->>'en', n.title->>'sq') as need_title,
               coalesce(c.seat_price, n.amount / n.seats) as seat_price, c.deadline
        from pools p left join campaigns c on c.pool_id = p.id left join needs n on n.pool_id = p.id
        where ${
          body.campaign_id !== undefined ? sql`c.id = ${body.campaign_id}` : body.need_id !== undefined ? sql`n.id = ${body.need_id}` : sql`p.id = ${body.pool_id!}`
        }`;
      if (target === undefined) {
        const [what, id] =
          body.campaign_id !== undefined ? ['campaign', body.campaign_id] : body.need_id !== undefined ? ['need', body.need_id] : ['pool', body.pool_id];
        throw new Problem(404, 'not_found', `No such ${what}`, `No ${what} ${id}.`);
      }
      if (body.pool_id !== undefined && target.pool_kind === 'need') {
        // Straight into the pool, a gift would pass the need's check against over-funding.
        throw new Problem(409, 'conflict', "A need's pool", `Pool ${target.pool_id} is a need's: adopt it with need_id ${target.need_id}.`);
      }
      if (target.deadline !== null && target.deadline.getTime() <= Date.now()) {
        throw new Problem(409, 'conflict', 'Campaign closed', `This campaign took sponsorships until ${target.deadline.toISOString()}.`);
      }
      const amount = body.seats === undefined ? BigInt(body.amount!) : target.seat_price! * BigInt(body.seats);
      if (amount > maxAmount) {
        throw new Problem(400, 'invalid_request', 'Amount too large', `One sponsorship moves at most ${maxAmount} cents.`, [
          { path: 'seats', message: 'too many seats for one sponsorship' },
        ]);
      }

      const values = {
        id: newId(),
        campaign_id: target.campaign_id,
        need_id: target.need_id,
        pool_id: target.pool_id,
        mentor_id: publishable ? null : (organization?.id ?? null),
        key_id: principal.type === 'key' ? principal.id : null,
        seats: body.seats ?? null,
        amount,
        currency: target.currency,
        display_name: body.display_name ?? null,
        anonymous: body.anonymous,
        message: body.message ?? null,
        mode: principal.mode,
        payment_provider: provider.name,
        reserved_until: null,
      };
      const sponsorship =
        target.need_id === null
          ? await insertSponsorship(sql, values)
          : await retryTransaction(() =>
              sql.begin(async (tx) => {
                const reservedUntil = await reserveAdoption(tx, target.need_id!, amount, { byAmount: body.amount !== undefined });
                return insertSponsorship(tx, { ...values, reserved_until: reservedUntil });
              }),
            );
      const started = await provider.start({
        sponsorshipId: sponsorship.id,
        reference: sponsorship.receipt_reference,
        amount,
        currency: target.currency,
        mode: principal.mode,
        description: `Mentoring · ${paymentDescription(target, body.seats)}`,
        paymentMethod: body.payment_method,
      });
      const change: PaymentChange = started.status === 'failed' ? { status: 'failed' } : { status: started.status, paymentId: started.paymentId };
      const row = await retryTransaction(() =>
        sql.begin(async (tx) => {
          const [locked] = await tx<SponsorshipRow[]>`select * from sponsorships where id = ${sponsorship.id} for update`;
          return recordPayment(tx, ledger, locked!, change);
        }),
      );
      if (started.status === 'failed') {
        throw new Problem(402, 'payment_failed', 'Payment declined', started.reason, undefined, {
          extensions: { sponsorship_id: row.id, receipt_reference: row.receipt_reference },
        });
      }
      return c.json({ ...sponsorshipJson(row), payment_instructions: started.status === 'pending' ? started.instructions : null }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sponsorships/{id}',
      tags: ['Sponsorships'],
      summary: 'Retrieve a sponsorship',
      description: 'For the mentor who made it, the operator of its circuit, or the admin.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(sponsorshipSchema, 'The sponsorship'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['mentor', 'operator'] });
      const id = c.req.valid('param').id;
      const [row] = await sql<(SponsorshipRow & { operator_id: string })[]>`
        select s.*, ci.operator_id
        from sponsorships s join pools p on p.id = s.pool_id join circuits ci on ci.id = p.circuit_id
        where s.id = ${id}`;
      const allowed = row !== undefined && (organization === undefined || row.mentor_id === organization.id || row.operator_id === organization.id);
      if (!allowed) throw new Problem(404, 'not_found', 'Sponsorship not found', `No sponsorship ${id} of yours.`);
      return c.json(sponsorshipJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/sponsorships',
      tags: ['Sponsorships'],
      summary: 'List sponsorships',
      description: "A mentor's own, an operator's circuits', or all for the admin; oldest first. Filter by campaign or status.",
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(sponsorshipSchema), 'A page of sponsorships'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['mentor', 'operator'] });
      const query = c.req.valid('query');
      const mine =
        organization === undefined
          ? sql``
          : organization.kind === 'mentor'
            ? sql`and s.mentor_id = ${organization.id}`
            : sql`and s.pool_id in (select p.id from pools p join circuits ci on ci.id = p.circuit_id where ci.operator_id = ${organization.id})`;
      const rows = await sql<SponsorshipRow[]>`
        select s.* from sponsorships s
        where s.id > ${after(query)} ${mine}
          ${query.campaign_id === undefined ? sql`` : sql`and s.campaign_id = ${query.campaign_id}`}
          ${query.need_id === undefined ? sql`` : sql`and s.need_id = ${query.need_id}`}
          ${query.status === undefined ? sql`` : sql`and s.status = ${query.status}`}
        order by s.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(sponsorshipJson), query.limit), 200);
    },
  );

  /** Writes the sponsorship `pending` under a new receipt reference (40 bits, short for a causale), drawn again on a collision. */
  async function insertSponsorship(
    sql: Queryable,
    values: Omit<SponsorshipRow, 'status' | 'payment_id' | 'receipt_reference' | 'created_at' | 'succeeded_at' | 'failed_at' | 'refunded_at'>,
  ): Promise<SponsorshipRow> {
    for (let attempt = 1; attempt <= 5; attempt += 1) {
      const [row] = await sql<SponsorshipRow[]>`
        insert into sponsorships ${sql({ ...values, receipt_reference: humanReference('SP', [4, 4]) })}
        on conflict (receipt_reference) do nothing returning *`;
      if (row !== undefined) return row;
    }
    throw new Error('five receipt references in a row were taken: the reference space is too small');
  }

  return app;
}

/** The provider asked for (`test` by default with test keys), if it serves the key's mode. */
function paymentProviderFor(payments: PaymentProviders, name: string | undefined, mode: KeyMode): PaymentProvider {
  const chosen = name ?? (mode === 'test' ? 'test' : undefined);
  const provider = chosen === undefined ? undefined : payments.get(chosen);
  if (provider !== undefined && provider.modes.includes(mode)) return provider;
  const reason =
    chosen === undefined
      ? `Choose a payment_provider: ${mode} keys have no default.`
      : provider === undefined
        ? `There is no payment provider ${chosen}.`
        : `The ${chosen} provider serves ${provider.modes.join(' and ')} keys only, and this is a ${mode} key.`;
  const offered = [...payments.values()].filter((candidate) => candidate.modes.includes(mode)).map((candidate) => candidate.name);
  const choice = offered.length === 0 ? `No provider is configured for ${mode} keys.` : `With ${mode} keys, choose ${offered.join(' or ')}.`;
  throw new Problem(
    400,
    'invalid_request',
    'Payment provider not available',
    `${reason} ${choice}`,
    [{ path: 'payment_provider', message: reason }],
  );
}

/** What the payment is for, on the mentor's statement: "3 seats · La locandiera", or the need or pool given to. */
function paymentDescription(target: TargetRow, seats: number | undefined): string {
  const seatsOf = (title: string | null) => `${seats} ${seats === 1 ? 'seat' : 'seats'} · ${title}`;
  if (target.need_id !== null) return seats === undefined ? target.need_title! : seatsOf(target.need_title);
  return seats === undefined ? target.pool_name : seatsOf(target.campaign_title);
}
