import { createRoute, z } from '@hono/zod-openapi';
import type { TransactionSql } from 'postgres';
import { markAudited, pendingAuditEntry, refusalAnswer } from '../audit/audit-log.js';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Sql } from '../db/connection.js';
import type { Principal, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { amountJson, formatMoney } from '../http/schemas.js';
import { bookingPayloadPrefix, derivedId, firstIdAt, humanReference, newId, readBookingReference } from '../ids.js';
import { retryTransaction, type NewTransfer, type TransferOutcome } from '../ledger/ledger.js';
import { Problem } from '../problem.js';
import type { RedeemAnswers, RedeemOutcome } from '../redemptions/redeemer.js';
import { redemptionColumns, type RedemptionRow } from '../redemptions/store.js';
import { hashCode } from '../vouchers/code.js';
import { codeOrProblem, limitPublicClient, voucherProblem } from '../vouchers/unlock.js';
import { enqueueRedemptionEvents } from '../webhooks/events.js';

/** The most seats one redemption takes: a beneficiary with a friend or a parent, not a school trip. */
export const maxSeatsPerRedemption = 10;

const redemptionSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('redemption'),
    status: z.enum(['held', 'captured', 'voided', 'expired', 'reversed']),
    channel: z.enum(['in_page', 'counter']),
    voucher_id: z.uuid(),
    offer_id: z.uuid(),
    provider_id: z.uuid(),
    seats: z.number().int(),
    seat_price: z.number().int(),
    amount: z.number().int().openapi({ description: 'Held: seats × seat_price, in cents.' }),
    captured_seats: z.number().int(),
    captured_amount: z.number().int(),
    reversed_amount: z.number().int(),
    currency: z.string(),
    booking_reference: z.string().openapi({ example: 'BK-7K3Q9-XPAW2' }),
    qr_payload: z.string().openapi({ description: 'What the QR code shown at the door encodes.' }),
    hold_expires_at: z.iso.datetime(),
    reversible_until: z.iso.datetime().openapi({ description: 'A captured redemption can be reversed until then.' }),
    created_at: z.iso.datetime(),
    captured_at: z.iso.datetime().nullable(),
    released_at: z.iso.datetime().nullable(),
    reversed_at: z.iso.datetime().nullable(),
  })
  .openapi('Redemption');

/** What a redemption's own steps answer (made, captured, voided, reversed): the voucher's balance too, to tell the beneficiary. */
const redemptionWithBalanceSchema = redemptionSchema
  .extend({
    voucher_available: z.number().int().openapi({ description: 'What is left on the voucher after this step, in cents.' }),
  })
  .openapi('RedemptionWithBalance');

const newRedemptionSchema = z
  .strictObject({
    code: z.string().min(1).max(64).openapi({ example: 'MNT-7K3Q-9XPA-W2DC-8' }),
    pin: z.string().regex(/^\d{4,6}$/, 'a PIN is 4 to 6 digits'),
    offer_id: z.uuid(),
    seats: z.number().int().min(1).max(maxSeatsPerRedemption),
    capture: z.boolean().default(true).openapi({
      description: 'true: take the money now (in-page). false: hold it until the box office captures or voids it.',
    }),
  })
  .openapi('NewRedemption');

const captureSchema = z
  .strictObject({
    seats: z.number().int().min(1).max(maxSeatsPerRedemption).optional().openapi({
      description: 'Seats actually used, at most those held; the rest go back to the offer and the money to the voucher.',
    }),
  })
  .openapi('RedemptionCapture');

const reverseSchema = z
  .strictObject({
    seats: z.number().int().min(1).max(maxSeatsPerRedemption).optional().openapi({
      description: 'Seats to give back, at most those captured; all of them by default. A redemption is reversed once.',
    }),
  })
  .openapi('RedemptionReversal');

const listQuery = pageQuery.extend({
  status: z.enum(['held', 'captured', 'voided', 'expired', 'reversed']).optional(),
  offer_id: z.uuid().optional(),
  booking_reference: z.string().max(60).optional().openapi({
    description: 'As printed, typed (any case, spaces or dashes) or scanned from the QR code (`MENTORING:BOOKING:BK-…`).',
  }),
  created_after: z.iso.datetime({ offset: true }).optional().openapi({
    description: "Only redemptions made at or after this moment, e.g. a box office's day since midnight.",
  }),
});

interface OfferRow {
  id: string;
  provider_id: string;
  circuit_id: string;
  operator_id: string;
  payable_account_id: string;
  category: string;
  starts_at: Date;
  seat_price: bigint;
  currency: string;
  seats_total: number;
  seats_taken: number;
  cancellation_window_seconds: number;
}

const idParam = z.object({ id: z.uuid() });

/**
 * Spending a voucher: in the provider's page (publishable key, capture at once) or at the box
 * office (desk key: hold, then capture or void). Seats and money move together, in one
 * transaction (redeem_batch() in 011_redemption_events.sql), and are given back together: an offer is never
 * oversold and a voucher never overdrawn.
 */
export function redemptionRoutes(services: Services) {
  const { sql, ledger } = services;
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/redemptions',
      tags: ['Redemptions'],
      summary: 'Redeem a voucher for seats of an offer',
      description:
        "With the provider's publishable key (in-page) or a desk key (box office). Checks the code and PIN " +
        '(wrong PINs count towards a lock), the expiry, the restrictions, the seats left and the balance; ' +
        'then holds the money and, with `capture: true`, takes it at once. The answer carries the booking ' +
        'reference and the QR payload to show at the door.',
      security: bearer,
      request: { body: jsonBody(newRedemptionSchema) },
      responses: {
        201: jsonResponse(redemptionWithBalanceSchema, 'The redemption, held or captured'),
        ...problems(400, 401, 403, 404, 409, 422, 429, 410, 423),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      const body = c.req.valid('json');
      const organization = requireAccess(principal, {
        organizations: ['provider', 'operator'],
        keys: ['publishable', 'desk', 'secret'],
      });
      const inPage = principal.type === 'key' && principal.keyKind === 'publishable';
      if (inPage && !body.capture) {
        throw new Problem(400, 'invalid_request', 'In-page redemptions are captured at once', 'Send `capture: true`, or hold at the box office with a desk key.', [
          { path: 'capture', message: 'must be true with a publishable key' },
        ]);
      }
      const code = codeOrProblem(body.code);
      await limitPublicClient(services, c, principal);
      const id = newId();
      const outcome = await services.redeemer.redeem({
        id,
        capture_id: derivedId(id, 'capture'),
        code_hash: hashCode(code).toString('hex'),
        pin: body.pin,
        offer_id: body.offer_id,
        seats: body.seats,
        capture: body.capture,
        hold_seconds: body.capture ? 60 : services.holdTimeoutSeconds,
        channel: inPage ? 'in_page' : 'counter',
        key_id: principal.type === 'key' ? principal.id : null,
        // 50 random bits of Crockford base32, read out at a desk without ambiguity.
        booking_reference: humanReference('BK', [5, 5]),
        redeemer: organization?.id ?? null,
      }, pendingAuditEntry(c));
      // Committed with the redemption: the batch stored this request's entry.
      markAudited(c);
      if (outcome.result !== 'ok') throw redeemProblem(outcome, body.offer_id, body.seats);
      const redemption = redemptionFromJson(outcome.redemption);
      return c.json({ ...redemptionJson(redemption, { starts_at: new Date(outcome.starts_at), cancellation_window_seconds: outcome.cancellation_window_seconds }), voucher_available: outcome.available }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/redemptions/{id}/capture',
      tags: ['Redemptions'],
      summary: 'Capture a held redemption',
      description:
        'Takes the money for the seats used (all held seats by default, fewer for a partial capture); ' +
        'unused seats go back to the offer and their money to the voucher. Capturing again answers the same.',
      security: bearer,
      request: { params: idParam, body: jsonBody(captureSchema) },
      responses: { 200: jsonResponse(redemptionWithBalanceSchema, 'The captured redemption'), ...problems(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const { redemption, offer } = await ownRedemption(sql, principalOf(c), c.req.valid('param').id);
      const asked = c.req.valid('json').seats;
      const seats = asked ?? redemption.seats;
      // Capturing again answers the same: without seats too, after a partial capture.
      if (redemption.status === 'captured' && (asked === undefined || redemption.captured_seats === asked)) {
        return c.json(await withBalance(sql, redemption, offer), 200);
      }
      if (seats > redemption.seats) {
        throw new Problem(422, 'exceeds_hold', 'More seats than held', `This redemption holds ${redemption.seats} seats.`);
      }
      requireStatus(redemption, 'held');
      const amount = redemption.seat_price * BigInt(seats);
      const outcome = await ledger.createTransfer({
        id: derivedId(redemption.id, 'capture'),
        code: 'CAPTURE',
        pendingId: redemption.id,
        amount,
        reference: `redemption:${redemption.id}`,
      });
      if (outcome.result !== 'ok' && outcome.result !== 'exists') throw holdRefused(redemption, outcome);
      const row = await followLedger(sql, 'redemption.captured', (tx) => tx<RedemptionRow[]>`
        with captured as (
          update redemptions set status = 'captured', captured_seats = ${seats}, captured_amount = ${amount},
                 captured_at = now()
          where id = ${redemption.id} and status = 'held'
          returning ${tx.unsafe(redemptionColumns)}
        ), released as (
          update offers set seats_taken = seats_taken - (captured.seats - captured.captured_seats)
          from captured where offers.id = captured.offer_id and captured.seats > captured.captured_seats
        )
        select * from captured`);
      return c.json(await withBalance(sql, row ?? (await reload(sql, redemption.id)), offer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/redemptions/{id}/void',
      tags: ['Redemptions'],
      summary: 'Void a held redemption',
      description: 'Gives the held money back to the voucher and the seats back to the offer. Voiding again answers the same.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(redemptionWithBalanceSchema, 'The voided redemption'), ...problems(401, 403, 404, 409) },
    }),
    async (c) => {
      const { redemption, offer } = await ownRedemption(sql, principalOf(c), c.req.valid('param').id);
      if (redemption.status === 'voided') return c.json(await withBalance(sql, redemption, offer), 200);
      requireStatus(redemption, 'held');
      const outcome = await ledger.createTransfer({
        id: derivedId(redemption.id, 'void'),
        code: 'VOID',
        pendingId: redemption.id,
        reference: `redemption:${redemption.id}`,
      });
      if (outcome.result !== 'ok' && outcome.result !== 'exists') throw holdRefused(redemption, outcome);
      const row = await followLedger(sql, 'redemption.voided', (tx) => tx<RedemptionRow[]>`
        with voided as (
          update redemptions set status = 'voided', released_at = now()
          where id = ${redemption.id} and status = 'held'
          returning ${tx.unsafe(redemptionColumns)}
        ), released as (
          update offers set seats_taken = seats_taken - voided.seats from voided where offers.id = voided.offer_id
        )
        select * from voided`);
      return c.json(await withBalance(sql, row ?? (await reload(sql, redemption.id)), offer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/redemptions/{id}/reverse',
      tags: ['Redemptions'],
      summary: 'Reverse a captured redemption (a cancellation)',
      description:
        "Gives the money of the seats back to the voucher and the seats back to the offer, until the offer's " +
        'cancellation window closes (by default 48 hours before the event). Once per redemption: the same reversal again ' +
        'answers the same, another (other seats) 409 `conflict`.',
      security: bearer,
      request: { params: idParam, body: jsonBody(reverseSchema) },
      responses: { 200: jsonResponse(redemptionWithBalanceSchema, 'The reversed redemption'), ...problems(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const { redemption, offer } = await ownRedemption(sql, principalOf(c), c.req.valid('param').id);
      const seats = c.req.valid('json').seats ?? redemption.captured_seats;
      const amount = redemption.seat_price * BigInt(seats);
      // The same reversal again answers the same; another one (other seats) is refused, as for a capture.
      if (redemption.status === 'reversed') {
        requireSameReversal(redemption, redemption.reversed_amount, amount);
        return c.json(await withBalance(sql, redemption, offer), 200);
      }
      requireStatus(redemption, 'captured');
      if (seats > redemption.captured_seats) {
        throw new Problem(422, 'exceeds_hold', 'More seats than captured', `This redemption captured ${redemption.captured_seats} seats.`);
      }
      const until = reversibleUntil(offer);
      if (Date.now() > until.getTime()) {
        throw new Problem(
          409,
          'cancellation_window_closed',
          'Too late to cancel',
          `Bookings for this offer could be cancelled until ${until.toISOString()}.`,
          undefined,
          { extensions: { reversible_until: until.toISOString() } },
        );
      }
      // One transaction with the row locked: a settlement closing at the same moment either
      // includes the reversal or refuses it, never pays for money that went back.
      const row = await retryTransaction(() =>
        sql.begin(async (tx) => {
          const [locked] = await tx<{ status: string; reversed_amount: bigint; settlement_id: string | null; expired: boolean; pool_id: string }[]>`
            select r.status, r.reversed_amount, r.settlement_id, v.expires_at <= now() as expired, v.pool_id
            from redemptions r join vouchers v on v.id = r.voucher_id where r.id = ${redemption.id} for update of r`;
          if (locked!.settlement_id !== null) {
            throw new Problem(
              409,
              'already_settled',
              'Already settled',
              'The provider was already paid for this booking, so it can no longer be reversed: a refund is now between the provider and the beneficiary.',
              undefined,
              { extensions: { settlement_id: locked!.settlement_id } },
            );
          }
          // Reversed meanwhile by a request that came at the same moment: the same reversal answers the same, another is refused.
          if (locked!.status === 'reversed') {
            requireSameReversal(redemption, locked!.reversed_amount, amount);
            return undefined;
          }
          const reversal: NewTransfer = {
            id: derivedId(redemption.id, 'reverse'),
            code: 'REVERSE',
            debitAccountId: offer.payable_account_id,
            creditAccountId: redemption.voucher_id,
            reversesId: derivedId(redemption.id, 'capture'),
            amount,
          };
          // Money given back to a voucher that has expired goes on to its pool, as the expiry job did with the rest.
          const expiry: NewTransfer = {
            id: derivedId(redemption.id, 'expire'),
            code: 'EXPIRE',
            debitAccountId: redemption.voucher_id,
            creditAccountId: locked!.pool_id,
          };
          const outcomes = await ledger.within(tx).createLinkedTransfers(locked!.expired ? [reversal, expiry] : [reversal]);
          const refused = outcomes.find((outcome) => outcome.result !== 'ok' && outcome.result !== 'exists');
          if (refused !== undefined) throw new Error(`the ledger refused reversing redemption ${redemption.id}: ${refused.result}`);
          const [reversed] = await tx<RedemptionRow[]>`
            update redemptions set status = 'reversed', reversed_amount = ${amount}, reversed_at = now()
            where id = ${redemption.id} and status = 'captured'
            returning ${tx.unsafe(redemptionColumns)}`;
          await tx`update offers set seats_taken = seats_taken - ${seats} where id = ${redemption.offer_id}`;
          await enqueueRedemptionEvents(tx, [{ id: redemption.id, type: 'redemption.reversed' }]);
          return reversed;
        }),
      );
      return c.json(await withBalance(sql, row ?? (await reload(sql, redemption.id)), offer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/redemptions/{id}',
      tags: ['Redemptions'],
      summary: 'Retrieve a redemption',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(redemptionSchema, 'The redemption'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const { redemption, offer } = await ownRedemption(sql, principalOf(c), c.req.valid('param').id);
      return c.json(redemptionJson(redemption, offer), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/redemptions',
      tags: ['Redemptions'],
      summary: "List a provider's redemptions",
      description:
        'Newest last. Filter by status, offer, booking reference (what a door scanner reads from the QR code) or the ' +
        'moment they were made (`created_after`).',
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(redemptionSchema), 'A page of redemptions'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const organization = requireAccess(principalOf(c), { organizations: ['provider', 'operator'], keys: ['desk', 'secret'] });
      const query = c.req.valid('query');
      const rows = await sql<(RedemptionRow & Pick<OfferRow, 'starts_at' | 'cancellation_window_seconds'>)[]>`
        select ${sql.unsafe(redemptionColumns.replaceAll(/(^|, )(\w)/g, '$1r.$2'))},
               o.starts_at, o.cancellation_window_seconds
        from redemptions r join offers o on o.id = r.offer_id join circuits ci on ci.id = o.circuit_id
        where r.id > ${listStart(query)}
          ${organization === undefined ? sql`` : sql`and (r.provider_id = ${organization.id} or ci.operator_id = ${organization.id})`}
          ${query.status === undefined ? sql`` : sql`and r.status = ${query.status}`}
          ${query.offer_id === undefined ? sql`` : sql`and r.offer_id = ${query.offer_id}`}
          ${query.booking_reference === undefined ? sql`` : sql`and r.booking_reference = ${readBookingReference(query.booking_reference)}`}
        order by r.id limit ${query.limit + 1}`;
      return c.json(page(rows.map((row) => redemptionJson(row, row)), query.limit), 200);
    },
  );

  return app;
}

/** Where a page of the list starts: after `starting_after`, and no earlier than `created_after` (ids are UUIDv7: an id bound, on the primary key). */
function listStart(query: z.infer<typeof listQuery>): string {
  const start = after(query);
  if (query.created_after === undefined) return start;
  const first = firstIdAt(new Date(query.created_after));
  return first > start ? first : start;
}

async function findOffer(sql: Sql, id: string): Promise<OfferRow | undefined> {
  const [offer] = await sql<OfferRow[]>`
    select o.id, o.provider_id, o.circuit_id, ci.operator_id, p.payable_account_id, o.category, o.starts_at,
           o.seat_price, o.currency, o.seats_total, o.seats_taken, o.cancellation_window_seconds
    from offers o join circuits ci on ci.id = o.circuit_id join organizations p on p.id = o.provider_id
    where o.id = ${id}`;
  return offer;
}

/** The redemption, if the caller is its provider (desk or secret key), its circuit's operator or the admin. */
async function ownRedemption(sql: Sql, principal: Principal, id: string) {
  const organization = requireAccess(principal, { organizations: ['provider', 'operator'], keys: ['desk', 'secret'] });
  const redemption = await reload(sql, id).catch(() => undefined);
  const offer = redemption === undefined ? undefined : await findOffer(sql, redemption.offer_id);
  const allowed =
    redemption !== undefined &&
    offer !== undefined &&
    (organization === undefined || organization.id === redemption.provider_id || organization.id === offer.operator_id);
  if (!allowed) throw new Problem(404, 'not_found', 'Redemption not found', `No redemption ${id} of yours.`);
  return { redemption: redemption!, offer: offer! };
}

/**
 * Brings a redemption's row in line with a capture or void the ledger applied, with its event, in
 * one transaction. `update` answers the row only if it changed it, so the event is queued once.
 */
async function followLedger(
  sql: Sql,
  event: 'redemption.captured' | 'redemption.voided',
  update: (tx: TransactionSql<{ bigint: bigint }>) => Promise<RedemptionRow[]>,
): Promise<RedemptionRow | undefined> {
  return retryTransaction(() =>
    sql.begin(async (tx) => {
      const [row] = await update(tx);
      if (row !== undefined) await enqueueRedemptionEvents(tx, [{ id: row.id, type: event }]);
      return row;
    }),
  );
}

/** The redemption's JSON and what its voucher has left now (money given back to an expired voucher went on to its pool: 0). */
async function withBalance(sql: Sql, row: RedemptionRow, offer: Pick<OfferRow, 'starts_at' | 'cancellation_window_seconds'>) {
  const [account] = await sql<{ available: bigint }[]>`
    select credits_posted - debits_posted - debits_pending as available from accounts where id = ${row.voucher_id}`;
  return { ...redemptionJson(row, offer), voucher_available: amountJson(account!.available) };
}

async function reload(sql: Sql, id: string): Promise<RedemptionRow> {
  const [row] = await sql<RedemptionRow[]>`select ${sql.unsafe(redemptionColumns)} from redemptions where id = ${id}`;
  if (row === undefined) throw new Problem(404, 'not_found', 'Redemption not found', `No redemption ${id}.`);
  return row;
}

function requireStatus(redemption: RedemptionRow, status: 'held' | 'captured'): void {
  if (redemption.status === status) return;
  if (status === 'held') {
    throw new Problem(409, 'hold_already_resolved', `Redemption is ${redemption.status}`, `Only a held redemption can be captured or voided; this one is ${redemption.status}.`);
  }
  throw new Problem(409, 'conflict', `Redemption is ${redemption.status}`, `Only a captured redemption can be reversed; this one is ${redemption.status}.`);
}

/** A redemption is reversed once: asking for the same reversal again is a retry, asking for other seats is refused. */
function requireSameReversal(redemption: Pick<RedemptionRow, 'seat_price'>, reversedAmount: bigint, asked: bigint): void {
  if (reversedAmount === asked) return;
  const seats = reversedAmount / redemption.seat_price;
  throw new Problem(409, 'conflict', 'Redemption is reversed', `It was reversed already (${seats} of its seats went back); a redemption is reversed once.`);
}

/** The ledger refused to resolve the hold: say why, in the redemption's words. */
function holdRefused(redemption: RedemptionRow, outcome: TransferOutcome): Problem {
  switch (outcome.result) {
    case 'hold_expired':
      return new Problem(409, 'hold_expired', 'Hold expired', 'The seats were held too long and went back on sale; redeem again.');
    case 'hold_already_resolved':
      return new Problem(409, 'hold_already_resolved', 'Already resolved', `Redemption ${redemption.id} was captured, voided or expired meanwhile.`);
    case 'exceeds_hold':
      return new Problem(422, 'exceeds_hold', 'More than held', 'A capture cannot take more than was held.');
    // Its capture is in the ledger with other seats: another desk confirmed it at the same moment.
    case 'exists_with_different_fields':
      return new Problem(
        409,
        'hold_already_resolved',
        'Already resolved',
        `Redemption ${redemption.id} was confirmed meanwhile with another number of seats; look it up to see how many.`,
      );
    default:
      return new Problem(409, 'conflict', 'Refused by the ledger', `The ledger refused: ${outcome.result}.`);
  }
}

function insufficientFunds(available: bigint, amount: bigint, currency: string): Problem {
  return new Problem(
    422,
    'insufficient_funds',
    'Not enough left on the voucher',
    `The voucher has ${formatMoney(available, currency)} left and this costs ${formatMoney(amount, currency)}.`,
    undefined,
    { extensions: { available: amountJson(available), amount: amountJson(amount) } },
  );
}

type Refusal = Exclude<RedeemOutcome, { result: 'ok' }>;

/** One refusal of each kind: their answers' status and code depend on the kind alone. */
const refusalOfEachKind: { [R in Refusal['result']]: Extract<Refusal, { result: R }> } = {
  offer_not_found: { result: 'offer_not_found' },
  offer_started: { result: 'offer_started' },
  restriction_mismatch: { result: 'restriction_mismatch', reason: 'circuit' },
  insufficient_funds: { result: 'insufficient_funds', available: 0, amount: 1 },
  sold_out: { result: 'sold_out', seats_left: 0 },
  ledger_refused: { result: 'ledger_refused', ledger_result: 'exceeds_credits' },
  voucher_not_found: { result: 'voucher_not_found' },
  rate_limited: { result: 'rate_limited', retry_after: 1 },
  voucher_locked: { result: 'voucher_locked' },
  wrong_pin: { result: 'wrong_pin', pin_failures: 1 },
  voucher_expired: { result: 'voucher_expired', expires_at: '2026-01-01T00:00:00Z' },
};

/** The status and problem code POST /v1/redemptions answers for each result: what the batch's audit entries record. */
export const redeemAnswers: RedeemAnswers = {
  ok: { status: 201, problemCode: null },
  ...(Object.fromEntries(
    Object.values(refusalOfEachKind).map((refusal) => [refusal.result, refusalAnswer(redeemProblem(refusal, '', 1))]),
  ) as Omit<RedeemAnswers, 'ok'>),
};

function redeemProblem(outcome: Refusal, offerId: string, seats: number): Error {
  switch (outcome.result) {
    case 'offer_not_found':
      return new Problem(404, 'not_found', 'Offer not found', `No offer ${offerId} that this key can redeem for.`);
    case 'offer_started':
      return new Problem(409, 'conflict', 'The event has started', 'Vouchers can only be used for events that have not started yet.');
    case 'restriction_mismatch': {
      const reasons = {
        circuit: 'it belongs to another circuit',
        category: `it is for ${listed(outcome.allowed ?? [])} only, and this offer is ${outcome.actual}`,
        offer: 'it is for other offers',
        provider: 'it is for other places',
      };
      return new Problem(422, 'restriction_mismatch', 'Voucher not valid here', `This voucher cannot be used for this offer: ${reasons[outcome.reason]}.`, undefined, {
        extensions: { restriction: outcome.reason },
      });
    }
    case 'insufficient_funds':
      return insufficientFunds(BigInt(outcome.available), BigInt(outcome.amount), 'EUR');
    case 'sold_out':
      return new Problem(
        409,
        'sold_out',
        outcome.seats_left === 0 ? 'Sold out' : 'Not enough seats left',
        outcome.seats_left === 0
          ? 'No programme seats are left for this offer.'
          : `Only ${outcome.seats_left} programme seats are left; you asked for ${seats}.`,
        undefined,
        { extensions: { seats_left: outcome.seats_left } },
      );
    case 'ledger_refused':
      return new Error(`the ledger refused a redemption of offer ${offerId}: ${outcome.ledger_result}`);
    default:
      return voucherProblem(outcome);
  }
}

/** The redemption row as redeem_batch() returns it (to_jsonb): amounts as numbers, times as strings. */
function redemptionFromJson(json: Record<string, unknown>): RedemptionRow {
  const time = (value: unknown) => (value === null ? null : new Date(value as string));
  return {
    ...(json as unknown as RedemptionRow),
    seat_price: BigInt(json.seat_price as number),
    amount: BigInt(json.amount as number),
    captured_amount: BigInt(json.captured_amount as number),
    reversed_amount: BigInt(json.reversed_amount as number),
    hold_expires_at: new Date(json.hold_expires_at as string),
    created_at: new Date(json.created_at as string),
    captured_at: time(json.captured_at),
    released_at: time(json.released_at),
    reversed_at: time(json.reversed_at),
  };
}

function reversibleUntil(offer: Pick<OfferRow, 'starts_at' | 'cancellation_window_seconds'>): Date {
  return new Date(offer.starts_at.getTime() - offer.cancellation_window_seconds * 1000);
}

function redemptionJson(row: RedemptionRow, offer: Pick<OfferRow, 'starts_at' | 'cancellation_window_seconds'>) {
  return {
    id: row.id,
    object: 'redemption' as const,
    status: row.status,
    channel: row.channel,
    voucher_id: row.voucher_id,
    offer_id: row.offer_id,
    provider_id: row.provider_id,
    seats: row.seats,
    seat_price: amountJson(row.seat_price),
    amount: amountJson(row.amount),
    captured_seats: row.captured_seats,
    captured_amount: amountJson(row.captured_amount),
    reversed_amount: amountJson(row.reversed_amount),
    currency: row.currency,
    booking_reference: row.booking_reference,
    qr_payload: `${bookingPayloadPrefix}${row.booking_reference}`,
    hold_expires_at: row.hold_expires_at.toISOString(),
    reversible_until: reversibleUntil(offer).toISOString(),
    created_at: row.created_at.toISOString(),
    captured_at: row.captured_at?.toISOString() ?? null,
    released_at: row.released_at?.toISOString() ?? null,
    reversed_at: row.reversed_at?.toISOString() ?? null,
  };
}

/** "music", "music or theatre", "music, course or theatre". */
function listed(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}
