import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { fundedBy } from '../directory/membership.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, minorUnits } from '../http/schemas.js';
import { newId } from '../ids.js';
import { needById, needJson, needSelect, needStatus, needStatuses, needStatusIs, ownNeed, publicNeedJson, seatPrice, type NeedRow } from '../needs/needs.js';
import { Problem } from '../problem.js';
import { personalDataInText, refusingPersonalData } from './beneficiaries.js';
import { createPool, jsonb } from './circuits.js';
import { findOffer } from './offers.js';
import { requireReferrer } from './vouchers.js';

/** The most seats one need asks for: a school's whole year, with room to spare. */
export const maxSeatsPerNeed = 10_000;

const textRule =
  'No personal data: what is refused in a beneficiary reference (an email, a date, a phone number, a codice fiscale) is ' +
  'refused here too, and so is a text of two or three capitalised words alone, which reads as a name. Say what the group ' +
  'needs, not who is in it: "class 3B, 22 students, opera season".';

/** One language of a need's text, refused when it looks like personal data. */
const needText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((text, context) => {
      const what = personalDataInText(text);
      if (what !== undefined) {
        context.addIssue({
          code: 'custom',
          message: `this looks like ${what}; describe the group and what it needs, not who is in it`,
          params: { personalData: true },
        });
      }
    });

/** A need's text in any of the platform's languages, at least one: an association may write only in Albanian. */
const needLocalizedText = (max: number) =>
  z
    .strictObject({ it: needText(max).optional(), en: needText(max).optional(), sq: needText(max).optional() })
    .refine((text) => text.it !== undefined || text.en !== undefined || text.sq !== undefined, 'give the text in at least one of it, en, sq')
    .openapi({ description: `Text by language: it, en, sq, at least one. ${textRule}`, example: { it: 'Classe 3B, 22 studenti, stagione lirica' } });

const shownText = z.object({ it: z.string().optional(), en: z.string().optional(), sq: z.string().optional() });

export const publicNeedSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('public_need'),
    circuit: z.object({ id: z.uuid(), name: z.string() }),
    referrer_name: z.string().openapi({ description: 'The school or association that posted it.' }),
    category: z.object({ slug: z.string(), name: shownText }),
    offer: z
      .object({ id: z.uuid(), title: shownText, venue: z.string().nullable(), starts_at: z.iso.datetime(), provider_name: z.string() })
      .nullable(),
    title: shownText,
    description: shownText.nullable(),
    status: z.enum(needStatuses).openapi({
      description: 'open (takes adoptions), funded, expired (deadline passed short of the amount), closed (withdrawn).',
    }),
    seats: z.number().int(),
    seat_price: z.number().int().openapi({ description: 'In cents: the amount shared by the seats.' }),
    amount: z.number().int().openapi({ description: 'In cents: what the need asks for.' }),
    currency: z.string(),
    funded_amount: z.number().int().openapi({ description: 'In cents: what succeeded adoptions paid.' }),
    seats_funded: z.number().int(),
    adoptions_count: z.number().int(),
    pending_amount: z
      .number()
      .int()
      .openapi({ description: 'In cents: adoptions waiting for their payment (a bank transfer) that still hold their part, for up to 10 days.' }),
    open_amount: z.number().int().openapi({ description: 'In cents: what can still be adopted (adoptions waiting for their payment hold their part).' }),
    deadline: z.iso.datetime(),
  })
  .openapi('PublicNeed');

const needSchema = publicNeedSchema
  .omit({ object: true })
  .extend({
    object: z.literal('need'),
    referrer_id: z.uuid(),
    pool_id: z.uuid().openapi({ description: "The need's own pool: adoptions fund it, its vouchers are issued from it." }),
    available_amount: z.number().int().openapi({ description: 'In cents: what the pool holds for vouchers now.' }),
    vouchers_issued: z.number().int(),
    issued_amount: z.number().int().openapi({ description: 'In cents: the vouchers issued from the need.' }),
    seats_used: z.number().int().openapi({ description: "Seats its vouchers' bookings took (captured)." }),
    funded_at: z.iso.datetime().nullable(),
    closed_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('Need');

const newNeedSchema = z
  .strictObject({
    circuit_id: z.uuid(),
    category: z.string().min(1).max(64).openapi({ description: "One of the circuit's category slugs, e.g. `music`." }),
    offer_id: z.uuid().optional().openapi({ description: 'An offer of the circuit in that category, when the need is for one event.' }),
    title: needLocalizedText(120),
    description: needLocalizedText(1000).optional(),
    seats: z.number().int().min(1).max(maxSeatsPerNeed),
    amount: minorUnits.openapi({ description: 'In cents, shared evenly by the seats: 33000 for 22 seats is €15 each.' }),
    deadline: z.iso.datetime({ offset: true }).openapi({ description: 'Adoptions are taken until then; not after the offer starts.' }),
  })
  .refine((need) => need.amount % need.seats === 0, { path: ['amount'], message: 'must share evenly among the seats (a whole number of cents each)' })
  .openapi('NewNeed');

const adoptionSchema = z
  .object({
    object: z.literal('adoption'),
    need: publicNeedSchema,
    given_amount: z.number().int().openapi({ description: 'In cents: what your succeeded adoptions of this need paid.' }),
    pending_amount: z.number().int().openapi({ description: 'In cents: your adoptions still waiting for their payment.' }),
    seats_given: z.number().int().openapi({ description: "The whole seats your part pays for at the need's seat price." }),
    adoptions: z.number().int().openapi({ description: 'How many times you adopted part of it (succeeded).' }),
    outcome: z
      .object({
        vouchers_issued: z.number().int(),
        issued_amount: z.number().int().openapi({ description: 'In cents.' }),
        seats_used: z.number().int().openapi({ description: 'Seats the vouchers booked (captured).' }),
      })
      .openapi({ description: "What the need's money became: vouchers for the group and the seats they took. Never who holds them." }),
  })
  .openapi('Adoption');

const needsQuery = pageQuery.extend({ status: z.enum(needStatuses).optional() });
const idParam = z.object({ id: z.uuid() });

interface AdoptionRow extends NeedRow {
  given_amount: bigint;
  promised_amount: bigint;
  given_count: number;
}

/** The needs board: referrers post needs, mentors adopt them (POST /v1/sponsorships with need_id), referrers issue their vouchers. */
export function needRoutes({ sql, ledger }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/needs',
      tags: ['Needs'],
      summary: 'Post a need on the board',
      description:
        "With the referrer's secret key, in a circuit of the operator that registered it (or where it has an allocation). The need " +
        `gets its own pool; mentors adopt it in full or in part until the deadline. ${textRule}`,
      security: bearer,
      request: { body: jsonBody(newNeedSchema) },
      responses: { 201: jsonResponse(needSchema, 'The new need'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c));
      const body = c.req.valid('json');
      const [circuit] = await sql<{ id: string; name: string; categories: { slug: string }[] }[]>`
        select id, name, categories from circuits ci
        where id = ${body.circuit_id}
          and (operator_id = ${referrer.managedBy}
               or exists (select 1 from allocations a join pools p on p.id = a.pool_id
                          where a.referrer_id = ${referrer.id} and p.circuit_id = ci.id))`;
      if (circuit === undefined) throw new Problem(404, 'not_found', 'No such circuit', `No circuit ${body.circuit_id} that you work in.`);
      const slugs = circuit.categories.map((category) => category.slug);
      if (!slugs.includes(body.category)) {
        throw new Problem(400, 'invalid_request', 'Not a category of the circuit', `${circuit.name} has the categories ${slugs.join(', ')}.`, [
          { path: 'category', message: `not a category of this circuit (${slugs.join(', ')})` },
        ]);
      }
      const offer = body.offer_id === undefined ? undefined : await findOffer(sql, body.offer_id);
      if (body.offer_id !== undefined && (offer === undefined || offer.circuit_id !== circuit.id || offer.category !== body.category)) {
        throw new Problem(400, 'invalid_request', 'Offer outside the need', `Offer ${body.offer_id} is not a ${body.category} offer of ${circuit.name}.`, [
          { path: 'offer_id', message: 'not an offer of this circuit in this category' },
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
        const name = body.title.it ?? body.title.en ?? body.title.sq!;
        const pool = await createPool(tx, ledger, { id: newId(), circuitId: circuit.id, kind: 'need', name: name.slice(0, 200) });
        await tx`
          insert into needs (id, referrer_id, circuit_id, pool_id, category, offer_id, title, description, seats, amount, currency, deadline)
          values (${id}, ${referrer.id}, ${circuit.id}, ${pool.id}, ${body.category}, ${offer?.id ?? null}, ${jsonb(body.title)}::text::jsonb,
                  ${jsonb(body.description)}::text::jsonb, ${body.seats}, ${body.amount}, ${pool.currency}, ${deadline})`;
      });
      return c.json(needJson(await ownNeed(sql, referrer.id, id)), 201);
    },
    refusingPersonalData('Describe the group and what it needs ("class 3B, 22 students, opera season"), and keep who is in it in your own records.'),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/needs',
      tags: ['Needs'],
      summary: 'List needs, with their funding progress',
      description: "A referrer's own (secret or desk key), an operator's circuits', or all for the admin; oldest first.",
      security: bearer,
      request: { query: needsQuery },
      responses: { 200: jsonResponse(pageOf(needSchema), 'A page of needs'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['referrer', 'operator'], keys: ['secret', 'desk'] });
      const query = c.req.valid('query');
      const whose =
        organization === undefined
          ? sql``
          : organization.kind === 'referrer'
            ? sql`and n.referrer_id = ${organization.id}`
            : sql`and ci.operator_id = ${organization.id}`;
      const rows = await sql<NeedRow[]>`
        ${needSelect(sql)} where n.id > ${after(query)} ${whose} ${query.status === undefined ? sql`` : sql`and ${needStatusIs(sql, query.status)}`}
        order by n.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(needJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/needs/{id}',
      tags: ['Needs'],
      summary: 'Retrieve a need, with its funding progress and vouchers',
      description: 'For its referrer (secret or desk key), the operator of its circuit, or the admin. Anyone sees an open need at /v1/public/needs.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(needSchema, 'The need'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['referrer', 'operator'], keys: ['secret', 'desk'] });
      const id = c.req.valid('param').id;
      const row = await needById(sql, id);
      const allowed = row !== undefined && (organization === undefined || row.referrer_id === organization.id || row.operator_id === organization.id);
      if (!allowed) throw new Problem(404, 'not_found', 'Need not found', `No need ${id} of yours.`);
      return c.json(needJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/needs/{id}/close',
      tags: ['Needs'],
      summary: 'Withdraw a need',
      description:
        'Its referrer takes it off the board: no more adoptions. What mentors gave stays in the need’s pool for the referrer’s ' +
        'vouchers, with the same restrictions (the need’s circuit, category and offer), and so does an adoption still waiting ' +
        'for its payment when that payment arrives. A funded need is not withdrawn: issue its vouchers. Closing again answers the same.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(needSchema, 'The closed need'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c));
      const id = c.req.valid('param').id;
      const closed = await sql.begin(async (tx) => {
        await tx`select id from needs where id = ${id} and referrer_id = ${referrer.id} for no key update`;
        const need = await ownNeed(tx, referrer.id, id);
        if (needStatus(need) === 'funded') {
          throw new Problem(409, 'conflict', 'Need funded', 'Mentors funded this need in full: issue its vouchers (POST /v1/vouchers with need_id) instead.');
        }
        if (need.closed_at === null) await tx`update needs set closed_at = now() where id = ${id}`;
        return ownNeed(tx, referrer.id, id);
      });
      return c.json(needJson(closed), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/mentors/me/adoptions',
      tags: ['Needs'],
      summary: 'The needs you adopted, and what became of them',
      description:
        "With the mentor's secret key or its read-only desk key (the mentor-impact widget): each need it adopted (in full or " +
        'in part, paid or waiting for the payment; with its secret key, or by visitors on its own pages with its publishable key, ' +
        'as its impact counts them), oldest need first, with its progress, your part and what its money became (vouchers issued, seats booked).',
      security: bearer,
      request: { query: pageQuery },
      responses: { 200: jsonResponse(pageOf(adoptionSchema), 'A page of adoptions, one per need'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const mentor = requireAccess(principalOf(c), { organizations: ['mentor'], keys: ['secret', 'desk'] });
      if (mentor === undefined) throw new Problem(403, 'forbidden', 'Only a mentor', "Adoptions are a mentor's: use its secret or desk key.");
      const query = c.req.valid('query');
      const rows = await sql<AdoptionRow[]>`
        select needs_.*, mine.given_amount, mine.promised_amount, mine.given_count
        from (${needSelect(sql)}) needs_
          join lateral (
            select coalesce(sum(amount) filter (where status = 'succeeded'), 0)::bigint as given_amount,
                   coalesce(sum(amount) filter (where status = 'pending'), 0)::bigint as promised_amount,
                   (count(*) filter (where status = 'succeeded'))::int as given_count
            from sponsorships s where s.need_id = needs_.id and ${fundedBy(sql, mentor.id)} and s.status in ('succeeded', 'pending')
            having count(*) > 0
          ) mine on true
        where needs_.id > ${after(query)}
        order by needs_.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(adoptionJson), query.limit), 200);
    },
  );

  return app;
}

function adoptionJson(row: AdoptionRow) {
  return {
    object: 'adoption' as const,
    need: publicNeedJson(row),
    given_amount: amountJson(row.given_amount),
    pending_amount: amountJson(row.promised_amount),
    seats_given: Number(row.given_amount / seatPrice(row)),
    adoptions: row.given_count,
    outcome: { vouchers_issued: row.vouchers_issued, issued_amount: amountJson(row.issued_amount), seats_used: row.seats_used },
  };
}
