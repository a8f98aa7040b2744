import { createRoute, z } from '@hono/zod-openapi';
import { auditThisRead } from '../audit/audit-log.js';
import { principalOf } from '../auth/authenticate.js';
import type { Services } from '../http/context.js';
import { apiRouter, bearer, jsonResponse, problems } from '../http/router.js';
import { amountJson } from '../http/schemas.js';
import { retryTransaction } from '../ledger/ledger.js';
import { Problem } from '../problem.js';
import { beneficiaryJson, beneficiarySchema, type BeneficiaryRow } from './beneficiaries.js';
import { beneficiaryPathSchema, beneficiaryPaths } from './paths.js';
import { requireReferrer, voucherColumns, voucherJson, voucherSchema, type VoucherRow } from './vouchers.js';

const exportedRedemptionSchema = z.object({
  id: z.uuid(),
  voucher_id: z.uuid(),
  status: z.enum(['held', 'captured', 'voided', 'expired', 'reversed']),
  offer_id: z.uuid(),
  offer_title: z.string(),
  provider_name: z.string(),
  starts_at: z.iso.datetime(),
  seats: z.number().int(),
  amount: z.number().int(),
  captured_amount: z.number().int(),
  reversed_amount: z.number().int(),
  currency: z.string(),
  booking_reference: z.string(),
  created_at: z.iso.datetime(),
});

const beneficiaryExportSchema = z
  .object({
    object: z.literal('beneficiary_export'),
    exported_at: z.iso.datetime(),
    beneficiary: beneficiarySchema,
    vouchers: z.array(voucherSchema),
    redemptions: z.array(exportedRedemptionSchema).openapi({ description: 'Every booking made with their vouchers.' }),
    paths: z.array(beneficiaryPathSchema).openapi({ description: 'The paths of their circuits, with the steps their bookings stamped.' }),
    thank_you_notes: z
      .array(
        z.object({
          id: z.uuid(),
          redemption_id: z.uuid(),
          text: z.string(),
          language: z.enum(['it', 'en', 'sq']),
          status: z.enum(['pending', 'approved', 'rejected']),
          created_at: z.iso.datetime(),
          moderated_at: z.iso.datetime().nullable(),
        }),
      )
      .openapi({ description: 'The notes they wrote after their bookings, in their own words.' }),
  })
  .openapi('BeneficiaryExport');

interface ExportedRedemptionRow {
  id: string;
  voucher_id: string;
  status: z.infer<typeof exportedRedemptionSchema>['status'];
  offer_id: string;
  offer_title: string;
  provider_name: string;
  starts_at: Date;
  seats: number;
  amount: bigint;
  captured_amount: bigint;
  reversed_amount: bigint;
  currency: string;
  booking_reference: string;
  created_at: Date;
}

const idParam = z.object({ id: z.uuid() });

/**
 * A beneficiary's rights over what Mentoring holds about them, exercised through their referrer
 * (the platform never knows who they are): everything at once, and erasure. Erasure drops the
 * referrer's reference, the one thing that links the row to a person; the vouchers, bookings and
 * ledger amounts stay, pseudonymous, for the accounts.
 */
export function privacyRoutes({ sql }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/beneficiaries/{id}/export',
      tags: ['Beneficiaries'],
      summary: 'Everything held about a beneficiary',
      description:
        "With the referrer's secret key: the beneficiary, their vouchers (never the codes or PINs, which are not kept), " +
        "every booking made with them, their paths' stamps and their thank-you notes. Each export is in the audit log.",
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(beneficiaryExportSchema, 'The export'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c));
      const id = c.req.valid('param').id;
      auditThisRead(c);
      const [beneficiary] = await sql<BeneficiaryRow[]>`select * from beneficiaries where id = ${id} and referrer_id = ${referrer.id}`;
      if (beneficiary === undefined) throw new Problem(404, 'not_found', 'Beneficiary not found', `You have no beneficiary ${id}.`);
      const vouchers = await sql<VoucherRow[]>`
        select ${sql.unsafe(voucherColumns)} from vouchers v join accounts a on a.id = v.id
        where v.beneficiary_id = ${id} order by v.id`;
      const redemptions = await sql<ExportedRedemptionRow[]>`
        select r.id, r.voucher_id, r.status, r.offer_id, o.title ->> 'it' as offer_title, p.name as provider_name, o.starts_at,
               r.seats, r.amount, r.captured_amount, r.reversed_amount, r.currency, r.booking_reference, r.created_at
        from redemptions r join offers o on o.id = r.offer_id join organizations p on p.id = r.provider_id
        where r.voucher_id = any(${vouchers.map((voucher) => voucher.id)}::uuid[])
        order by r.id`;
      const notes = await sql<{ id: string; redemption_id: string; text: string; language: 'it' | 'en' | 'sq'; status: 'pending' | 'approved' | 'rejected'; created_at: Date; moderated_at: Date | null }[]>`
        select id, redemption_id, text, language, status, created_at, moderated_at from thank_you_notes
        where redemption_id = any(${redemptions.map((redemption) => redemption.id)}::uuid[])
        order by id`;
      return c.json(
        {
          object: 'beneficiary_export' as const,
          exported_at: new Date().toISOString(),
          beneficiary: beneficiaryJson(beneficiary),
          vouchers: vouchers.map(voucherJson),
          redemptions: redemptions.map((redemption) => ({
            ...redemption,
            starts_at: redemption.starts_at.toISOString(),
            amount: amountJson(redemption.amount),
            captured_amount: amountJson(redemption.captured_amount),
            reversed_amount: amountJson(redemption.reversed_amount),
            created_at: redemption.created_at.toISOString(),
          })),
          paths: await beneficiaryPaths(sql, id),
          thank_you_notes: notes.map((note) => ({
            ...note,
            created_at: note.created_at.toISOString(),
            moderated_at: note.moderated_at?.toISOString() ?? null,
          })),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/beneficiaries/{id}/erase',
      tags: ['Beneficiaries'],
      summary: 'Erase a beneficiary',
      description:
        'Drops your reference for them and deletes their thank-you notes, so nothing left at Mentoring leads to the person: their vouchers, bookings and ' +
        "every ledger amount stay, under ids only (a voucher still holding money can still be spent, and expires to " +
        'its pool as usual). Stored answers of the last 24 hours that showed the reference (`Idempotency-Key` replays) ' +
        'are deleted too. Erasing again answers the same; the reference can be used again for someone else.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(beneficiarySchema, 'The erased beneficiary'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c));
      const id = c.req.valid('param').id;
      const erased = await retryTransaction(() =>
        sql.begin(async (tx) => {
          const [row] = await tx<BeneficiaryRow[]>`
            update beneficiaries set reference = null, erased_at = coalesce(erased_at, now())
            where id = ${id} and referrer_id = ${referrer.id} returning *`;
          if (row === undefined) throw new Problem(404, 'not_found', 'Beneficiary not found', `You have no beneficiary ${id}.`);
          // Their notes are in their own words, which may say who they are: they go, unlike the amounts.
          const notes = await tx<{ id: string }[]>`
            delete from thank_you_notes
            where redemption_id in (select r.id from redemptions r join vouchers v on v.id = r.voucher_id where v.beneficiary_id = ${id})
            returning id`;
          // Stored answers showing the reference or a note (the note's own, its moderation's). A scan of a
          // day of records, for a rare request: no index holds what answers contain.
          await tx`
            delete from idempotency_keys
            where status = 'done' and (position(${id} in response_body) > 0
                                       or exists (select from unnest(${notes.map((note) => note.id)}::text[]) note (id)
                                                  where position(note.id in response_body) > 0))`;
          return row;
        }),
      );
      return c.json(beneficiaryJson(erased), 200);
    },
  );

  return app;
}
