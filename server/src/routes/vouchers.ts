import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Queryable } from '../db/connection.js';
import type { Organization, Principal, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, formatMoney, minorUnits } from '../http/schemas.js';
import { derivedId, newId } from '../ids.js';
import { retryTransaction } from '../ledger/ledger.js';
import { needSelect, needStatus, type NeedRow } from '../needs/needs.js';
import { Problem, type ProblemField } from '../problem.js';
import { codeHint, generateCode, generatePin, hashCode, hashPin } from '../vouchers/code.js';
import { openingProblems, requireVoucherOpener, unlockVoucher, type VoucherRestrictions } from '../vouchers/unlock.js';
import { enqueueEvents } from '../webhooks/events.js';

/** The most vouchers one batch issues: a class, with room to spare. */
export const maxVouchersPerBatch = 100;

/** How far ahead a voucher may expire. */
const maxValidityYears = 2;

/** A voucher's money (`v` a vouchers row, `a` its ledger account): what is left, and what captures took less what reversals gave back. */
export const voucherFigures =
  'a.credits_posted - a.debits_posted - a.debits_pending as available, ' +
  "(select coalesce(sum(case t.code when 'CAPTURE' then t.amount else -t.amount end), 0)::bigint from transfers t " +
  "where (t.debit_account_id = v.id and t.code = 'CAPTURE') or (t.credit_account_id = v.id and t.code = 'REVERSE')) as spent";

export const voucherColumns =
  'v.id, v.beneficiary_id, v.pool_id, v.circuit_id, v.amount, v.currency, v.code_hint, v.locked_at is not null as locked, ' +
  `v.expires_at, v.restrictions, v.created_at, ${voucherFigures}`;

const restrictionsSchema = z
  .object({
    circuit_id: z.uuid(),
    categories: z.array(z.string()).openapi({ description: 'Category slugs, e.g. `theatre`; empty: any.' }),
    offer_ids: z.array(z.uuid()).openapi({ description: 'Empty: any offer.' }),
    provider_ids: z.array(z.uuid()).openapi({ description: 'Empty: any provider.' }),
  })
  .openapi('VoucherRestrictions', { description: 'Where the voucher can be spent: offers of its circuit that fit every non-empty list.' });

export const voucherSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('voucher'),
    beneficiary_id: z.uuid(),
    pool_id: z.uuid(),
    amount: z.number().int().openapi({ description: 'What was issued, in cents.' }),
    available: z.number().int().openapi({ description: 'What can still be spent, in cents.' }),
    spent: z.number().int().openapi({ description: 'What bookings took, less what cancellations gave back, in cents.' }),
    currency: z.string(),
    expires_at: z.iso.datetime(),
    restrictions: restrictionsSchema,
    locked: z.boolean().openapi({ description: 'Locked after too many wrong PINs; POST /v1/vouchers/{id}/unlock opens it.' }),
    code_hint: z.string().openapi({ description: 'The last characters of the code, to tell cards apart.', example: 'W2DC-8' }),
    created_at: z.iso.datetime(),
  })
  .openapi('Voucher');

export const issuedVoucherSchema = voucherSchema
  .extend({
    code: z.string().openapi({ description: 'Shown only in this response: print or hand it over now.', example: 'MNT-7K3Q-9XPA-W2DC-8' }),
    pin: z.string().openapi({ description: 'Shown only in this response, with the code.', example: '048213' }),
  })
  .openapi('IssuedVoucher');

const voucherCheckSchema = z
  .object({
    object: z.literal('voucher_check'),
    voucher_id: z.uuid(),
    code_hint: z.string(),
    available: z.number().int().openapi({ description: 'What can still be spent, in cents.' }),
    currency: z.string(),
    expires_at: z.iso.datetime(),
    restrictions: restrictionsSchema,
  })
  .openapi('VoucherCheck');

const newRestrictionsSchema = z
  .strictObject({
    categories: z.array(z.string().min(1).max(64)).min(1).max(20).optional().openapi({ description: "Slugs of the circuit's categories." }),
    offer_ids: z.array(z.uuid()).min(1).max(100).optional().openapi({ description: 'Offers of the circuit.' }),
    provider_ids: z.array(z.uuid()).min(1).max(100).optional().openapi({ description: 'Providers of the circuit.' }),
  })
  .openapi('NewVoucherRestrictions', { description: "Absent: anywhere in the pool's circuit." });

const newVoucherSchema = z
  .strictObject({
    beneficiary_id: z.uuid().openapi({ description: 'One of your beneficiaries.' }),
    pool_id: z.uuid().optional().openapi({ description: 'The fund it is issued from, within your allocation. Give pool_id or need_id.' }),
    need_id: z.uuid().optional().openapi({
      description:
        "One of your needs that mentors funded (or that you closed, or whose deadline passed): issued from the need's pool, " +
        "outside your allocations, restricted to the need's circuit, category and offer.",
    }),
    amount: minorUnits,
    expires_at: z.iso
      .datetime({ offset: true })
      .refine((value) => Date.parse(value) > Date.now(), 'must be in the future')
      .refine((value) => Date.parse(value) <= latestExpiry(new Date()).getTime(), `must be at most ${maxValidityYears} years away`)
      .optional()
      .openapi({ description: 'Default: the end of the season, the next 31 August at 23:59:59 Italian time.' }),
    restrictions: newRestrictionsSchema.optional().openapi({ description: 'Not with need_id: the need sets them.' }),
  })
  .superRefine((voucher, context) => {
    if ((voucher.pool_id === undefined) === (voucher.need_id === undefined)) {
      context.addIssue({ code: 'custom', path: ['pool_id'], message: 'give exactly one of pool_id and need_id' });
    }
    if (voucher.need_id !== undefined && voucher.restrictions !== undefined) {
      context.addIssue({ code: 'custom', path: ['restrictions'], message: "a need's voucher is restricted to the need's category and offer" });
    }
  })
  .openapi('NewVoucher');

const voucherBatchSchema = z
  .strictObject({ vouchers: z.array(newVoucherSchema).min(1).max(maxVouchersPerBatch) })
  .openapi('NewVoucherBatch');

const checkSchema = z
  .strictObject({
    code: z.string().min(1).max(64).openapi({ description: 'Spaces, dashes and lowercase are fine.', example: 'mnt 7k3q 9xpa w2dc 8' }),
    pin: z.string().regex(/^\d{4,6}$/, 'a PIN is 4 to 6 digits'),
  })
  .openapi('VoucherCheckRequest');

const listQuery = pageQuery.extend({ beneficiary_id: z.uuid().optional() });

/** A voucher to issue, its fund known: a need's request carries the need's pool and restrictions. */
type NewVoucher = Omit<z.infer<typeof newVoucherSchema>, 'pool_id'> & { pool_id: string };

export interface VoucherRow {
  id: string;
  beneficiary_id: string;
  pool_id: string;
  circuit_id: string;
  amount: bigint;
  currency: string;
  code_hint: string;
  locked: boolean;
  expires_at: Date;
  restrictions: VoucherRestrictions;
  created_at: Date;
  available: bigint;
  spent: bigint;
}

interface PoolRow {
  id: string;
  circuit_id: string;
  operator_id: string;
  currency: string;
  categories: { slug: string }[];
}

/** Where a field of the `index`-th voucher is, for error paths: `amount` alone, `vouchers.3.amount` in a batch. */
type FieldPath = (index: number, field: string) => string;

const idParam = z.object({ id: z.uuid() });

/**
 * Vouchers: a referrer issues them from a pool, within its allocation, one or a class at a time;
 * anyone holding the code and PIN (through a provider's page or box office) checks what is left.
 */
export function voucherRoutes(services: Services) {
  const { sql } = services;
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/vouchers',
      tags: ['Vouchers'],
      summary: 'Issue a voucher to a beneficiary',
      description:
        "With the referrer's secret or desk key, from a pool, within the referrer's allocation and the money the pool has. " +
        'The answer carries the code and the PIN, shown only this once.',
      security: bearer,
      request: { body: jsonBody(newVoucherSchema) },
      responses: { 201: jsonResponse(issuedVoucherSchema, 'The voucher, with its code and PIN'), ...problems(400, 401, 403, 404, 422) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const [voucher] = await issueVouchers(services, referrer, [c.req.valid('json')], (_, field) => field);
      return c.json(voucher!, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/vouchers/batch',
      tags: ['Vouchers'],
      summary: 'Issue vouchers for a whole class',
      description:
        `Up to ${maxVouchersPerBatch} vouchers, all or none: a refusal names the voucher (\`vouchers.3.amount\`) and nothing is issued. ` +
        'Codes and PINs are shown only in this answer.',
      security: bearer,
      request: { body: jsonBody(voucherBatchSchema) },
      responses: {
        201: jsonResponse(z.object({ data: z.array(issuedVoucherSchema) }).openapi('IssuedVoucherBatch'), 'The vouchers, in the order asked'),
        ...problems(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const data = await issueVouchers(services, referrer, c.req.valid('json').vouchers, (index, field) => `vouchers.${index}.${field}`);
      return c.json({ data }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/vouchers/check',
      tags: ['Vouchers'],
      summary: 'Check a voucher with its code and PIN',
      description:
        "What is left, until when and where it can be spent. With a provider's publishable key (in the page) or desk key " +
        '(box office), or a secret key. Wrong PINs count: after 5 the voucher locks until its referrer unlocks it.',
      security: bearer,
      request: { body: jsonBody(checkSchema) },
      responses: {
        200: jsonResponse(voucherCheckSchema, 'The voucher'),
        ...openingProblems,
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      requireVoucherOpener(principal);
      const voucher = await unlockVoucher(services, c, principal, c.req.valid('json'));
      return c.json(
        {
          object: 'voucher_check' as const,
          voucher_id: voucher.id,
          code_hint: voucher.codeHint,
          available: amountJson(voucher.available),
          currency: voucher.currency,
          expires_at: voucher.expiresAt.toISOString(),
          restrictions: restrictionsJson(voucher.circuitId, voucher.restrictions),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/vouchers',
      tags: ['Vouchers'],
      summary: 'List the vouchers you issued',
      description: 'Oldest first; `beneficiary_id` keeps one beneficiary’s.',
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(voucherSchema), 'A page of vouchers'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const query = c.req.valid('query');
      const rows = await sql<VoucherRow[]>`
        select ${sql.unsafe(voucherColumns)} from vouchers v join accounts a on a.id = v.id
        where v.referrer_id = ${referrer.id} and v.id > ${after(query)}
          ${query.beneficiary_id === undefined ? sql`` : sql`and v.beneficiary_id = ${query.beneficiary_id}`}
        order by v.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(voucherJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/vouchers/{id}',
      tags: ['Vouchers'],
      summary: 'Retrieve a voucher you issued',
      description: 'Never shows the code or the PIN.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(voucherSchema, 'The voucher'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      return c.json(voucherJson(await ownVoucher(sql, referrer, c.req.valid('param').id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/vouchers/{id}/unlock',
      tags: ['Vouchers'],
      summary: 'Unlock a voucher locked by wrong PINs',
      description: 'The issuing referrer, once it has made sure the beneficiary has the card: the wrong-PIN count starts again.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(voucherSchema, 'The unlocked voucher'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const voucher = await ownVoucher(sql, referrer, c.req.valid('param').id);
      await sql`update vouchers set pin_failures = 0, locked_at = null where id = ${voucher.id}`;
      return c.json(voucherJson({ ...voucher, locked: false }), 200);
    },
  );

  return app;
}

/**
 * Beneficiaries and vouchers belong to a referrer: only its keys reach them (not even the admin's).
 * Its desk key (`{ desk: true }`) does the office's everyday work: nominate, issue, read, unlock.
 */
export function requireReferrer(principal: Principal, { desk = false } = {}): Organization {
  const referrer = requireAccess(principal, { organizations: ['referrer'], keys: desk ? ['secret', 'desk'] : ['secret'] });
  if (referrer === undefined) {
    throw new Problem(403, 'forbidden', 'Only a referrer', 'Beneficiaries and vouchers belong to a school or association: use its secret key.');
  }
  return referrer;
}

/** The end of the school season: the next 31 August, 23:59:59 Italian time. */
export function seasonEnd(now: Date): Date {
  for (let year = now.getUTCFullYear(); ; year++) {
    const end = italianTime(year, 8, 31, 23, 59, 59);
    if (end > now) return end;
  }
}

function italianTime(year: number, month: number, day: number, hour: number, minute: number, second: number): Date {
  const wallClock = Date.UTC(year, month - 1, day, hour, minute, second);
  const zone = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Rome', timeZoneName: 'longOffset' }).format(wallClock);
  const [, sign, hours, minutes] = /GMT([+-])(\d\d):(\d\d)/.exec(zone) ?? [];
  const offsetMinutes = sign === undefined ? 0 : (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes));
  return new Date(wallClock - offsetMinutes * 60_000);
}

function latestExpiry(now: Date): Date {
  const latest = new Date(now);
  latest.setUTCFullYear(latest.getUTCFullYear() + maxValidityYears);
  return latest;
}

/**
 * Issues the vouchers in one transaction, all or none: each gets a ledger account (its id) and an
 * ISSUE from its pool (one linked ledger call), its row with the hashed code and PIN, and its
 * amount counted in the referrer's allocation. Returns them as the API shows them, code and PIN included.
 */
async function issueVouchers(services: Services, referrer: Organization, asked: z.infer<typeof newVoucherSchema>[], path: FieldPath) {
  const defaultExpiry = seasonEnd(new Date());
  const cards = asked.map(() => ({ id: newId(), code: generateCode(), pin: generatePin() }));
  const rows = await retryTransaction(() =>
    services.sql.begin(async (tx) => {
      const requests = await fromNeeds(tx, referrer, asked, path);
      const planned = cards.map((card, index) => ({ ...card, request: requests[index]! }));
      const pools = await findTargets(tx, referrer, requests, path);
      await checkRestrictions(tx, requests, pools, path);
      await takeAllocation(tx, referrer, requests, pools, path);
      const ledger = services.ledger.within(tx);
      const accounts = await ledger.createAccounts(
        planned.map(({ id, request }) => ({
          id,
          kind: 'voucher' as const,
          currency: pools.get(request.pool_id)!.currency,
          poolAccountId: request.pool_id,
          reference: `voucher:${id}`,
        })),
      );
      const failedAccount = accounts.find((account) => account.result !== 'ok');
      if (failedAccount !== undefined) throw new Error(`the ledger refused voucher account ${failedAccount.id}: ${failedAccount.result}`);
      const issues = await ledger.createLinkedTransfers(
        planned.map(({ id, request }) => ({
          id: derivedId(id, 'issue'),
          code: 'ISSUE' as const,
          debitAccountId: request.pool_id,
          creditAccountId: id,
          amount: BigInt(request.amount),
        })),
      );
      const refused = issues.findIndex((issue) => issue.result !== 'ok' && issue.result !== 'linked_event_failed');
      if (refused >= 0) {
        if (issues[refused]!.result !== 'insufficient_funds') throw new Error(`the ledger refused an ISSUE: ${issues[refused]!.result}`);
        throw new Problem(
          422,
          'insufficient_funds',
          'Not enough money in the fund',
          requests[refused]!.need_id === undefined
            ? `The fund has not enough money left for ${whichVoucher(requests, refused)}: ask the circuit's operator.`
            : `The need has not enough money left for ${whichVoucher(requests, refused)}: it holds what mentors gave, less the vouchers already issued from it.`,
          [{ path: path(refused, 'amount'), message: 'more than the fund has available' }],
        );
      }
      const records = planned.map(({ id, code, pin, request }) => ({
        id,
        beneficiary_id: request.beneficiary_id,
        pool_id: request.pool_id,
        circuit_id: pools.get(request.pool_id)!.circuit_id,
        amount: request.amount,
        currency: pools.get(request.pool_id)!.currency,
        code_hash: hashCode(code).toString('hex'),
        code_hint: codeHint(code),
        pin_hash: hashPin(id, pin).toString('hex'),
        expires_at: request.expires_at ?? defaultExpiry.toISOString(),
        restrictions: request.restrictions ?? {},
      }));
      await tx`
        insert into vouchers (id, referrer_id, beneficiary_id, pool_id, circuit_id, amount, currency, code_hash, code_hint,
                              pin_hash, expires_at, restrictions)
        select r.id, ${referrer.id}, r.beneficiary_id, r.pool_id, r.circuit_id, r.amount, r.currency, decode(r.code_hash, 'hex'),
               r.code_hint, decode(r.pin_hash, 'hex'), r.expires_at, r.restrictions
        from jsonb_to_recordset(${JSON.stringify(records)}::text::jsonb)
          as r (id uuid, beneficiary_id uuid, pool_id uuid, circuit_id uuid, amount bigint, currency text, code_hash text,
                code_hint text, pin_hash text, expires_at timestamptz, restrictions jsonb)`;
      const issued = await tx<VoucherRow[]>`
        select ${tx.unsafe(voucherColumns)} from vouchers v join accounts a on a.id = v.id
        where v.id = any(${planned.map(({ id }) => id)}::uuid[])`;
      await enqueueEvents(
        tx,
        issued.map((voucher) => ({
          type: 'voucher.issued' as const,
          objectId: voucher.id,
          organizations: [referrer.id, pools.get(voucher.pool_id)!.operator_id],
          data: voucherJson(voucher),
        })),
      );
      return issued;
    }),
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  return cards.map(({ id, code, pin }) => ({ ...voucherJson(byId.get(id)!), code, pin }));
}

/**
 * The requests with their fund: a need's (the referrer's own, no longer open) gives its pool and its
 * restrictions, and its vouchers are outside the allocations, within what the need's pool holds.
 */
async function fromNeeds(tx: Queryable, referrer: Organization, asked: z.infer<typeof newVoucherSchema>[], path: FieldPath): Promise<NewVoucher[]> {
  const needIds = unique(asked.flatMap((request) => (request.need_id === undefined ? [] : [request.need_id])));
  const needs = needIds.length === 0 ? [] : await tx<NeedRow[]>`${needSelect(tx)} where n.id = any(${needIds}::uuid[]) and n.referrer_id = ${referrer.id}`;
  const byId = new Map(needs.map((need) => [need.id, need]));
  const missing = asked.flatMap((request, index): ProblemField[] =>
    request.need_id === undefined || byId.has(request.need_id) ? [] : [{ path: path(index, 'need_id'), message: 'you posted no need with this id' }],
  );
  if (missing.length > 0) {
    throw new Problem(404, 'not_found', 'Need not found', `Check these fields: ${missing.map((field) => field.path).join(', ')}.`, missing);
  }
  const open = asked.findIndex((request) => request.need_id !== undefined && needStatus(byId.get(request.need_id)!) === 'open');
  if (open >= 0) {
    const need = byId.get(asked[open]!.need_id!)!;
    throw new Problem(
      409,
      'conflict',
      'Need still open',
      `Mentors have given ${formatMoney(need.funded_amount, need.currency)} of the ${formatMoney(need.amount, need.currency)} this need asks, ` +
        'and it takes adoptions until its deadline. Issue its vouchers once it is funded, or close it (POST /v1/needs/{id}/close) to use what it has.',
      [{ path: path(open, 'need_id'), message: 'still open for adoptions' }],
    );
  }
  return asked.map(({ need_id: needId, pool_id: poolId, ...request }) => {
    if (needId === undefined) return { ...request, pool_id: poolId! };
    const need = byId.get(needId)!;
    return {
      ...request,
      pool_id: need.pool_id,
      need_id: needId,
      restrictions: { categories: [need.category], ...(need.offer_id === null ? {} : { offer_ids: [need.offer_id] }) },
    };
  });
}

/**
 * The pools of the requests, after checking that each beneficiary is the referrer's and each pool one
 * it may see: of its operator's circuits, allocated to it, or one of its needs'. Another operator's
 * pool is "no fund with this id", as one that does not exist.
 */
async function findTargets(tx: Queryable, referrer: Organization, requests: NewVoucher[], path: FieldPath): Promise<Map<string, PoolRow>> {
  const beneficiaries = await tx<{ id: string }[]>`
    select id from beneficiaries
    where referrer_id = ${referrer.id} and id = any(${unique(requests.map((request) => request.beneficiary_id))}::uuid[])`;
  const own = new Set(beneficiaries.map((beneficiary) => beneficiary.id));
  const pools = await tx<PoolRow[]>`
    select p.id, p.circuit_id, ci.operator_id, p.currency, ci.categories from pools p join circuits ci on ci.id = p.circuit_id
    where p.id = any(${unique(requests.map((request) => request.pool_id))}::uuid[])
      and (ci.operator_id = ${referrer.managedBy}
           or exists (select from allocations a where a.pool_id = p.id and a.referrer_id = ${referrer.id})
           or exists (select from needs n where n.pool_id = p.id and n.referrer_id = ${referrer.id}))`;
  const poolsById = new Map(pools.map((pool) => [pool.id, pool]));
  const missing = requests.flatMap((request, index): ProblemField[] => [
    ...(own.has(request.beneficiary_id) ? [] : [{ path: path(index, 'beneficiary_id'), message: 'you have no beneficiary with this id' }]),
    ...(poolsById.has(request.pool_id) ? [] : [{ path: path(index, 'pool_id'), message: 'there is no fund with this id' }]),
  ]);
  if (missing.length > 0) {
    throw new Problem(404, 'not_found', 'Beneficiary or fund not found', `Check these fields: ${missing.map((field) => field.path).join(', ')}.`, missing);
  }
  return poolsById;
}

/** Restrictions may name only categories, offers and providers of the pool's circuit. */
async function checkRestrictions(tx: Queryable, requests: NewVoucher[], pools: Map<string, PoolRow>, path: FieldPath): Promise<void> {
  const offerIds = unique(requests.flatMap((request) => request.restrictions?.offer_ids ?? []));
  const providerIds = unique(requests.flatMap((request) => request.restrictions?.provider_ids ?? []));
  const offers = offerIds.length === 0 ? [] : await tx<{ circuit_id: string; id: string }[]>`
    select circuit_id, id from offers where id = any(${offerIds}::uuid[])`;
  const providers = providerIds.length === 0 ? [] : await tx<{ circuit_id: string; id: string }[]>`
    select circuit_id, provider_id as id from circuit_providers where provider_id = any(${providerIds}::uuid[])`;
  const inCircuit = (rows: { circuit_id: string; id: string }[]) => new Set(rows.map((row) => `${row.circuit_id}:${row.id}`));
  const offersInCircuit = inCircuit(offers);
  const providersInCircuit = inCircuit(providers);
  const unknown = requests.flatMap((request, index) => {
    const pool = pools.get(request.pool_id)!;
    const categories = new Set(pool.categories.map((category) => category.slug));
    const wrong = (list: 'categories' | 'offer_ids' | 'provider_ids', isKnown: (value: string) => boolean, message: string) =>
      (request.restrictions?.[list] ?? []).flatMap((value, position) =>
        isKnown(value) ? [] : [{ path: path(index, `restrictions.${list}.${position}`), message }],
      );
    return [
      ...wrong('categories', (slug) => categories.has(slug), `not a category of this circuit (${[...categories].join(', ')})`),
      ...wrong('offer_ids', (id) => offersInCircuit.has(`${pool.circuit_id}:${id}`), 'not an offer of this circuit'),
      ...wrong('provider_ids', (id) => providersInCircuit.has(`${pool.circuit_id}:${id}`), 'not a provider of this circuit'),
    ];
  });
  if (unknown.length > 0) {
    throw new Problem(400, 'invalid_request', 'Restrictions outside the circuit', `Check these fields: ${unknown.map((field) => field.path).join(', ')}.`, unknown);
  }
}

/** Counts the vouchers in the referrer's allocations (rows locked), or refuses the first that does not fit; a need's are outside them. */
async function takeAllocation(
  tx: Queryable,
  referrer: Organization,
  requests: NewVoucher[],
  pools: Map<string, PoolRow>,
  path: FieldPath,
): Promise<void> {
  const allocations = await tx<{ pool_id: string; amount: bigint; issued: bigint }[]>`
    select pool_id, amount, issued from allocations
    where referrer_id = ${referrer.id} and pool_id = any(${unique(requests.map((request) => request.pool_id))}::uuid[])
    order by pool_id for update`;
  const left = new Map(allocations.map((allocation) => [allocation.pool_id, allocation.amount - allocation.issued]));
  const taken = new Map<string, bigint>();
  for (const [index, request] of requests.entries()) {
    if (request.need_id !== undefined) continue;
    const amount = BigInt(request.amount);
    const takenBefore = taken.get(request.pool_id) ?? 0n;
    const remaining = (left.get(request.pool_id) ?? 0n) - takenBefore;
    if (amount > remaining) {
      const currency = pools.get(request.pool_id)!.currency;
      throw new Problem(
        422,
        'allocation_exceeded',
        'Over your allocation',
        left.has(request.pool_id)
          ? `Your allocation from this fund has ${formatMoney(remaining, currency)} left${takenBefore > 0n ? ' after the vouchers before it' : ''}, ` +
              `and ${whichVoucher(requests, index)} is ${formatMoney(amount, currency)}. The circuit's operator can raise your allocation.`
          : "You have no allocation from this fund: the circuit's operator gives you one.",
        [{ path: path(index, 'amount'), message: 'over your allocation' }],
        { extensions: { allocation_left: amountJson(remaining) } },
      );
    }
    taken.set(request.pool_id, takenBefore + amount);
  }
  for (const [poolId, amount] of taken) {
    await tx`
      update allocations set issued = issued + ${amount}, updated_at = now()
      where referrer_id = ${referrer.id} and pool_id = ${poolId}`;
  }
}

async function ownVoucher(sql: Queryable, referrer: Organization, id: string): Promise<VoucherRow> {
  const [row] = await sql<VoucherRow[]>`
    select ${sql.unsafe(voucherColumns)} from vouchers v join accounts a on a.id = v.id
    where v.id = ${id} and v.referrer_id = ${referrer.id}`;
  if (row === undefined) throw new Problem(404, 'not_found', 'Voucher not found', `You issued no voucher ${id}.`);
  return row;
}

/** A voucher as a secretary counts them: "voucher 8 of the batch" is `vouchers.7`. */
function whichVoucher(requests: NewVoucher[], index: number): string {
  return requests.length > 1 ? `voucher ${index + 1} of the batch` : 'this voucher';
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function restrictionsJson(circuitId: string, restrictions: VoucherRestrictions) {
  return {
    circuit_id: circuitId,
    categories: restrictions.categories ?? [],
    offer_ids: restrictions.offer_ids ?? [],
    provider_ids: restrictions.provider_ids ?? [],
  };
}

/** A voucher as the API (and its webhooks) shows it: never its code or PIN. */
export function voucherJson(row: VoucherRow) {
  return {
    id: row.id,
    object: 'voucher' as const,
    beneficiary_id: row.beneficiary_id,
    pool_id: row.pool_id,
    amount: amountJson(row.amount),
    available: amountJson(row.available),
    spent: amountJson(row.spent),
    currency: row.currency,
    expires_at: row.expires_at.toISOString(),
    restrictions: restrictionsJson(row.circuit_id, row.restrictions),
    locked: row.locked,
    code_hint: row.code_hint,
    created_at: row.created_at.toISOString(),
  };
}
