import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import { italianDate } from '../calendar.js';
import type { Organization, Principal, Services } from '../http/context.js';
import { csvAttachment } from '../http/csv.js';
import { apiRouter, bearer, jsonResponse, problems } from '../http/router.js';
import { amountJson, decimalAmount, localizedText } from '../http/schemas.js';
import { impactTimeZone, mentorImpact, notesShown, sumRows, type ImpactRow } from '../impact/impact.js';
import { Problem } from '../problem.js';

const figures = {
  given: z.number().int().openapi({ description: 'Succeeded sponsorships, in cents.' }),
  sponsorships: z.number().int(),
  seats_funded: z.number().int().openapi({ description: "Seats bought (a campaign's seat price divides an amount; a gift to a pool funds money, not seats)." }),
  seats_used: z.number().openapi({ description: 'Seats booked and not cancelled, paid from the pools you funded: your share of them, to a tenth.' }),
  used: z.number().int().openapi({ description: 'What those seats cost: your share, in cents.' }),
};

const impactSchema = z
  .object({
    object: z.literal('mentor_impact'),
    mentor: z.object({ id: z.uuid(), name: z.string() }),
    currency: z.string(),
    time_zone: z.string().openapi({ description: 'Months are calendar months in this time zone.', example: impactTimeZone }),
    totals: z.object(figures),
    months: z.array(z.object({ month: z.string().openapi({ example: '2026-03' }), ...figures })).openapi({ description: 'Oldest first; months with no figure are left out.' }),
    categories: z
      .array(
        z.object({
          category: z.string().nullable().openapi({ description: 'A category slug; null: money not tied to one (a pool, a campaign without an offer).' }),
          name: localizedText(200).nullable().openapi({ description: "The category's name, as its circuit gives it." }),
          ...figures,
        }),
      )
      .openapi({ description: 'Largest given first.' }),
    rows: z
      .array(z.object({ month: z.string(), category: z.string().nullable(), ...figures }))
      .openapi({ description: 'Month × category, as in the CSV.' }),
    languages: z
      .array(z.object({ language: z.enum(['it', 'en', 'sq']), beneficiaries: z.number().int() }))
      .openapi({ description: 'How many young people, by the language they prefer, booked with money from the pools you funded. Counts only.' }),
    thank_you_notes: z
      .array(z.object({ id: z.uuid(), text: z.string(), language: z.enum(['it', 'en', 'sq']), created_at: z.iso.datetime() }))
      .openapi({ description: `The latest ${notesShown} approved notes from young people whose vouchers your money paid. Anonymous.` }),
  })
  .openapi('MentorImpact');

const attribution =
  "Seats used are attributed pro rata by amount: your share of a pool is what you gave it over all it was funded with, and " +
  'each booking paid from that pool counts that share of its seats and cost (a cancellation takes its part back). ';

/** A mentor's impact: with its secret key, or its desk key (rk_…), which reads the impact and nothing else. */
export function impactRoutes({ sql }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/mentors/me/impact',
      tags: ['Impact'],
      summary: "What the calling mentor's money did",
      description:
        "With the mentor's secret key or its desk key (rk_…, read-only: made for the mentor-impact widget). Counts the " +
        "mentor's succeeded sponsorships and the gifts made on its pages with its publishable keys, as its badge does. " +
        attribution +
        'No beneficiary is named: languages are counts only.',
      security: bearer,
      responses: { 200: jsonResponse(impactSchema, 'The impact'), ...problems(401, 403) },
    }),
    async (c) => {
      const mentor = requireMentor(principalOf(c));
      const impact = await mentorImpact(sql, mentor.id);
      return c.json(
        {
          object: 'mentor_impact' as const,
          mentor: { id: mentor.id, name: mentor.name },
          currency: impact.currency,
          time_zone: impactTimeZone,
          totals: figuresJson(impact.totals),
          months: groupBy(impact.rows, (row) => row.month).map(([month, rows]) => ({ month, ...figuresJson(sumRows(rows)) })),
          categories: groupBy(impact.rows, (row) => row.category)
            .map(([category, rows]) => ({
              category,
              name: category === null ? null : (impact.categoryNames.get(category) ?? null),
              ...figuresJson(sumRows(rows)),
            }))
            .sort((a, b) => b.given - a.given || b.used - a.used),
          rows: impact.rows.map((row) => ({ month: row.month, category: row.category, ...figuresJson(row) })),
          languages: impact.languages as { language: 'it' | 'en' | 'sq'; beneficiaries: number }[],
          thank_you_notes: impact.notes.map((note) => ({
            id: note.id,
            text: note.text,
            language: note.language as 'it' | 'en' | 'sq',
            created_at: note.createdAt.toISOString(),
          })),
        },
        200,
      );
    },
  );

  app.get('/mentors/me/impact.csv', async (c) => {
    const mentor = requireMentor(principalOf(c));
    const impact = await mentorImpact(sql, mentor.id);
    const rows = [
      ['month', 'category', 'given (EUR)', 'sponsorships', 'seats funded', 'seats used', 'used (EUR)'],
      ...impact.rows.map((row) => [row.month, row.category ?? '', ...csvFigures(row)]),
      ['total', '', ...csvFigures(impact.totals)],
    ];
    return csvAttachment(c, `impact-${italianDate(new Date())}.csv`, rows);
  });
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/mentors/me/impact.csv',
    tags: ['Impact'],
    summary: "The calling mentor's impact as a spreadsheet",
    description:
      'UTF-8 with a BOM, comma-separated, as the settlement CSVs: one row per month and category (month, category, given in ' +
      'euros, sponsorships, seats funded, seats used to a tenth, used in euros), then a total row that adds the rows up. ' +
      'An empty category is money not tied to one. ' +
      attribution,
    security: bearer,
    responses: { 200: { description: 'The CSV', content: { 'text/csv': { schema: { type: 'string' } } } }, ...problems(401, 403) },
  });

  return app;
}

function requireMentor(principal: Principal): Organization {
  const mentor = requireAccess(principal, { organizations: ['mentor'], keys: ['secret', 'desk'] });
  if (mentor === undefined) throw new Problem(403, 'forbidden', 'The admin key has no impact', "Call with the mentor's own secret or desk key.");
  return mentor;
}

function figuresJson(row: Omit<ImpactRow, 'month' | 'category'>) {
  return {
    given: amountJson(row.given),
    sponsorships: row.sponsorships,
    seats_funded: row.seatsFunded,
    seats_used: row.seatsUsedTenths / 10,
    used: amountJson(row.used),
  };
}

function csvFigures(row: Omit<ImpactRow, 'month' | 'category'>): string[] {
  return [
    decimalAmount(row.given),
    String(row.sponsorships),
    String(row.seatsFunded),
    (row.seatsUsedTenths / 10).toFixed(1),
    decimalAmount(row.used),
  ];
}

/** `rows` grouped by `key`, groups in the order their first row comes. */
function groupBy<K>(rows: ImpactRow[], key: (row: ImpactRow) => K): [K, ImpactRow[]][] {
  const groups = new Map<K, ImpactRow[]>();
  for (const row of rows) groups.set(key(row), [...(groups.get(key(row)) ?? []), row]);
  return [...groups];
}
