import { createRoute, z } from '@hono/zod-openapi';
import { principalOf } from '../auth/authenticate.js';
import { auditThisRead } from '../audit/audit-log.js';
import { italianDate } from '../calendar.js';
import type { Queryable } from '../db/connection.js';
import type { Services } from '../http/context.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, formatMoney, localizedText } from '../http/schemas.js';
import { derivedId, readBookingReference } from '../ids.js';
import { retryTransaction } from '../ledger/ledger.js';
import { Problem } from '../problem.js';
import { codeHint, generateCode, generatePin, hashCode, hashPin } from '../vouchers/code.js';
import { limitPublicClient, openingProblems, requireVoucherOpener, unlockVoucher } from '../vouchers/unlock.js';
import { issuedVoucherSchema, requireReferrer, voucherColumns, voucherJson, type VoucherRow } from './vouchers.js';

// Integrated paths as they are lived: which steps a beneficiary's captured redemptions stamped
// (path_progress, written by the triggers of 020_path_progress.sql), for the referrer and, without
// personal data, for the beneficiary holding a card or a booking; and the bonus voucher's card.

type LocalizedText = z.infer<ReturnType<typeof localizedText>>;

const stepJson = z.object({
  position: z.number().int().openapi({ description: "1-based, the step's place in the path." }),
  category: z.string().nullable().openapi({ description: 'The category slug, for a step any offer of a category takes.' }),
  offer_id: z.uuid().nullable().openapi({ description: 'The offer, for a step only that offer takes.' }),
  title: localizedText(200).openapi({ description: "The offer's title, or the category's name." }),
  stamped: z.boolean(),
});

const bonusJson = z.object({
  status: z.enum(['to_earn', 'pending', 'issued']).openapi({
    description:
      '`to_earn`: the path is not completed yet; `pending`: completed, but the pool lacked the money (the card is issued ' +
      'once the pool has it); `issued`: the bonus voucher exists.',
  }),
  amount: z.number().int().openapi({ description: 'In cents.' }),
  currency: z.string(),
});

export const beneficiaryPathSchema = z
  .object({
    object: z.literal('beneficiary_path'),
    circuit_id: z.uuid(),
    path_id: z.uuid(),
    name: localizedText(100),
    ordered: z.boolean(),
    steps: z.array(stepJson.extend({ redemption_id: z.uuid().nullable().openapi({ description: 'The captured redemption that stamped it.' }) })),
    steps_done: z.number().int(),
    steps_total: z.number().int(),
    completed_at: z.iso.datetime().nullable(),
    bonus: bonusJson
      .extend({
        pool_id: z.uuid(),
        voucher_id: z.uuid().nullable(),
        card_issued_at: z.iso.datetime().nullable().openapi({ description: 'When the bonus card (code and PIN) was made; null: not yet.' }),
      })
      .nullable()
      .openapi({ description: 'null: the path has no bonus.' }),
  })
  .openapi('BeneficiaryPath');

const publicPathSchema = z
  .object({
    id: z.uuid(),
    name: localizedText(100),
    ordered: z.boolean(),
    steps: z.array(stepJson),
    steps_done: z.number().int(),
    steps_total: z.number().int(),
    completed: z.boolean(),
    bonus: bonusJson.nullable(),
  })
  .openapi('PublicPath');

const publicProgressSchema = z
  .object({
    object: z.literal('path_progress'),
    circuit: z.object({ id: z.uuid(), name: z.string() }),
    paths: z.array(publicPathSchema),
  })
  .openapi('PathProgress', { description: 'The paths of the circuit and their stamps: no beneficiary, reference, date or amount spent.' });

const progressRequestSchema = z
  .union([
    z.strictObject({
      code: z.string().min(1).max(64).openapi({ example: 'MNT-7K3Q-9XPA-W2DC-8' }),
      pin: z.string().regex(/^\d{4,6}$/, 'a PIN is 4 to 6 digits'),
    }),
    z.strictObject({
      booking_reference: z
        .string()
        .trim()
        .regex(/^BK-?[0-9A-Z]{5}-?[0-9A-Z]{5}$/i, 'a booking reference looks like BK-7K3Q9-XPAW2')
        .openapi({ example: 'BK-7K3Q9-XPAW2' }),
    }),
  ])
  .openapi('PathProgressRequest', { description: "The voucher's code and PIN, or the reference of one of its bookings." });

const beneficiaryParam = z.object({ id: z.uuid() });
const pathParam = z.object({ id: z.uuid(), path_id: z.uuid() });

interface CircuitPathRow {
  circuit_id: string;
  circuit_name: string;
  currency: string;
  categories: { slug: string; name: LocalizedText }[];
  paths: {
    id: string;
    name: LocalizedText;
    ordered: boolean;
    steps: ({ category: string } | { offer_id: string })[];
    bonus?: { amount: number; pool_id: string } | null;
  }[];
}

interface ProgressRow {
  id: string;
  path_id: string;
  /** As jsonb: postgres.js reads a null in a uuid[] as the string 'NULL'. */
  stamps: (string | null)[];
  completed_at: Date | null;
  bonus_status: 'issued' | 'pending' | null;
  bonus_pool_id: string | null;
  bonus_amount: bigint | null;
  bonus_voucher_id: string | null;
  bonus_card_issued_at: Date | null;
}

/** One path of a circuit with a beneficiary's stamps, as both views build it. */
interface LivedPath {
  circuitId: string;
  currency: string;
  path: CircuitPathRow['paths'][number];
  steps: (z.infer<typeof stepJson> & { redemption_id: string | null })[];
  stepsDone: number;
  progress: ProgressRow | undefined;
}

export function pathRoutes(services: Services) {
  const { sql } = services;
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/beneficiaries/{id}/paths',
      tags: ['Paths'],
      summary: "A beneficiary's paths and stamps",
      description:
        "The referrer's secret or desk key. Every path of the circuits the beneficiary has vouchers in, with the steps their " +
        'captured redemptions stamped, the completion and the bonus.',
      security: bearer,
      request: { params: beneficiaryParam },
      responses: {
        200: jsonResponse(z.object({ data: z.array(beneficiaryPathSchema) }).openapi('BeneficiaryPaths'), 'The paths, by circuit'),
        ...problems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const id = c.req.valid('param').id;
      const [beneficiary] = await sql`select 1 from beneficiaries where id = ${id} and referrer_id = ${referrer.id}`;
      if (beneficiary === undefined) throw new Problem(404, 'not_found', 'Beneficiary not found', `You have no beneficiary ${id}.`);
      auditThisRead(c);
      return c.json({ data: await beneficiaryPaths(sql, id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/beneficiaries/{id}/paths/{path_id}/bonus-card',
      tags: ['Paths'],
      summary: "Make the card of a path's bonus voucher (code and PIN, once)",
      description:
        "The referrer's secret or desk key, for a completed path with a bonus. The bonus voucher exists from the completion, " +
        'but its code and PIN are made only now and shown only in this answer, for the referrer to print and hand over. ' +
        "A bonus still pending is issued first, if the pool has the money now (else 422 `insufficient_funds`). A second call " +
        "answers 409 `card_already_issued`: the card was made; the voucher's code cannot be shown again.",
      security: bearer,
      request: { params: pathParam },
      responses: { 201: jsonResponse(issuedVoucherSchema, 'The bonus voucher, with its code and PIN'), ...problems(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const { id, path_id: pathId } = c.req.valid('param');
      const code = generateCode();
      const pin = generatePin();
      const voucher = await retryTransaction(() =>
        sql.begin(async (tx) => {
          const [progress] = await tx<(ProgressRow & { currency: string })[]>`
            select p.*, ci.currency from path_progress p
              join beneficiaries b on b.id = p.beneficiary_id join circuits ci on ci.id = p.circuit_id
            where p.beneficiary_id = ${id} and p.path_id = ${pathId} and b.referrer_id = ${referrer.id}
            for update of p`;
          if (progress === undefined || progress.bonus_status === null) {
            throw new Problem(404, 'not_found', 'No bonus for this path', `Your beneficiary ${id} has not completed path ${pathId} with a bonus.`);
          }
          if (progress.bonus_card_issued_at !== null) {
            throw new Problem(
              409,
              'card_already_issued',
              'Card already made',
              `The card of this bonus was made on ${italianDate(progress.bonus_card_issued_at)}; its code and PIN cannot be shown again.`,
            );
          }
          const [issued] = await tx<{ status: 'issued' | 'pending' }[]>`select path_bonus_issue(${progress.id}) as status`;
          if (issued!.status === 'pending') {
            throw new Problem(
              422,
              'insufficient_funds',
              'The bonus is still pending',
              `The pool of this bonus has less than ${formatMoney(progress.bonus_amount!, progress.currency)} available: ask the circuit's operator to fund it.`,
            );
          }
          const voucherId = derivedId(progress.id, 'bonus');
          await tx`update vouchers set code_hash = ${hashCode(code)}, code_hint = ${codeHint(code)}, pin_hash = ${hashPin(voucherId, pin)}
                   where id = ${voucherId}`;
          await tx`update path_progress set bonus_card_issued_at = now(), updated_at = now() where id = ${progress.id}`;
          const [carded] = await tx<VoucherRow[]>`
            select ${tx.unsafe(voucherColumns)} from vouchers v join accounts a on a.id = v.id where v.id = ${voucherId}`;
          return carded!;
        }),
      );
      return c.json({ ...voucherJson(voucher), code, pin }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/public/path-progress',
      tags: ['Paths', 'Public'],
      summary: "The stamps of a voucher holder's paths, for the circuit badge",
      description:
        "With a publishable key (or desk or secret key) of a provider, referrer or operator, as POST /v1/vouchers/check: the code and PIN " +
        'count towards the same limits and lock (wrong PINs included), a booking reference towards the client address’s. ' +
        "Answers every path of the voucher's circuit (the booking's offer's) with the steps stamped, and nothing personal.",
      security: bearer,
      request: { body: jsonBody(progressRequestSchema) },
      responses: {
        200: jsonResponse(publicProgressSchema, 'The paths and their stamps'),
        ...openingProblems,
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      requireVoucherOpener(principal);
      const body = c.req.valid('json');
      let holder: { beneficiaryId: string; circuitId: string };
      if ('code' in body) {
        const voucher = await unlockVoucher(services, c, principal, body);
        const [row] = await sql<{ beneficiary_id: string }[]>`select beneficiary_id from vouchers where id = ${voucher.id}`;
        holder = { beneficiaryId: row!.beneficiary_id, circuitId: voucher.circuitId };
      } else {
        await limitPublicClient(services, c, principal);
        const reference = readBookingReference(body.booking_reference);
        const [row] = await sql<{ beneficiary_id: string; circuit_id: string }[]>`
          select v.beneficiary_id, f.circuit_id from redemptions r
            join vouchers v on v.id = r.voucher_id join offers f on f.id = r.offer_id
          where r.booking_reference = ${reference}`;
        if (row === undefined) {
          throw new Problem(404, 'not_found', 'Booking not found', 'No booking has this reference. Check it against your ticket or confirmation.', [
            { path: 'booking_reference', message: 'no booking has this reference' },
          ]);
        }
        holder = { beneficiaryId: row.beneficiary_id, circuitId: row.circuit_id };
      }
      const [circuit] = await livedPaths(sql, holder.beneficiaryId, [holder.circuitId]);
      return c.json(
        {
          object: 'path_progress' as const,
          circuit: { id: circuit!.circuitId, name: circuit!.circuitName },
          paths: circuit!.paths.map(publicPathJson),
        },
        200,
      );
    },
  );

  return app;
}

/** Every path of the circuits a beneficiary has vouchers (or stamps) in, as the referrer sees it. */
export async function beneficiaryPaths(sql: Queryable, beneficiaryId: string) {
  const circuits = await sql<{ circuit_id: string }[]>`
    select distinct circuit_id from vouchers where beneficiary_id = ${beneficiaryId}
    union select circuit_id from path_progress where beneficiary_id = ${beneficiaryId}`;
  const lived = await livedPaths(sql, beneficiaryId, circuits.map((circuit) => circuit.circuit_id));
  return lived.flatMap(({ paths }) => paths.map(beneficiaryPathJson));
}

/** The paths of each circuit, with the beneficiary's stamps: two queries whatever the number of paths. */
async function livedPaths(sql: Queryable, beneficiaryId: string, circuitIds: string[]) {
  if (circuitIds.length === 0) return [];
  const circuits = await sql<CircuitPathRow[]>`
    select id as circuit_id, name as circuit_name, currency, categories, paths from circuits
    where id = any(${circuitIds}::uuid[]) order by name, id`;
  const offerIds = circuits.flatMap((circuit) => circuit.paths.flatMap((path) => path.steps.flatMap((step) => ('offer_id' in step ? [step.offer_id] : []))));
  const [offers, progress] = await Promise.all([
    offerIds.length === 0 ? [] : sql<{ id: string; title: LocalizedText }[]>`select id, title from offers where id = any(${offerIds}::uuid[])`,
    sql<ProgressRow[]>`
      select id, path_id, to_jsonb(stamps) as stamps, completed_at, bonus_status, bonus_pool_id, bonus_amount, bonus_voucher_id, bonus_card_issued_at
      from path_progress where beneficiary_id = ${beneficiaryId} and circuit_id = any(${circuitIds}::uuid[])`,
  ]);
  const titles = new Map(offers.map((offer) => [offer.id, offer.title]));
  const progressByPath = new Map(progress.map((row) => [row.path_id, row]));
  return circuits.map((circuit) => {
    const categoryNames = new Map(circuit.categories.map((category) => [category.slug, category.name]));
    return {
      circuitId: circuit.circuit_id,
      circuitName: circuit.circuit_name,
      paths: circuit.paths.map((path): LivedPath => {
        const row = progressByPath.get(path.id);
        const steps = path.steps.map((step, index) => {
          const redemptionId = row?.stamps[index] ?? null;
          return {
            position: index + 1,
            category: 'category' in step ? step.category : null,
            offer_id: 'offer_id' in step ? step.offer_id : null,
            title: ('category' in step ? categoryNames.get(step.category) : titles.get(step.offer_id)) ?? { it: '—' },
            stamped: redemptionId !== null,
            redemption_id: redemptionId,
          };
        });
        return { circuitId: circuit.circuit_id, currency: circuit.currency, path, steps, stepsDone: steps.filter((step) => step.stamped).length, progress: row };
      }),
    };
  });
}

/** The bonus as it stands: the one recorded at completion, else the one the path offers now. */
function bonusOf({ path, progress, currency }: LivedPath) {
  if (progress?.bonus_status) {
    return { status: progress.bonus_status, amount: amountJson(progress.bonus_amount!), currency, pool_id: progress.bonus_pool_id! };
  }
  if (progress?.completed_at || !path.bonus) return null;
  return { status: 'to_earn' as const, amount: path.bonus.amount, currency, pool_id: path.bonus.pool_id };
}

function beneficiaryPathJson(lived: LivedPath) {
  const bonus = bonusOf(lived);
  return {
    object: 'beneficiary_path' as const,
    circuit_id: lived.circuitId,
    path_id: lived.path.id,
    name: lived.path.name,
    ordered: lived.path.ordered,
    steps: lived.steps,
    steps_done: lived.stepsDone,
    steps_total: lived.steps.length,
    completed_at: lived.progress?.completed_at?.toISOString() ?? null,
    bonus:
      bonus === null
        ? null
        : {
            ...bonus,
            voucher_id: lived.progress?.bonus_voucher_id ?? null,
            card_issued_at: lived.progress?.bonus_card_issued_at?.toISOString() ?? null,
          },
  };
}

function publicPathJson(lived: LivedPath) {
  const bonus = bonusOf(lived);
  return {
    id: lived.path.id,
    name: lived.path.name,
    ordered: lived.path.ordered,
    steps: lived.steps.map(({ redemption_id: _, ...step }) => step),
    steps_done: lived.stepsDone,
    steps_total: lived.steps.length,
    completed: lived.progress?.completed_at != null,
    bonus: bonus === null ? null : { status: bonus.status, amount: bonus.amount, currency: bonus.currency },
  };
}
