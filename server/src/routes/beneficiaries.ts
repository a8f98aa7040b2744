import { createRoute, z } from '@hono/zod-openapi';
import { principalOf } from '../auth/authenticate.js';
import type { Queryable } from '../db/connection.js';
import type { Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, invalidRequest, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson } from '../http/schemas.js';
import { newId } from '../ids.js';
import { Problem, type ProblemField } from '../problem.js';
import { requireReferrer, voucherFigures } from './vouchers.js';

const ageBands = ['0-13', '14-17', '18-25', '26+'] as const;

/** What a reference must not look like, and how to say so. Checked in this order. */
const personalPatterns: { what: string; matches: (reference: string) => boolean }[] = [
  { what: 'an email address', matches: (reference) => reference.includes('@') },
  {
    what: 'a date',
    matches: (reference) =>
      /(^|\D)(\d{1,2}[./-]\d{1,2}[./-](\d{4}|\d{2})|\d{4}[./-]\d{1,2}[./-]\d{1,2})(\D|$)/.test(reference) ||
      /(^|\D)((19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])|(0[1-9]|[12]\d|3[01])(0[1-9]|1[0-2])(19|20)\d\d)(\D|$)/.test(reference),
  },
  {
    what: 'a phone number',
    matches: (reference) =>
      (reference.match(/\+?\d[\d\s.()/-]*\d/g) ?? []).some((run) => run.replace(/\D/g, '').length >= 9),
  },
  {
    what: 'a codice fiscale',
    matches: (reference) => /[A-Z]{6}[\dLMNP-V]{2}[ABCDEHLMPRST][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]/i.test(reference),
  },
  {
    what: 'a first and last name',
    matches: (reference) =>
      /^[\p{L}\s'’-]+$/u.test(reference) && reference.split(/\s+/).filter((word) => /^\p{Lu}\p{Ll}/u.test(word)).length >= 2,
  },
];

/**
 * A beneficiary's reference of two or more words of letters alone, in any case ("ROSSI Mario" as a
 * school register writes it, "mario rossi"), or joined as in an email or a file name ("Mario-Rossi",
 * "mario.rossi", "rossi_mario"), is a name: a pseudonym has a digit or a single letter.
 * Only for references: a sentence of a thank-you note is words alone too.
 */
const wordsAlone = /^[\p{L}'’]{2,}([\s._-]+[\p{L}'’]{2,})+$/u;

/** A name and an initial with its dot, either way round: "Mario R.", "M. Rossi" ("gruppo A" has no dot). */
const nameAndInitial = /^(?:[\p{L}'’-]{2,}\s+\p{L}\.|\p{L}\.\s*[\p{L}'’-]{2,})$/u;

/** The rule, as the API documentation states it. */
const referenceRule =
  "Your own pseudonymous reference for the beneficiary, unique among yours, such as 3B-07 (the same in any case: 3b-07 is 3B-07): keep who is who in your own records. " +
  'Refused because it would identify a young person: anything with an @ (an email); a date (14/05/2009, 2009-05-14, 14.05.09, ' +
  '20090514); nine or more digits in a row, spaces, dots, dashes and brackets between them allowed (a phone number); an Italian ' +
  'codice fiscale; two or more words of letters alone, in any case, apart or joined by dots, dashes or underscores ' +
  '(a "Firstname Lastname", "ROSSI Mario", "mario.rossi"); ' +
  'a name and an initial ("Mario R.", "M. Rossi").';

/** What personal data `reference` looks like, or undefined when it looks like a pseudonym. */
export function personalDataIn(reference: string): string | undefined {
  return personalPatterns.find((pattern) => pattern.matches(reference))?.what;
}

/** What personal data a beneficiary's reference looks like: {@link personalDataIn}, and names in any case. */
function personalDataInReference(reference: string): string | undefined {
  const trimmed = reference.trim();
  return (
    personalDataIn(reference) ??
    (wordsAlone.test(trimmed) ? 'a first and last name' : nameAndInitial.test(trimmed) ? 'a name and an initial' : undefined)
  );
}

/**
 * What personal data a free text (a need's title or description) holds: the same checks, the name
 * one only on a text of two or three words, as a bare name is ("Opera season" passes, "Marco Rossi"
 * does not); a sentence of capitalised places and schools is not a name.
 */
export function personalDataInText(text: string): string | undefined {
  const bare = text.trim().split(/\s+/).length <= 3;
  return personalPatterns.find((pattern) => (bare || pattern.what !== 'a first and last name') && pattern.matches(text))?.what;
}

/**
 * The first of the referrer's beneficiaries' references that `texts` name, in any case and with any
 * of the separators a reference may have ("con la 3b 02 al museo" names 3B-02 and 3B.02): a text
 * others read would tell them who went where. Compared without separators, over runs of up to three
 * words joined by one space, dash, dot, slash or underscore; only runs of letters and digits
 * together, as such codes are: a word alone is the text's, not a reference.
 */
export async function beneficiaryReferenceIn(sql: Queryable, referrerId: string, texts: readonly string[]): Promise<string | undefined> {
  const runs = new Set<string>();
  for (const text of texts.map((text) => text.toUpperCase())) {
    const words = [...text.matchAll(/[\p{L}\p{N}]+/gu)];
    for (const [start, word] of words.entries()) {
      let run = word[0];
      for (let end = start; ; end += 1) {
        if (/\p{L}/u.test(run) && /\p{N}/u.test(run)) runs.add(run);
        const next = words[end + 1];
        if (next === undefined || end - start === 2) break;
        if (!/^[-./_ ]$/.test(text.slice(words[end]!.index + words[end]![0].length, next.index))) break;
        run += next[0];
      }
    }
  }
  if (runs.size === 0) return undefined;
  const [found] = await sql<{ reference: string }[]>`
    select reference from beneficiaries
    where referrer_id = ${referrerId} and regexp_replace(upper(reference), '[-./_ ]', '', 'g') = any(${[...runs]}::text[])
    limit 1`;
  return found?.reference;
}

/** Refuses `texts` others read (a thank-you note, a story) that name one of the referrer's beneficiaries ({@link beneficiaryReferenceIn}). */
export async function refuseBeneficiaryReference(
  sql: Queryable,
  referrerId: string,
  texts: readonly string[],
  { path, detail }: { path: string; detail: (reference: string) => string },
): Promise<void> {
  const found = await beneficiaryReferenceIn(sql, referrerId, texts);
  if (found === undefined) return;
  throw new Problem(400, 'invalid_request', 'No personal data, please', detail(found), [{ path, message: "names a beneficiary's reference" }]);
}

/** Body fields that would identify a young person (compared lowercase, without _ - or spaces). */
const personalFields = new Set([
  'name', 'firstname', 'lastname', 'surname', 'fullname', 'nome', 'cognome', 'email', 'mail', 'phone', 'telephone',
  'mobile', 'birthdate', 'dateofbirth', 'dob', 'birthday', 'address', 'taxcode', 'codicefiscale', 'fiscalcode',
]);

const isPersonalField = (key: string) => personalFields.has(key.toLowerCase().replace(/[\s_-]/g, ''));

export const beneficiarySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('beneficiary'),
    reference: z.string().nullable().openapi({ description: 'Your reference; null once the beneficiary was erased.' }),
    age_band: z.enum(ageBands),
    language: z.enum(['it', 'en', 'sq']),
    created_at: z.iso.datetime(),
    erased_at: z.iso.datetime().nullable().openapi({ description: 'When you erased them (POST /v1/beneficiaries/{id}/erase).' }),
  })
  .openapi('Beneficiary');

const beneficiaryWithUsageSchema = beneficiarySchema
  .extend({
    usage: z
      .object({
        vouchers: z.number().int(),
        issued: z.number().int().openapi({ description: 'The amounts of all their vouchers, in cents.' }),
        available: z.number().int().openapi({ description: 'What they can still spend, in cents.' }),
        spent: z.number().int().openapi({ description: 'What bookings took, less what cancellations gave back, in cents.' }),
      })
      .openapi({ description: 'Their vouchers, summed.' }),
  })
  .openapi('BeneficiaryWithUsage');

const newBeneficiarySchema = z
  .strictObject({
    reference: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .superRefine((reference, context) => {
        const what = personalDataInReference(reference);
        if (what !== undefined) {
          context.addIssue({
            code: 'custom',
            message: `this looks like ${what}; use your own pseudonymous reference, such as 3B-07`,
            params: { personalData: true },
          });
        }
      })
      .openapi({ description: referenceRule, example: '3B-07' }),
    age_band: z.enum(ageBands),
    language: z.enum(['it', 'en', 'sq']).openapi({ description: 'The language the beneficiary prefers for the widgets.' }),
  })
  .openapi('NewBeneficiary', {
    description: 'No names, emails, phone numbers, addresses or birth dates: such fields are refused.',
  });

const listQuery = pageQuery.extend({ reference: z.string().trim().min(1).max(64).optional() });

export interface BeneficiaryRow {
  id: string;
  reference: string | null;
  age_band: (typeof ageBands)[number];
  language: 'it' | 'en' | 'sq';
  created_at: Date;
  erased_at: Date | null;
}

interface UsageRow {
  vouchers: number;
  issued: bigint;
  available: bigint;
  spent: bigint;
}

const idParam = z.object({ id: z.uuid() });

/**
 * Beneficiaries: the young people a school or association nominates, known to the platform only
 * by the referrer's own reference, an age band and a language (DESIGN §1).
 */
export function beneficiaryRoutes({ sql }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/beneficiaries',
      tags: ['Beneficiaries'],
      summary: 'Nominate a beneficiary',
      description:
        "With the referrer's secret or desk key. Mentoring stores no names, emails or birth dates of minors: only your reference " +
        '(which must not look like one of those), the age band and the language. A reference you already used, in any case, answers 409.',
      security: bearer,
      request: { body: jsonBody(newBeneficiarySchema) },
      responses: { 201: jsonResponse(beneficiarySchema, 'The new beneficiary'), ...problems(400, 401, 403, 409) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const body = c.req.valid('json');
      // A reference is the same whatever its case ("5c-01" is "5C-01"): a class filtered by "5C" must not
      // list one pupil twice. The lock makes two nominations of one reference at once take turns.
      const row = await sql.begin(async (tx) => {
        await tx`select pg_advisory_xact_lock(hashtextextended(${referrer.id} || ':' || upper(${body.reference}), 0))`;
        const [inserted] = await tx<BeneficiaryRow[]>`
          insert into beneficiaries (id, referrer_id, reference, age_band, language)
          select ${newId()}, ${referrer.id}, ${body.reference}, ${body.age_band}, ${body.language}
          where not exists (select from beneficiaries where referrer_id = ${referrer.id} and upper(reference) = upper(${body.reference}))
          on conflict (referrer_id, reference) do nothing
          returning *`;
        return inserted;
      });
      if (row === undefined) {
        throw new Problem(409, 'conflict', 'Reference already used', `You already have a beneficiary with the reference ${body.reference}.`, [
          { path: 'reference', message: 'already used for another of your beneficiaries' },
        ]);
      }
      return c.json(beneficiaryJson(row), 201);
    },
    refusingPersonalData(
      'Send only your own reference for them (such as 3B-07), their age band and their language, and keep who is who in your own records.',
    ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/beneficiaries',
      tags: ['Beneficiaries'],
      summary: 'List your beneficiaries',
      description: 'Oldest first; `reference` finds one by your reference, in any case.',
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(beneficiarySchema), 'A page of beneficiaries'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const query = c.req.valid('query');
      const rows = await sql<BeneficiaryRow[]>`
        select * from beneficiaries
        where referrer_id = ${referrer.id} and id > ${after(query)}
          ${query.reference === undefined ? sql`` : sql`and upper(reference) = upper(${query.reference})`}
        order by id limit ${query.limit + 1}`;
      return c.json(page(rows.map(beneficiaryJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/beneficiaries/{id}',
      tags: ['Beneficiaries'],
      summary: 'Retrieve a beneficiary, with what their vouchers hold',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(beneficiaryWithUsageSchema, 'The beneficiary'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const id = c.req.valid('param').id;
      const [row] = await sql<BeneficiaryRow[]>`select * from beneficiaries where id = ${id} and referrer_id = ${referrer.id}`;
      if (row === undefined) throw new Problem(404, 'not_found', 'Beneficiary not found', `You have no beneficiary ${id}.`);
      const [usage] = await sql<UsageRow[]>`
        select count(*)::int as vouchers, coalesce(sum(amount), 0)::bigint as issued,
               coalesce(sum(available), 0)::bigint as available, coalesce(sum(spent), 0)::bigint as spent
        from (select v.amount, ${sql.unsafe(voucherFigures)}
              from vouchers v join accounts a on a.id = v.id where v.beneficiary_id = ${id}) figures`;
      return c.json(
        {
          ...beneficiaryJson(row),
          usage: {
            vouchers: usage!.vouchers,
            issued: amountJson(usage!.issued),
            available: amountJson(usage!.available),
            spent: amountJson(usage!.spent),
          },
        },
        200,
      );
    },
  );

  return app;
}

/**
 * A validation hook answering a 400 that says why personal data is refused (with `advice` on what to
 * send instead), rather than only calling the field unknown. Fields flag personal data with
 * `params: { personalData: true }` on their issue.
 */
export function refusingPersonalData(advice: string) {
  return (result: { success: true } | { success: false; error: z.ZodError }) => {
    if (!result.success) throw personalDataProblem(result.error, advice);
    return undefined;
  };
}

function personalDataProblem(error: z.ZodError, advice: string): Problem {
  const sentPersonalData = error.issues.some(
    (issue) =>
      (issue.code === 'unrecognized_keys' && issue.keys.some(isPersonalField)) ||
      (issue.code === 'custom' && issue.params?.personalData === true),
  );
  if (!sentPersonalData) return invalidRequest(error);
  const errors = error.issues.flatMap((issue): ProblemField[] =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          path: [...issue.path, key].map(String).join('.'),
          message: isPersonalField(key) ? 'personal data: Mentoring does not store it' : 'Unknown field: this endpoint does not take it.',
        }))
      : [{ path: issue.path.map(String).join('.'), message: issue.message }],
  );
  return new Problem(
    400,
    'invalid_request',
    'No personal data, please',
    `Mentoring stores no names, emails, phone numbers, addresses or birth dates of the young people it helps. ${advice}`,
    errors,
  );
}

export function beneficiaryJson(row: BeneficiaryRow) {
  return {
    id: row.id,
    object: 'beneficiary' as const,
    reference: row.reference,
    age_band: row.age_band,
    language: row.language,
    created_at: row.created_at.toISOString(),
    erased_at: row.erased_at?.toISOString() ?? null,
  };
}
