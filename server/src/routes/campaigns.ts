import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess, type AccessRule } from '../auth/authenticate.js';
import type { Sql } from '../db/connection.js';
import type { Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, localizedText, minorUnits } from '../http/schemas.js';
import { newId } from '../ids.js';
import { Problem } from '../problem.js';
import { createPool, jsonb } from './circuits.js';
import { offerById } from './offers.js';

const campaignSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('campaign'),
    circuit_id: z.uuid(),
    pool_id: z.uuid().openapi({ description: "The campaign's own pool: sponsorships fund it." }),
    offer_id: z.uuid().nullable(),
    title: localizedText(200),
    description: localizedText(5000).nullable(),
    seat_price: z.number().int().openapi({ description: 'In cents.' }),
    currency: z.string(),
    target_seats: z.number().int(),
    seats_funded: z.number().int().openapi({ description: 'Whole seats that succeeded sponsorships paid for.' }),
    funded_amount: z.number().int().openapi({ description: 'In cents: the sum of succeeded sponsorships.' }),
    sponsors_count: z.number().int(),
    deadline: z.iso.datetime(),
    created_by: z.uuid().nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('Campaign');

const newCampaignSchema = z
  .strictObject({
    circuit_id: z.uuid(),
    offer_id: z.uuid().optional().openapi({ description: 'The offer whose seats are funded; required with a provider key.' }),
    title: localizedText(200).optional().openapi({ description: "Defaults to the offer's title." }),
    description: localizedText(5000).optional(),
    seat_price: minorUnits.optional().openapi({ description: "In cents; defaults to the offer's." }),
    target_seats: z.number().int().min(1).max(100_000),
    deadline: z.iso.datetime({ offset: true }),
  })
  .openapi('NewCampaign');

const campaignsQuery = pageQuery.extend({ circuit_id: z.uuid().optional(), offer_id: z.uuid().optional() });

export interface CampaignRow {
  id: string;
  circuit_id: string;
  pool_id: string;
  offer_id: string | null;
  title: z.infer<typeof campaignSchema>['title'];
  description: z.infer<typeof campaignSchema>['description'];
  seat_price: bigint;
  currency: string;
  target_seats: number;
  deadline: Date;
  created_by: string | null;
  created_at: Date;
  funded_amount: bigint;
  sponsors_count: number;
}

const idParam = z.object({ id: z.uuid() });

/** Campaigns are shown on partner sites and to mentors: any key may read them. */
const readers: AccessRule = { organizations: ['operator', 'provider', 'referrer', 'mentor'], keys: ['secret', 'publishable'] };

/** "Sponsor a seat" campaigns: seats of an offer (or of the circuit) funded into the campaign's own pool. */
export function campaignRoutes({ sql, ledger }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/campaigns',
      tags: ['Campaigns'],
      summary: 'Start a campaign',
      description:
        "The circuit's operator (or the admin) starts one for the circuit or any of its offers; a provider for one of its own offers. " +
        'The campaign gets its own pool, which sponsorships fund.',
      security: bearer,
      request: { body: jsonBody(newCampaignSchema) },
      responses: { 201: jsonResponse(campaignSchema, 'The new campaign'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['operator', 'provider'] });
      const body = c.req.valid('json');
      if (organization?.kind === 'provider' && body.offer_id === undefined) {
        throw new Problem(400, 'invalid_request', 'Which offer?', "A provider's campaign funds seats of one of its offers: pass `offer_id`.", [
          { path: 'offer_id', message: 'required with a provider key' },
        ]);
      }
      const [circuit] = await sql<{ id: string; operator_id: string }[]>`select id, operator_id from circuits where id = ${body.circuit_id}`;
      const offer = body.offer_id === undefined ? undefined : await offerById(sql, body.offer_id);
      if (circuit === undefined || (organization?.kind === 'operator' && circuit.operator_id !== organization.id)) {
        throw new Problem(404, 'not_found', 'No such circuit', `No circuit ${body.circuit_id} that you operate.`);
      }
      if (organization?.kind === 'provider' && offer?.provider_id !== organization.id) {
        throw new Problem(404, 'not_found', 'No such offer', `No offer ${body.offer_id} of yours.`);
      }
      if (offer !== undefined && offer.circuit_id !== circuit.id) {
        throw new Problem(400, 'invalid_request', 'Offer of another circuit', `Offer ${offer.id} is not in circuit ${circuit.id}.`, [
          { path: 'offer_id', message: 'not an offer of the circuit' },
        ]);
      }
      const title = body.title ?? offer?.title;
      const seatPrice = body.seat_price === undefined ? offer?.seat_price : BigInt(body.seat_price);
      if (title === undefined || seatPrice === undefined) {
        throw new Problem(400, 'invalid_request', 'Title and seat price needed', 'A campaign without an offer needs its own `title` and `seat_price`.', [
          ...(title === undefined ? [{ path: 'title', message: 'required without offer_id' }] : []),
          ...(seatPrice === undefined ? [{ path: 'seat_price', message: 'required without offer_id' }] : []),
        ]);
      }
      const deadline = new Date(body.deadline);
      if (deadline.getTime() <= Date.now() || (offer !== undefined && deadline > offer.starts_at)) {
        throw new Problem(400, 'invalid_request', 'Deadline out of range', 'The deadline must be in the future and not after the event starts.', [
          { path: 'deadline', message: 'in the past or after the event starts' },
        ]);
      }
      const id = newId();
      await sql.begin(async (tx) => {
        const pool = await createPool(tx, ledger, { id: newId(), circuitId: circuit.id, kind: 'campaign', name: title.it });
        await tx`
          insert into campaigns (id, circuit_id, pool_id, offer_id, title, description, seat_price, target_seats, deadline, created_by)
          values (${id}, ${circuit.id}, ${pool.id}, ${offer?.id ?? null}, ${jsonb(title)}::text::jsonb,
                  ${jsonb(body.description)}::text::jsonb, ${seatPrice}, ${body.target_seats}, ${deadline}, ${organization?.id ?? null})`;
      });
      return c.json(campaignJson(await campaignById(sql, id)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns',
      tags: ['Campaigns'],
      summary: 'List campaigns, with their progress',
      security: bearer,
      request: { query: campaignsQuery },
      responses: { 200: jsonResponse(pageOf(campaignSchema), 'A page of campaigns'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      requireAccess(principalOf(c), readers);
      const query = c.req.valid('query');
      const rows = await sql<CampaignRow[]>`
        ${campaignSelect(sql)}
        where c.id > ${after(query)}
          ${query.circuit_id === undefined ? sql`` : sql`and c.circuit_id = ${query.circuit_id}`}
          ${query.offer_id === undefined ? sql`` : sql`and c.offer_id = ${query.offer_id}`}
        order by c.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(campaignJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/campaigns/{id}',
      tags: ['Campaigns'],
      summary: 'Retrieve a campaign, with its progress',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(campaignSchema, 'The campaign'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      requireAccess(principalOf(c), readers);
      return c.json(campaignJson(await campaignById(sql, c.req.valid('param').id)), 200);
    },
  );

  return app;
}

/** Campaigns (as `c`) with what succeeded sponsorships paid into them so far. */
function campaignSelect(sql: Sql) {
  return sql`
    select c.*, p.currency, coalesce(s.funded_amount, 0)::bigint as funded_amount, coalesce(s.sponsors_count, 0)::int as sponsors_count
    from campaigns c
    join pools p on p.id = c.pool_id
    left join lateral (
      select sum(amount) as funded_amount, count(*) as sponsors_count
      from sponsorships where campaign_id = c.id and status = 'succeeded'
    ) s on true`;
}

export async function campaignById(sql: Sql, id: string): Promise<CampaignRow> {
  const [row] = await sql<CampaignRow[]>`${campaignSelect(sql)} where c.id = ${id}`;
  if (row === undefined) throw new Problem(404, 'not_found', 'No such campaign', `No campaign ${id}.`);
  return row;
}

/** How far a campaign got: whole seats are what the funded amount buys at the campaign's seat price. */
export function campaignProgress(row: CampaignRow) {
  return {
    seat_price: amountJson(row.seat_price),
    currency: row.currency,
    target_seats: row.target_seats,
    seats_funded: Number(row.funded_amount / row.seat_price),
    funded_amount: amountJson(row.funded_amount),
    sponsors_count: row.sponsors_count,
    deadline: row.deadline.toISOString(),
  };
}

function campaignJson(row: CampaignRow) {
  return {
    id: row.id,
    object: 'campaign' as const,
    circuit_id: row.circuit_id,
    pool_id: row.pool_id,
    offer_id: row.offer_id,
    title: row.title,
    description: row.description,
    ...campaignProgress(row),
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
  };
}
