import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Services } from '../http/context.js';
import { apiRouter, bearer, jsonResponse, problems } from '../http/router.js';
import { reconcile } from '../ledger/reconciliation.js';

// Rows of figures in cents, keyed as in docs/ledger.md (snake_case).
const figures = z.array(z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])));

const reconciliationSchema = z
  .object({
    object: z.literal('reconciliation'),
    clean: z.boolean().openapi({ description: 'True when every invariant of docs/ledger.md holds.' }),
    checked_at: z.iso.datetime(),
    accounts: z.number().int().optional().openapi({ description: 'The whole ledger: admin key only, as totals, by_code and open_holds.' }),
    transfers: z.number().int().optional(),
    totals: figures.optional(),
    by_code: figures.optional(),
    open_holds: z.object({ count: z.number().int(), amount: z.number().int() }).optional(),
    pools: figures.openapi({ description: "Each pool's identity; an operator sees its own circuits' pools." }),
    problems: z.array(z.string()).openapi({ description: 'What failed; for an operator, what names one of its pools.' }),
  })
  .openapi('Reconciliation');

/** `GET /v1/ledger/reconciliation`: every ledger invariant checked on one snapshot, for the operator. */
export function ledgerRoutes({ sql }: Services) {
  const app = apiRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/ledger/reconciliation',
      tags: ['Ledger'],
      summary: 'Reconcile the ledger',
      description:
        'Checks Σ debits = Σ credits, every cached counter against the transfers, overdrafts, holds, ' +
        'reversals and the identity of every pool, on one consistent snapshot. Amounts in cents. ' +
        "Reads every transfer: run it for audits, not on every page view. An operator's key sees whether the whole ledger " +
        'is clean and the figures of its own circuits\' pools; the admin key every figure.',
      security: bearer,
      responses: { 200: jsonResponse(reconciliationSchema, 'The figures and what failed'), ...problems(401, 403) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const report = await reconcile(sql);
      // `clean` is the whole ledger's. Its figures are the admin's; an operator sees its own circuits' pools
      // (and what failed in them) and nothing from which another operator's money could be worked out.
      const own =
        operator === undefined
          ? undefined
          : (await sql<{ id: string }[]>`
              select p.id from pools p join circuits ci on ci.id = p.circuit_id where ci.operator_id = ${operator.id}`).map((pool) => pool.id);
      const wholeLedger =
        own === undefined
          ? {
              accounts: report.accounts,
              transfers: report.transfers,
              totals: report.totals.map(snakeCase),
              by_code: report.byCode.map(snakeCase),
              open_holds: { count: report.openHolds.count, amount: Number(report.openHolds.amount) },
            }
          : {};
      return c.json(
        {
          object: 'reconciliation' as const,
          clean: report.clean,
          checked_at: report.checkedAt.toISOString(),
          ...wholeLedger,
          pools: (own === undefined ? report.pools : report.pools.filter((pool) => own.includes(pool.accountId))).map(snakeCase),
          problems: own === undefined ? report.problems : report.problems.filter((problem) => own.some((id) => problem.includes(id))),
        },
        200,
      );
    },
  );
  return app;
}

/** camelCase keys to snake_case, bigint amounts to numbers (exact: the ledger caps amounts at 10^11). */
function snakeCase(object: object): Record<string, string | number | boolean | null> {
  return Object.fromEntries(
    Object.entries(object).map(([key, value]) => [
      key.replaceAll(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`),
      typeof value === 'bigint' ? Number(value) : (value as string | number | boolean | null),
    ]),
  );
}
