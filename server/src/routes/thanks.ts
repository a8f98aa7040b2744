import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { localizedText } from '../http/schemas.js';
import { newId, readBookingReference } from '../ids.js';
import { Problem } from '../problem.js';
import { unlockVoucher } from '../vouchers/unlock.js';
import { personalDataIn, refuseBeneficiaryReference } from './beneficiaries.js';
import { requireReferrer } from './vouchers.js';

/** A note is short: a line or two on a phone. */
export const maxNoteLength = 280;

const languages = ['it', 'en', 'sq'] as const;
const noteStatuses = ['pending', 'approved', 'rejected'] as const;

/**
 * What personal data a note seems to hold: the beneficiary reference's checks on the whole note
 * (an email, a date, a phone number, a codice fiscale), a street address, and the name check on each
 * sentence, so a signature such as "Grazie! Giulia Bianchi" is caught inside a longer note.
 */
export function personalDataInNote(text: string): string | undefined {
  return (
    personalDataIn(text) ??
    (streetAddress.test(text) ? 'an address' : undefined) ??
    text.split(/[.,;:!?\n()]+/).map((part) => part.trim()).filter(Boolean).map(personalDataIn).find(Boolean)
  );
}

/**
 * A street and its number, in Italian, English or Albanian: "via Roma 5", "Piazza Ducale, 12", "Rruga e
 * Kavajës 3": the word for street, a capitalised name of one to three words, a number. Not "il corso di
 * teatro è durato 3 giorni" or "siamo andati via dopo 2 ore", whose next word is not a name.
 */
const streetAddress =
  /\b(?:[Vv]ia|[Vv]iale|[Pp]iazza|[Pp]iazzale|[Cc]orso|[Vv]icolo|[Ll]argo|[Ss]trada|[Rr]ruga|[Ss]treet|[Rr]oad|[Aa]venue)\s+(?:(?:d[ei]ll?['’]|della|dei|degli|di|e|of|the)\s*)?\p{Lu}[\p{L}'’.]*(?:\s+\p{Lu}[\p{L}'’.]*){0,2},?\s*\d+[a-zA-Z]?\b/u;

const noteText = z
  .string()
  .trim()
  .min(1)
  .max(maxNoteLength)
  .superRefine((text, context) => {
    const what = personalDataInNote(text);
    if (what !== undefined) {
      context.addIssue({ code: 'custom', message: `this looks like ${what}; a thank-you note stays anonymous, so leave it out` });
    }
  })
  .openapi({
    description:
      `Up to ${maxNoteLength} characters, anonymous: no names, addresses, emails, phone numbers, dates or beneficiary references ` +
      'such as 3B-02 (refused with 400).',
    example: 'Grazie! Era la prima volta che andavo a teatro.',
  });

const newNoteSchema = z
  .strictObject({
    booking_reference: z.string().trim().min(1).max(40).openapi({ description: 'From the booking, as shown after redeeming.', example: 'BK-7K3Q9-XPAW2' }),
    code: z.string().min(1).max(64).openapi({ description: 'The voucher that paid for the booking.', example: 'MNT-7K3Q-9XPA-W2DC-8' }),
    pin: z.string().regex(/^\d{4,6}$/, 'a PIN is 4 to 6 digits'),
    text: noteText,
    language: z.enum(languages).optional().openapi({ description: "The note's language; the beneficiary's preferred language when absent." }),
  })
  .openapi('NewThankYouNote');

const noteSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('thank_you_note'),
    status: z.enum(noteStatuses),
    text: z.string(),
    language: z.enum(languages),
    offer: z.object({ id: z.uuid(), title: localizedText(200), provider_name: z.string() }).openapi({ description: 'What the note thanks for.' }),
    created_at: z.iso.datetime(),
    moderated_at: z.iso.datetime().nullable(),
  })
  .openapi('ThankYouNote');

const listQuery = pageQuery.extend({ status: z.enum(noteStatuses).optional() });

interface NoteRow {
  id: string;
  status: (typeof noteStatuses)[number];
  text: string;
  language: (typeof languages)[number];
  offer_id: string;
  offer_title: z.infer<typeof noteSchema>['offer']['title'];
  provider_name: string;
  created_at: Date;
  moderated_at: Date | null;
}

const idParam = z.object({ id: z.uuid() });

/**
 * Thank-you notes: a young person thanks, anonymously, for a booking (proved with the voucher's
 * code and PIN, counted like a voucher check); the referrer that gave the voucher approves or
 * rejects the note; approved notes appear in the impact of the mentors whose money is in the
 * voucher's pool (GET /v1/mentors/me/impact).
 */
export function thanksRoutes(services: Services) {
  const { sql } = services;
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/thanks',
      tags: ['Thank-you notes'],
      summary: 'Leave a thank-you note for a booking',
      description:
        "With a publishable key (the say-thanks widget, right after redeeming). The voucher's code and PIN prove the booking " +
        'is yours; they count as a voucher check does (rate limits, wrong PINs towards the lock). One note per booking, ' +
        'booked and not cancelled. The note waits (`pending`) for the school or association that gave the voucher to ' +
        'approve it; it never says who wrote it.',
      security: bearer,
      request: { body: jsonBody(newNoteSchema) },
      responses: {
        201: jsonResponse(noteSchema, 'The note, waiting for approval'),
        ...problems(400, 401, 403, 404, 409, 422, 429, 410, 423),
      },
    }),
    async (c) => {
      const principal = principalOf(c);
      requireAccess(principal, { organizations: ['provider', 'referrer', 'operator'], keys: ['publishable'] });
      const body = c.req.valid('json');
      const voucher = await unlockVoucher(services, c, principal, body);
      const [booking] = await sql<{ id: string; status: string; language: (typeof languages)[number] }[]>`
        select r.id, r.status, b.language
        from redemptions r join vouchers v on v.id = r.voucher_id join beneficiaries b on b.id = v.beneficiary_id
        where r.booking_reference = ${readBookingReference(body.booking_reference)} and r.voucher_id = ${voucher.id}`;
      if (booking === undefined || booking.status !== 'captured') {
        throw new Problem(
          404,
          'not_found',
          'Booking not found',
          'This voucher has no confirmed booking with this reference. Check the reference shown after booking (BK-…).',
          [{ path: 'booking_reference', message: 'no confirmed booking of this voucher' }],
        );
      }
      // A class register's code ("3B-02") tells the school's mentors who wrote it.
      await refuseBeneficiaryReference(sql, voucher.referrerId, [body.text], {
        path: 'text',
        detail: () => 'A thank-you note stays anonymous: leave out codes such as your class and number.',
      });
      const [created] = await sql<{ id: string }[]>`
        insert into thank_you_notes (id, redemption_id, referrer_id, pool_id, text, language)
        values (${newId()}, ${booking.id}, ${voucher.referrerId}, ${voucher.poolId}, ${body.text}, ${body.language ?? booking.language})
        on conflict (redemption_id) do nothing returning id`;
      if (created === undefined) {
        throw new Problem(409, 'conflict', 'Already thanked', 'This booking already has a thank-you note: one per booking.');
      }
      return c.json(noteJson(await noteById(created.id)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/thanks',
      tags: ['Thank-you notes'],
      summary: 'The thank-you notes of your beneficiaries',
      description: "The referrer's own (secret or desk key), oldest first; `status=pending` lists those to check.",
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(noteSchema), 'A page of notes'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const referrer = requireReferrer(principalOf(c), { desk: true });
      const query = c.req.valid('query');
      const rows = await sql<NoteRow[]>`
        ${selectNotes()}
        where n.referrer_id = ${referrer.id} and n.id > ${after(query)}
          ${query.status === undefined ? sql`` : sql`and n.status = ${query.status}`}
        order by n.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(noteJson), query.limit), 200);
    },
  );

  for (const [action, status] of [
    ['approve', 'approved'],
    ['reject', 'rejected'],
  ] as const) {
    app.openapi(
      createRoute({
        method: 'post',
        path: `/thanks/{id}/${action}`,
        tags: ['Thank-you notes'],
        summary: action === 'approve' ? 'Approve a thank-you note: its mentors see it' : 'Reject a thank-you note: nobody sees it',
        description:
          "The referrer that gave the voucher (secret or desk key). A note can be approved or rejected again later, to " +
          'change one’s mind; doing it twice is harmless.',
        security: bearer,
        request: { params: idParam },
        responses: { 200: jsonResponse(noteSchema, 'The note'), ...problems(401, 403, 404) },
      }),
      async (c) => {
        const referrer = requireReferrer(principalOf(c), { desk: true });
        const id = c.req.valid('param').id;
        const [moderated] = await sql<{ id: string }[]>`
          update thank_you_notes
          set status = ${status}, moderated_at = case when status = ${status} then moderated_at else now() end
          where id = ${id} and referrer_id = ${referrer.id} returning id`;
        if (moderated === undefined) throw new Problem(404, 'not_found', 'Note not found', `No thank-you note ${id} from your beneficiaries.`);
        return c.json(noteJson(await noteById(id)), 200);
      },
    );
  }

  function selectNotes() {
    return sql`
      select n.id, n.status, n.text, n.language, o.id as offer_id, o.title as offer_title, p.name as provider_name,
             n.created_at, n.moderated_at
      from thank_you_notes n join redemptions r on r.id = n.redemption_id
      join offers o on o.id = r.offer_id join organizations p on p.id = o.provider_id`;
  }

  async function noteById(id: string): Promise<NoteRow> {
    const [row] = await sql<NoteRow[]>`${selectNotes()} where n.id = ${id}`;
    return row!;
  }

  return app;
}

function noteJson(row: NoteRow) {
  return {
    id: row.id,
    object: 'thank_you_note' as const,
    status: row.status,
    text: row.text,
    language: row.language,
    offer: { id: row.offer_id, title: row.offer_title, provider_name: row.provider_name },
    created_at: row.created_at.toISOString(),
    moderated_at: row.moderated_at?.toISOString() ?? null,
  };
}
