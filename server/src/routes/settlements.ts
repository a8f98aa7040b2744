import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Sql } from '../db/connection.js';
import type { Principal, Services } from '../http/context.js';
import { italianDate } from '../calendar.js';
import { csvAttachment } from '../http/csv.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, decimalAmount } from '../http/schemas.js';
import { Problem } from '../problem.js';
import { settleProvider, settlementSummaryJson, type ProviderToSettle, type SettlementRow } from '../settlements/settle.js';

const settlementLineSchema = z.object({
  redemption_id: z.uuid(),
  captured_at: z.iso.datetime(),
  offer_id: z.uuid(),
  offer_title: z.string(),
  booking_reference: z.string(),
  seats: z.number().int(),
  amount: z.number().int().openapi({ description: 'Captured less reversed, in cents.' }),
});

const settlementSummarySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('settlement'),
    provider_id: z.uuid(),
    period_end: z.iso.datetime(),
    amount: z.number().int().openapi({ description: 'What the provider is paid, in cents.' }),
    currency: z.string(),
    redemptions: z.number().int(),
    created_at: z.iso.datetime(),
  })
  .openapi('SettlementSummary');

const settlementSchema = settlementSummarySchema.extend({ lines: z.array(settlementLineSchema) }).openapi('Settlement');

const periodEnd = z.iso.datetime({ offset: true });

const newSettlementSchema = z
  .strictObject({
    provider_id: z.uuid(),
    period_end: periodEnd.optional().openapi({
      description: 'Redemptions captured up to this moment are settled; now by default. Not in the future.',
    }),
  })
  .openapi('NewSettlement');

const periodCloseSchema = z
  .strictObject({
    period_end: periodEnd.openapi({ description: 'The end of the period, e.g. the last moment of the month. Not in the future.' }),
    operator_id: z.uuid().optional().openapi({ description: "With the admin key: that operator's providers only (all by default)." }),
  })
  .openapi('PeriodClose');

const closedPeriodSchema = z
  .object({
    object: z.literal('settlement_period'),
    period_end: z.iso.datetime(),
    amount: z.number().int().openapi({ description: 'All its settlements, in cents.' }),
    redemptions: z.number().int(),
    settlements: z.array(settlementSummarySchema),
  })
  .openapi('ClosedPeriod');

const listQuery = pageQuery.extend({ provider_id: z.uuid().optional() });

interface LineRow {
  redemption_id: string;
  captured_at: Date;
  offer_id: string;
  offer_title: string;
  booking_reference: string;
  seats: number;
  amount: bigint;
}

const idParam = z.object({ id: z.uuid() });

/**
 * Paying providers (settlements/settle.ts): one provider at a time, or every provider of an
 * operator when it closes a period. A settled redemption is no longer reversed (409
 * `already_settled`), so a settlement and its CSV stay true once sent.
 */
export function settlementRoutes(services: Services) {
  const { sql } = services;
  const app = apiRouter();

  // The CSV first: its path would otherwise match /settlements/{id}.
  app.get('/settlements/:file{[0-9a-f-]{36}\\.csv}', async (c) => {
    const id = c.req.param('file').slice(0, -'.csv'.length);
    const settlement = await visibleSettlement(sql, principalOf(c), id);
    const lines = await settlementLines(sql, id);
    const rows = [
      ['date', 'offer', 'booking reference', 'seats', 'amount (EUR)'],
      ...lines.map((line) => [italianDate(line.captured_at), line.offer_title, line.booking_reference, String(line.seats), decimalAmount(line.amount)]),
      ['total', '', '', String(lines.reduce((sum, line) => sum + line.seats, 0)), decimalAmount(settlement.amount)],
    ];
    return csvAttachment(c, `settlement-${italianDate(settlement.period_end)}-${id.slice(-8)}.csv`, rows);
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/settlements/{id}.csv',
    tags: ['Settlements'],
    summary: 'A settlement as a spreadsheet',
    description:
      'UTF-8 with a BOM, comma-separated: one row per redemption (the day it was captured, in Italian time; offer; booking reference; seats; amount ' +
      'in euros) and a total row. No beneficiary data.',
    security: bearer,
    request: { params: idParam },
    responses: { 200: { description: 'The CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...problems(401, 403, 404) },
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settlements',
      tags: ['Settlements'],
      summary: 'Settle a provider',
      description:
        'The operator that manages the provider (or the admin) pays it everything captured and not yet settled up to ' +
        '`period_end`, less what was reversed. One SETTLE transfer, id = the settlement id. A settlement with nothing ' +
        'to pay is recorded with amount 0. The same provider and `period_end` again answers the settlement already made ' +
        '(200). `GET /v1/settlements/{id}.csv` gives the statement as CSV.',
      security: bearer,
      request: { body: jsonBody(newSettlementSchema) },
      responses: {
        201: jsonResponse(settlementSchema, 'The settlement and its lines'),
        200: jsonResponse(settlementSchema, 'This provider was already settled for this period end'),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const body = c.req.valid('json');
      const end = pastPeriodEnd(body.period_end);
      const [provider] = await sql<(ProviderToSettle & { managed_by: string | null })[]>`
        select id, managed_by, payable_account_id from organizations where id = ${body.provider_id} and kind = 'provider'`;
      if (provider === undefined || (operator !== undefined && provider.managed_by !== operator.id)) {
        throw new Problem(404, 'not_found', 'Provider not found', `No provider ${body.provider_id} that you manage.`);
      }
      const { settlement, created } = (await settleProvider(services, provider, end, { recordEmpty: true }))!;
      return c.json(await settlementJson(sql, settlement), created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settlements/close_period',
      tags: ['Settlements'],
      summary: 'Close a period: settle every provider',
      description:
        'The operator settles each provider it manages that has something captured and not yet settled up to ' +
        '`period_end`: one settlement per provider, each in its own transaction. Closing the same `period_end` again ' +
        'answers the same settlements, and settles only what was not settled yet: 201 when it made one, 200 when it made none (all made before, or nothing to settle).',
      security: bearer,
      request: { body: jsonBody(periodCloseSchema) },
      responses: {
        201: jsonResponse(closedPeriodSchema, "The period's settlements, some made now"),
        200: jsonResponse(closedPeriodSchema, 'The period was already closed: its settlements'),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const body = c.req.valid('json');
      const end = pastPeriodEnd(body.period_end);
      if (operator !== undefined && body.operator_id !== undefined && body.operator_id !== operator.id) {
        throw new Problem(404, 'not_found', 'Operator not found', 'An operator closes its own periods.');
      }
      const managedBy = operator?.id ?? body.operator_id;
      const providers = await sql<ProviderToSettle[]>`
        select p.id, p.payable_account_id, p.managed_by from organizations p
        where p.kind = 'provider' ${managedBy === undefined ? sql`` : sql`and p.managed_by = ${managedBy}`}
          and (exists (select from redemptions r
                       where r.provider_id = p.id and r.settlement_id is null and r.status in ('captured', 'reversed')
                         and r.captured_at <= ${end})
               or exists (select from settlements s where s.provider_id = p.id and s.period_end = ${end}))
        order by p.id`;
      const settlements: SettlementRow[] = [];
      let createdAny = false;
      for (const provider of providers) {
        const settled = await settleProvider(services, provider, end, { recordEmpty: false });
        if (settled !== undefined) settlements.push(settled.settlement);
        createdAny ||= settled?.created === true;
      }
      return c.json(
        {
          object: 'settlement_period' as const,
          period_end: end.toISOString(),
          amount: amountJson(settlements.reduce((sum, settlement) => sum + settlement.amount, 0n)),
          redemptions: settlements.reduce((sum, settlement) => sum + settlement.redemptions, 0),
          settlements: settlements.map(settlementSummaryJson),
        },
        createdAny ? 201 : 200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/settlements',
      tags: ['Settlements'],
      summary: 'List settlements',
      description: "A provider's own (secret or desk key), an operator's providers', or all for the admin; oldest first, without lines.",
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(settlementSummarySchema), 'A page of settlements'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const own = requireAccess(principalOf(c), { organizations: ['operator', 'provider'], keys: ['secret', 'desk'] });
      const query = c.req.valid('query');
      const rows = await sql<SettlementRow[]>`
        select s.* from settlements s join organizations p on p.id = s.provider_id
        where s.id > ${after(query)}
          ${own === undefined ? sql`` : sql`and (s.provider_id = ${own.id} or p.managed_by = ${own.id})`}
          ${query.provider_id === undefined ? sql`` : sql`and s.provider_id = ${query.provider_id}`}
        order by s.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(settlementSummaryJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/settlements/{id}',
      tags: ['Settlements'],
      summary: 'Retrieve a settlement',
      description: 'For the provider (secret or desk key), its operator and the admin. Add `.csv` to the path for a spreadsheet.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(settlementSchema, 'The settlement and its lines'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const settlement = await visibleSettlement(sql, principalOf(c), c.req.valid('param').id);
      return c.json(await settlementJson(sql, settlement), 200);
    },
  );

  return app;
}

/** `value` (now when absent), refused when still to come: only a period that has ended is settled. */
function pastPeriodEnd(value: string | undefined): Date {
  const end = value === undefined ? new Date() : new Date(value);
  if (end.getTime() > Date.now()) {
    throw new Problem(400, 'invalid_request', 'Period in the future', 'A period can only be settled once it has ended.', [
      { path: 'period_end', message: 'must not be in the future' },
    ]);
  }
  return end;
}

async function visibleSettlement(sql: Sql, principal: Principal, id: string): Promise<SettlementRow> {
  const own = requireAccess(principal, { organizations: ['operator', 'provider'], keys: ['secret', 'desk'] });
  const [row] = await sql<(SettlementRow & { managed_by: string | null })[]>`
    select s.*, p.managed_by from settlements s join organizations p on p.id = s.provider_id where s.id = ${id}`;
  if (row === undefined || (own !== undefined && own.id !== row.provider_id && own.id !== row.managed_by)) {
    throw new Problem(404, 'not_found', 'Settlement not found', `No settlement ${id} of yours.`);
  }
  return row;
}

async function settlementLines(sql: Sql, id: string): Promise<LineRow[]> {
  return sql<LineRow[]>`
    select r.id as redemption_id, r.captured_at, r.offer_id, o.title ->> 'it' as offer_title, r.booking_reference,
           r.captured_seats - (r.reversed_amount / r.seat_price)::int as seats,
           r.captured_amount - r.reversed_amount as amount
    from redemptions r join offers o on o.id = r.offer_id
    where r.settlement_id = ${id} order by r.captured_at, r.id`;
}

async function settlementJson(sql: Sql, row: SettlementRow) {
  const lines = await settlementLines(sql, row.id);
  return {
    ...settlementSummaryJson(row),
    lines: lines.map((line) => ({
      redemption_id: line.redemption_id,
      captured_at: line.captured_at.toISOString(),
      offer_id: line.offer_id,
      offer_title: line.offer_title,
      booking_reference: line.booking_reference,
      seats: line.seats,
      amount: amountJson(line.amount),
    })),
  };
}
