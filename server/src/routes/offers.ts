import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess, type AccessRule } from '../auth/authenticate.js';
import type { Queryable, Sql } from '../db/connection.js';
import type { Organization, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, localizedText, minorUnits } from '../http/schemas.js';
import { newId } from '../ids.js';
import { Problem } from '../problem.js';
import { jsonb, visibleCircuits, type CircuitRow } from './circuits.js';

/** Reversals are allowed until this long before the event unless the offer says otherwise: 48 hours. */
export const defaultCancellationWindowSeconds = 48 * 3600;

const offerSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('offer'),
    circuit_id: z.uuid(),
    provider_id: z.uuid(),
    provider_name: z.string(),
    category: z.string(),
    title: localizedText(200),
    description: localizedText(5000).nullable(),
    venue: z.string().nullable(),
    starts_at: z.iso.datetime(),
    ends_at: z.iso.datetime().nullable(),
    seat_price: z.number().int().openapi({ description: 'In cents.' }),
    currency: z.string(),
    seats_total: z.number().int().openapi({ description: 'Seats reserved for the programme.' }),
    seats_left: z.number().int().openapi({ description: 'Seats not yet held or taken by redemptions.' }),
    cancellation_window_seconds: z.number().int(),
    created_at: z.iso.datetime(),
  })
  .openapi('Offer');

const newOfferSchema = z
  .strictObject({
    circuit_id: z.uuid(),
    provider_id: z.uuid().optional().openapi({ description: "With an operator's or the admin key: the member provider that runs it." }),
    category: z.string().min(1).max(64).openapi({ description: "One of the circuit's category slugs.", example: 'theatre' }),
    title: localizedText(200),
    description: localizedText(5000).optional(),
    venue: z.string().trim().min(1).max(200).optional(),
    starts_at: z.iso.datetime({ offset: true }),
    ends_at: z.iso.datetime({ offset: true }).optional(),
    seat_price: minorUnits,
    seats_total: z.number().int().min(0).max(100_000).openapi({ description: 'Seats reserved for the programme.' }),
    cancellation_window_seconds: z
      .number()
      .int()
      .min(0)
      .max(31_536_000)
      .default(defaultCancellationWindowSeconds)
      .openapi({ description: 'A captured redemption can be reversed until this long before the event; 48 hours by default.' }),
  })
  // Vouchers pay only for events that have not started: one in the past could never be booked.
  .refine((offer) => Date.parse(offer.starts_at) > Date.now(), { message: 'starts_at must be in the future', path: ['starts_at'] })
  .refine((offer) => offer.ends_at === undefined || Date.parse(offer.ends_at) > Date.parse(offer.starts_at), {
    message: 'ends_at must be after starts_at',
    path: ['ends_at'],
  })
  .openapi('NewOffer');

const offersQuery = pageQuery.extend({ circuit_id: z.uuid().optional(), provider_id: z.uuid().optional() });

interface OfferRow {
  id: string;
  circuit_id: string;
  provider_id: string;
  provider_name: string;
  /** The operator of its circuit, who may redeem for it too. */
  operator_id: string;
  category: string;
  title: z.infer<typeof offerSchema>['title'];
  description: z.infer<typeof offerSchema>['description'];
  venue: string | null;
  starts_at: Date;
  ends_at: Date | null;
  seat_price: bigint;
  currency: string;
  seats_total: number;
  seats_taken: number;
  cancellation_window_seconds: number;
  created_at: Date;
}

const idParam = z.object({ id: z.uuid() });

/** Any key may read offers, publishable and desk keys included: the redeem widget shows price and seats left. */
const readers: AccessRule = { organizations: ['operator', 'provider', 'referrer', 'mentor'], keys: ['secret', 'publishable', 'desk'] };

/** Offers: a provider's events and courses in a circuit, with the seats reserved for the programme. */
export function offerRoutes({ sql }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/offers',
      tags: ['Offers'],
      summary: 'Publish an offer',
      description:
        "A member provider publishes its own offers; the circuit's operator (or the admin) names the provider in `provider_id`. " +
        "The category must be one of the circuit's.",
      security: bearer,
      request: { body: jsonBody(newOfferSchema) },
      responses: { 201: jsonResponse(offerSchema, 'The new offer'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const organization = requireAccess(principal, { organizations: ['operator', 'provider'] });
      const body = c.req.valid('json');
      const id = newId();
      await sql.begin(async (tx) => {
        // For an operator or a provider, the circuits it sees are those it runs or belongs to. The share lock keeps
        // the category from being removed meanwhile.
        const [circuit] = await tx<CircuitRow[]>`
          select * from circuits where id = ${body.circuit_id} and ${visibleCircuits(tx, principal)} for share`;
        if (circuit === undefined) {
          throw new Problem(404, 'not_found', 'No such circuit', `No circuit ${body.circuit_id} that you run or belong to.`);
        }
        const providerId = await offerProvider(tx, organization, circuit, body.provider_id);
        if (!circuit.categories.some((category) => category.slug === body.category)) {
          throw new Problem(
            400,
            'invalid_request',
            'Unknown category',
            `${circuit.name} has no category "${body.category}"; use one of: ${circuit.categories.map((category) => category.slug).join(', ')}.`,
            [{ path: 'category', message: 'not a category of the circuit' }],
          );
        }
        await tx`
          insert into offers (id, provider_id, circuit_id, category, title, description, venue, starts_at, ends_at,
                              seat_price, currency, seats_total, cancellation_window_seconds)
          values (${id}, ${providerId}, ${circuit.id}, ${body.category}, ${jsonb(body.title)}::text::jsonb,
                  ${jsonb(body.description)}::text::jsonb, ${body.venue ?? null}, ${body.starts_at}, ${body.ends_at ?? null},
                  ${body.seat_price}, ${circuit.currency}, ${body.seats_total}, ${body.cancellation_window_seconds})`;
      });
      return c.json(offerJson(await offerById(sql, id)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/offers',
      tags: ['Offers'],
      summary: 'List offers',
      description: 'Any key, publishable keys included. Filter by circuit or provider.',
      security: bearer,
      request: { query: offersQuery },
      responses: { 200: jsonResponse(pageOf(offerSchema), 'A page of offers'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      requireAccess(principalOf(c), readers);
      const query = c.req.valid('query');
      const rows = await sql<OfferRow[]>`
        ${offerSelect(sql)}
        where o.id > ${after(query)}
          ${query.circuit_id === undefined ? sql`` : sql`and o.circuit_id = ${query.circuit_id}`}
          ${query.provider_id === undefined ? sql`` : sql`and o.provider_id = ${query.provider_id}`}
        order by o.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(offerJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/offers/{id}',
      tags: ['Offers'],
      summary: 'Retrieve an offer',
      description:
        'Any key. A publishable key reads the offers it can redeem (its provider\'s, or its circuit\'s for an operator): the ' +
        'redeem widget shows the price and the seats left, and a page set up with another provider\'s offer hears so at once ' +
        '(403 `forbidden`), not when a pupil books.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(offerSchema, 'The offer'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const organization = requireAccess(principal, readers);
      const offer = await offerById(sql, c.req.valid('param').id);
      const redeems = organization === undefined || organization.id === offer.provider_id || organization.id === offer.operator_id;
      if (principal.type === 'key' && principal.keyKind === 'publishable' && !redeems) {
        throw new Problem(
          403,
          'forbidden',
          'Not an offer of this key',
          `Offer ${offer.id} is ${offer.provider_name}'s: this page's key can redeem only its own offers. Find them with GET /v1/offers?provider_id=${organization!.id}.`,
        );
      }
      return c.json(offerJson(offer), 200);
    },
  );

  return app;
}

/** Who runs the offer: a provider itself; a member the operator or the admin names. */
async function offerProvider(
  sql: Queryable,
  organization: Organization | undefined,
  circuit: CircuitRow,
  requested: string | undefined,
): Promise<string> {
  if (organization?.kind === 'provider') {
    if (requested !== undefined && requested !== organization.id) {
      throw new Problem(403, 'forbidden', "Not your offer to publish", 'A provider publishes its own offers; leave out `provider_id`.');
    }
    return organization.id;
  }
  if (requested === undefined) {
    throw new Problem(400, 'invalid_request', 'Which provider?', 'Name the provider that runs the offer in `provider_id`.', [
      { path: 'provider_id', message: "required with an operator's or the admin key" },
    ]);
  }
  const [member] = await sql`select 1 from circuit_providers where circuit_id = ${circuit.id} and provider_id = ${requested}`;
  if (member === undefined) {
    throw new Problem(
      400,
      'invalid_request',
      'Not a member of the circuit',
      `Provider ${requested} is not a member of ${circuit.name}; add it with POST /v1/circuits/${circuit.id}/providers first.`,
      [{ path: 'provider_id', message: 'not a member of the circuit' }],
    );
  }
  return requested;
}

function offerSelect(sql: Sql) {
  return sql`
    select o.*, p.name as provider_name, ci.operator_id
    from offers o join organizations p on p.id = o.provider_id join circuits ci on ci.id = o.circuit_id`;
}

export async function offerById(sql: Sql, id: string): Promise<OfferRow> {
  const row = await findOffer(sql, id);
  if (row === undefined) throw new Problem(404, 'not_found', 'No such offer', `No offer ${id}.`);
  return row;
}

/** The offer, or undefined when there is none. */
export async function findOffer(sql: Sql, id: string): Promise<OfferRow | undefined> {
  const [row] = await sql<OfferRow[]>`${offerSelect(sql)} where o.id = ${id}`;
  return row;
}

function offerJson(row: OfferRow) {
  return {
    id: row.id,
    object: 'offer' as const,
    circuit_id: row.circuit_id,
    provider_id: row.provider_id,
    provider_name: row.provider_name,
    category: row.category,
    title: row.title,
    description: row.description,
    venue: row.venue,
    starts_at: row.starts_at.toISOString(),
    ends_at: row.ends_at?.toISOString() ?? null,
    seat_price: amountJson(row.seat_price),
    currency: row.currency,
    seats_total: row.seats_total,
    seats_left: row.seats_total - row.seats_taken,
    cancellation_window_seconds: row.cancellation_window_seconds,
    created_at: row.created_at.toISOString(),
  };
}
