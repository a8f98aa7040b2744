import { createRoute, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { Sql } from '../db/connection.js';
import type { ApiEnv, Services } from '../http/context.js';
import { apiRouter, jsonResponse, problems } from '../http/router.js';
import { localizedText } from '../http/schemas.js';
import { Problem } from '../problem.js';
import { fundedBy } from '../directory/membership.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { needSelect, needStatusIs, publicNeedJson, type NeedRow } from '../needs/needs.js';
import { campaignById, campaignProgress } from './campaigns.js';
import type { CircuitRow } from './circuits.js';
import { publicNeedSchema } from './needs.js';

/** How many of the latest named sponsors the sponsor-seat widget shows. */
export const recentSponsorsShown = 5;

const circuitLink = z.object({ id: z.uuid(), name: z.string() }).openapi('CircuitLink');

const publicCampaignSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('public_campaign'),
    circuit: circuitLink,
    title: localizedText(200),
    description: localizedText(5000).nullable(),
    offer: z
      .object({
        id: z.uuid(),
        title: localizedText(200),
        venue: z.string().nullable(),
        starts_at: z.iso.datetime(),
        provider_name: z.string(),
      })
      .nullable(),
    seat_price: z.number().int().openapi({ description: 'In cents.' }),
    currency: z.string(),
    target_seats: z.number().int(),
    seats_funded: z.number().int(),
    funded_amount: z.number().int().openapi({ description: 'In cents.' }),
    sponsors_count: z.number().int(),
    deadline: z.iso.datetime(),
    recent_sponsors: z
      .array(z.object({ display_name: z.string(), message: z.string().nullable(), seats: z.number().int() }))
      .openapi({ description: `The latest ${recentSponsorsShown} sponsors who chose to be named.` }),
  })
  .openapi('PublicCampaign');

const badgeKinds = ['circuit', 'provider', 'mentor'] as const;
type BadgeKind = (typeof badgeKinds)[number];

const badgeSchema = z
  .object({
    object: z.literal('badge'),
    kind: z.enum(badgeKinds),
    id: z.uuid(),
    name: z.string().openapi({ description: 'The name of the circuit, provider or mentor.' }),
    circuit: circuitLink.nullable().openapi({ description: 'The circuit the badge links to; null for a mentor that has funded nothing yet.' }),
    season: z.object({ name: z.string().openapi({ example: '2025-2026' }), starts_at: z.iso.datetime(), ends_at: z.iso.datetime() }),
    seats_sponsored: z.number().int().openapi({ description: 'Seats funded by succeeded sponsorships this season.' }),
    seats_redeemed: z.number().int().optional().openapi({ description: 'For a provider: seats captured there this season.' }),
  })
  .openapi('Badge');

interface PublicOfferRow {
  offer_title: z.infer<typeof publicCampaignSchema>['title'];
  venue: string | null;
  starts_at: Date;
  provider_name: string;
}

/** Counts and campaign pages for the widgets: no key, any origin, cached for 30 s by browsers and CDNs. */
export function publicRoutes({ sql }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/campaigns/{id}',
      tags: ['Public'],
      summary: 'A campaign as the sponsor-seat widget shows it',
      description: 'No key needed. Sponsors appear only by the name they chose, and only when they did not ask to be anonymous.',
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonResponse(publicCampaignSchema, 'The campaign and its progress'), ...problems(404) },
    }),
    async (c) => {
      const campaign = await campaignById(sql, c.req.valid('param').id);
      const [circuit] = await sql<{ id: string; name: string }[]>`select id, name from circuits where id = ${campaign.circuit_id}`;
      const [offer] =
        campaign.offer_id === null
          ? []
          : await sql<PublicOfferRow[]>`
              select o.title as offer_title, o.venue, o.starts_at, p.name as provider_name
              from offers o join organizations p on p.id = o.provider_id where o.id = ${campaign.offer_id}`;
      const sponsors = await sql<{ display_name: string; message: string | null; seats: number }[]>`
        select display_name, message, coalesce(seats, amount / ${campaign.seat_price})::int as seats
        from sponsorships
        where campaign_id = ${campaign.id} and status = 'succeeded' and not anonymous and display_name is not null
        order by coalesce(succeeded_at, created_at) desc, id desc
        limit ${recentSponsorsShown}`;
      return c.json(
        {
          id: campaign.id,
          object: 'public_campaign' as const,
          circuit: circuit!,
          title: campaign.title,
          description: campaign.description,
          offer:
            offer === undefined
              ? null
              : {
                  id: campaign.offer_id!,
                  title: offer.offer_title,
                  venue: offer.venue,
                  starts_at: offer.starts_at.toISOString(),
                  provider_name: offer.provider_name,
                },
          ...campaignProgress(campaign),
          recent_sponsors: sponsors,
        },
        200,
      );
    },
    notFoundUnlessValid('No such campaign', 'Campaign ids are UUIDs, as in the `campaign` attribute of the widget.'),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/needs',
      tags: ['Public'],
      summary: "The open needs of a circuit's board, as the needs-board widget shows them",
      description:
        'No key needed. Needs that take adoptions now (not funded, withdrawn or past their deadline), oldest first, with their ' +
        'progress; the referrer appears only by its name.',
      request: { query: pageQuery.extend({ circuit: z.uuid().openapi({ description: "The circuit, as in the widget's `circuit` attribute." }) }) },
      responses: { 200: jsonResponse(pageOf(publicNeedSchema), 'A page of open needs'), ...problems(400, 404) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      await publicCircuit(sql, query.circuit);
      const rows = await sql<NeedRow[]>`
        ${needSelect(sql)}
        where n.circuit_id = ${query.circuit} and n.id > ${after(query)} and ${needStatusIs(sql, 'open')}
        order by n.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(publicNeedJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/badges/{kind}/{id}',
      tags: ['Public'],
      summary: 'Counts for the circuit badge of a circuit, a provider or a mentor',
      description:
        'No key needed. The season runs from 1 September to 31 August (Italian time). A sponsorship of an amount counts the ' +
        "whole seats it buys at its campaign's seat price; one into a pool without a campaign counts its seats only. " +
        "A mentor's badge counts its own sponsorships and the gifts visitors made on its pages (its publishable key).",
      request: { params: z.object({ kind: z.enum(badgeKinds), id: z.uuid() }) },
      responses: { 200: jsonResponse(badgeSchema, 'The badge counts'), ...problems(404) },
    }),
    async (c) => {
      const { kind, id } = c.req.valid('param');
      const season = seasonOf(new Date());
      const subject = await badgeSubject(sql, kind, id);
      const [sponsored] = await sql<{ seats: number }[]>`
        select coalesce(sum(coalesce(s.seats, s.amount / c.seat_price, 0)), 0)::int as seats
        from sponsorships s left join campaigns c on c.id = s.campaign_id
        where s.status = 'succeeded'
          and coalesce(s.succeeded_at, s.created_at) >= ${season.startsAt} and coalesce(s.succeeded_at, s.created_at) < ${season.endsAt}
          and ${
            kind === 'circuit'
              ? sql`s.pool_id in (select id from pools where circuit_id = ${id})`
              : kind === 'provider'
                ? sql`c.offer_id in (select id from offers where provider_id = ${id})`
                : fundedBy(sql, id)
          }`;
      const redeemed =
        kind === 'provider'
          ? await sql<{ seats: number }[]>`
              select coalesce(sum(captured_seats), 0)::int as seats from redemptions
              where provider_id = ${id} and status = 'captured' and captured_at >= ${season.startsAt} and captured_at < ${season.endsAt}`
          : [];
      return c.json(
        {
          object: 'badge' as const,
          kind,
          id,
          name: subject.name,
          circuit: subject.circuit,
          season: { name: season.name, starts_at: season.startsAt.toISOString(), ends_at: season.endsAt.toISOString() },
          seats_sponsored: sponsored!.seats,
          ...(redeemed[0] === undefined ? {} : { seats_redeemed: redeemed[0].seats }),
        },
        200,
      );
    },
    notFoundUnlessValid('No such badge', 'Badges are for /circuit/{id}, /provider/{id} or /mentor/{id}.'),
  );

  return app;
}

/** The circuit a public list is of (`?circuit=`), with what its filters offer; 404 when there is none. */
export async function publicCircuit(sql: Sql, id: string): Promise<Pick<CircuitRow, 'id' | 'name' | 'categories'>> {
  const [circuit] = await sql<Pick<CircuitRow, 'id' | 'name' | 'categories'>[]>`select id, name, categories from circuits where id = ${id}`;
  if (circuit === undefined) throw new Problem(404, 'not_found', 'No such circuit', `No circuit ${id}.`);
  return circuit;
}

/** A path that names nothing valid finds nothing: 404, as for an unknown id. */
export function notFoundUnlessValid(title: string, detail: string) {
  return (result: { success: boolean }) => {
    if (!result.success) throw new Problem(404, 'not_found', title, detail);
    return undefined;
  };
}

/**
 * Any page may read /v1/public/*: counts, directory and stories change slowly, so browsers and
 * CDNs keep them for a while, unless the route set its own caching (a story's photo never changes).
 */
export const publicHeaders: MiddlewareHandler<ApiEnv> = async (c, next) => {
  // A public POST (path progress) takes a key from an allowed origin, as any keyed request.
  if (c.req.method !== 'GET') return next();
  await next();
  c.header('Access-Control-Allow-Origin', '*');
  // A page can quote the request id of a public answer too, when it reports a problem.
  c.header('Access-Control-Expose-Headers', 'X-Request-Id');
  const cacheable = c.res.status === 200 || c.res.status === 304;
  if (cacheable && !c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'public, max-age=30, stale-while-revalidate=300');
};

/**
 * The Italian cultural season around `now`: 1 September to 31 August. Midnight of 1 September in
 * Italy is 22:00 UTC the day before, as Italy is on summer time (UTC+2) then.
 */
export function seasonOf(now: Date): { name: string; startsAt: Date; endsAt: Date } {
  const year = now.getUTCFullYear();
  const start = (y: number) => new Date(Date.UTC(y, 7, 31, 22));
  const first = now >= start(year) ? year : year - 1;
  return { name: `${first}-${first + 1}`, startsAt: start(first), endsAt: start(first + 1) };
}

/** The badge's name and the circuit it links to; 404 when no organization or circuit of that kind has the id. */
async function badgeSubject(sql: Sql, kind: BadgeKind, id: string): Promise<{ name: string; circuit: { id: string; name: string } | null }> {
  if (kind === 'circuit') {
    const [circuit] = await sql<{ id: string; name: string }[]>`select id, name from circuits where id = ${id}`;
    if (circuit === undefined) throw noSuchBadge(kind, id);
    return { name: circuit.name, circuit };
  }
  const [organization] = await sql<{ name: string }[]>`select name from organizations where id = ${id} and kind = ${kind}`;
  if (organization === undefined) throw noSuchBadge(kind, id);
  // A provider links to the circuit it joined first; a mentor to the one it funded last.
  const [circuit] =
    kind === 'provider'
      ? await sql<{ id: string; name: string }[]>`
          select c.id, c.name from circuit_providers m join circuits c on c.id = m.circuit_id
          where m.provider_id = ${id} order by m.joined_at, c.id limit 1`
      : await sql<{ id: string; name: string }[]>`
          select c.id, c.name from sponsorships s join pools p on p.id = s.pool_id join circuits c on c.id = p.circuit_id
          where ${fundedBy(sql, id)} and s.status = 'succeeded'
          order by coalesce(s.succeeded_at, s.created_at) desc, s.id desc limit 1`;
  return { name: organization.name, circuit: circuit ?? null };
}

function noSuchBadge(kind: BadgeKind, id: string): Problem {
  return new Problem(404, 'not_found', 'No such badge', `No ${kind} ${id}.`);
}
