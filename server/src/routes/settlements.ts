import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Sql } from '../db/connection.js';
import type { Principal, Services } from '../http/context.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson } from '../http/schemas.js';
import { newId, payoutsAccountId } from '../ids.js';
import { retryTransaction } from '../ledger/ledger.js';
import { Problem } from '../problem.js';

const settlementLineSchema = z.object({
  redemption_id: z.uuid(),
  captured_at: z.iso.datetime(),
  offer_id: z.uuid(),
  offer_title: z.string(),
  booking_reference: z.string(),
  seats: z.number().int(),
  amount: z.number().int().openapi({ description: 'Captured less reversed, in cents.' }),
});

const settlementSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('settlement'),
    provider_id: z.uuid(),
    period_end: z.iso.datetime(),
    amount: z.number().int().openapi({ description: 'What the provider is paid, in cents.' }),
    currency: z.string(),
    redemptions: z.number().int(),
    created_at: z.iso.datetime(),
    lines: z.array(settlementLineSchema),
  })
  .openapi('Settlement');

const newSettlementSchema = z
  .strictObject({
    provider_id: z.uuid(),
    period_end: z.iso.datetime({ offset: true }).optional().openapi({
      description: 'Redemptions captured up to this moment are settled; now by default. Not in the future.',
    }),
  })
  .openapi('NewSettlement');

interface SettlementRow {
  id: string;
  provider_id: string;
  period_end: Date;
  amount: bigint;
  redemptions: number;
  currency: string;
  created_at: Date;
}

interface LineRow {
  redemption_id: string;
  captured_at: Date;
  offer_id: string;
  offer_title: string;
  booking_reference: string;
  seats: number;
  amount: bigint;
}

/**
 * Paying providers: a settlement takes every captured redemption of a provider not yet settled up
 * to `period_end`, pays what they captured less what was reversed with one SETTLE transfer (whose
 * id is the settlement's), and marks them settled; a settled redemption is no longer reversed.
 */
export function settlementRoutes({ sql, ledger }: Services) {
  const app = apiRouter();

  // The CSV first: its path would otherwise match /settlements/{id}.
  app.get('/settlements/:file{[0-9a-f-]{36}\\.csv}', async (c) => {
    const id = c.req.param('file').slice(0, -'.csv'.length);
    const settlement = await visibleSettlement(sql, principalOf(c), id);
    const lines = await settlementLines(sql, id);
    const euros = (cents: bigint) => (Number(cents) / 100).toFixed(2);
    const cell = (text: string) => (/[",\n;]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
    const rows = [
      ['date', 'offer', 'booking reference', 'seats', 'amount (EUR)'],
      ...lines.map((line) => [line.captured_at.toISOString().slice(0, 10), line.offer_title, line.booking_reference, String(line.seats), euros(line.amount)]),
      ['total', '', '', String(lines.reduce((sum, line) => sum + line.seats, 0)), euros(settlement.amount)],
    ];
    c.header('Content-Disposition', `attachment; filename="settlement-${settlement.period_end.toISOString().slice(0, 10)}-${id.slice(-8)}.csv"`);
    // A BOM so spreadsheet programs read the accents of offer titles right.
    return c.body(`\uFEFF${rows.map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  app.openapi(
    createRoute({
      method: 'post',
      path: '/settlements',
      tags: ['Settlements'],
      summary: 'Settle a provider',
      description:
        'The operator that manages the provider (or the admin) pays it everything captured and not yet settled up to ' +
        '`period_end`, less what was reversed. One SETTLE transfer, id = the settlement id; send an Idempotency-Key ' +
        'to retry safely. A settlement with nothing to pay is recorded with amount 0. `GET /v1/settlements/{id}.csv` ' +
        'gives the statement as CSV (one row per redemption, no beneficiary data).',
      security: bearer,
      request: { body: jsonBody(newSettlementSchema) },
      responses: { 201: jsonResponse(settlementSchema, 'The settlement and its lines'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const operator = requireAccess(principal, { organizations: ['operator'] });
      const body = c.req.valid('json');
      const periodEnd = body.period_end === undefined ? new Date() : new Date(body.period_end);
      if (periodEnd.getTime() > Date.now()) {
        throw new Problem(400, 'invalid_request', 'Period in the future', 'A period can only be settled once it has ended.', [
          { path: 'period_end', message: 'must not be in the future' },
        ]);
      }
      const [provider] = await sql<{ id: string; managed_by: string | null; payable_account_id: string }[]>`
        select id, managed_by, payable_account_id from organizations where id = ${body.provider_id} and kind = 'provider'`;
      if (provider === undefined || (operator !== undefined && provider.managed_by !== operator.id)) {
        throw new Problem(404, 'not_found', 'Provider not found', `No provider ${body.provider_id} that you manage.`);
      }
      const id = newId();
      const settlement = await retryTransaction(() =>
        sql.begin(async (tx) => {
          // Locked: a reversal waits for the settlement, then finds its redemption settled.
          const due = await tx<{ id: string; net: bigint; currency: string }[]>`
            select id, captured_amount - reversed_amount as net, currency from redemptions
            where provider_id = ${provider.id} and settlement_id is null and status in ('captured', 'reversed')
              and captured_at <= ${periodEnd}
            order by id for update`;
          const amount = due.reduce((sum, row) => sum + row.net, 0n);
          const [row] = await tx<SettlementRow[]>`
            insert into settlements (id, provider_id, period_end, amount, redemptions, currency)
            values (${id}, ${provider.id}, ${periodEnd}, ${amount}, ${due.length}, 'EUR') returning *`;
          await tx`update redemptions set settlement_id = ${id} where id = any(${due.map((line) => line.id)}::uuid[])`;
          if (amount > 0n) {
            const [outcome] = await ledger.within(tx).createTransfers([
              { id, code: 'SETTLE', debitAccountId: provider.payable_account_id, creditAccountId: payoutsAccountId, amount },
            ]);
            if (outcome!.result !== 'ok') throw new Error(`the ledger refused settlement ${id}: ${outcome!.result}`);
          }
          return row!;
        }),
      );
      return c.json(settlementJson(settlement, await settlementLines(sql, id)), 201);
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
      request: { params: z.object({ id: z.uuid() }) },
      responses: { 200: jsonResponse(settlementSchema, 'The settlement and its lines'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const settlement = await visibleSettlement(sql, principalOf(c), id);
      return c.json(settlementJson(settlement, await settlementLines(sql, id)), 200);
    },
  );

  return app;
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

function settlementJson(row: SettlementRow, lines: LineRow[]) {
  return {
    id: row.id,
    object: 'settlement' as const,
    provider_id: row.provider_id,
    period_end: row.period_end.toISOString(),
    amount: amountJson(row.amount),
    currency: row.currency,
    redemptions: row.redemptions,
    created_at: row.created_at.toISOString(),
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
