// The needs board (issue 8): what a referrer's class or group needs, funded by mentors' adoptions
// (sponsorships earmarked to the need) into the need's own pool, then issued by the referrer as vouchers.
import type { PendingQuery, Row } from 'postgres';
import type { Queryable } from '../db/connection.js';
import { amountJson, formatMoney } from '../http/schemas.js';
import { Problem } from '../problem.js';
import type { SponsorshipRow } from '../payments/sponsorship-payments.js';
import { enqueueEvents } from '../webhooks/events.js';

export type LocalizedText = { it?: string; en?: string; sq?: string };

/**
 * Where a need is in its life. `open` takes adoptions; `funded` reached its amount; `expired` passed
 * its deadline short of it; `closed` was withdrawn by its referrer. Only an open need is adopted, and
 * the referrer issues vouchers from any need that is not open.
 */
export const needStatuses = ['open', 'funded', 'expired', 'closed'] as const;
export type NeedStatus = (typeof needStatuses)[number];

/**
 * How long an adoption waiting for its payment (a bank transfer) keeps its part of the need, at
 * most: never past the need's deadline. After that the part is open to other mentors again, so a
 * transfer never made cannot keep a need from being funded. A transfer that arrives later still
 * funds the need's pool, like any payment: the pool may then hold more than the need asked, and its
 * referrer issues vouchers from all of it. The sponsorship's `reserved_until` says until when.
 */
export const adoptionHoldDays = 10;

export interface NeedRow {
  id: string;
  referrer_id: string;
  referrer_name: string;
  circuit_id: string;
  circuit_name: string;
  operator_id: string;
  pool_id: string;
  category: string;
  category_name: LocalizedText | null;
  offer_id: string | null;
  offer_title: LocalizedText | null;
  offer_venue: string | null;
  offer_starts_at: Date | null;
  offer_provider_name: string | null;
  title: LocalizedText;
  description: LocalizedText | null;
  seats: number;
  amount: bigint;
  currency: string;
  deadline: Date;
  funded_at: Date | null;
  closed_at: Date | null;
  created_at: Date;
  funded_amount: bigint;
  pending_amount: bigint;
  adoptions_count: number;
  available_amount: bigint;
  vouchers_issued: number;
  issued_amount: bigint;
  seats_used: number;
}

/**
 * Needs (as `n`) with their progress: what succeeded adoptions paid and pending ones still hold
 * (until their `reserved_until`), what the pool still holds, the vouchers issued from it and the seats
 * their bookings took.
 */
export function needSelect(sql: Queryable) {
  return sql`
    select n.*, r.name as referrer_name, ci.name as circuit_name, ci.operator_id,
           (select listed.value->'name' from jsonb_array_elements(ci.categories) as listed (value)
            where listed.value->>'slug' = n.category limit 1) as category_name,
           o.title as offer_title, o.venue as offer_venue, o.starts_at as offer_starts_at, op.name as offer_provider_name,
           coalesce(s.funded_amount, 0)::bigint as funded_amount, coalesce(s.pending_amount, 0)::bigint as pending_amount,
           coalesce(s.adoptions_count, 0)::int as adoptions_count,
           (a.credits_posted - a.debits_posted - a.debits_pending)::bigint as available_amount,
           coalesce(v.vouchers_issued, 0)::int as vouchers_issued, coalesce(v.issued_amount, 0)::bigint as issued_amount,
           coalesce(u.seats_used, 0)::int as seats_used
    from needs n
      join organizations r on r.id = n.referrer_id
      join circuits ci on ci.id = n.circuit_id
      join accounts a on a.id = n.pool_id
      left join offers o on o.id = n.offer_id
      left join organizations op on op.id = o.provider_id
      left join lateral (
        select sum(amount) filter (where status = 'succeeded') as funded_amount,
               sum(amount) filter (where status = 'pending' and reserved_until > now()) as pending_amount,
               count(*) filter (where status = 'succeeded') as adoptions_count
        from sponsorships where need_id = n.id
      ) s on true
      left join lateral (
        select count(*) as vouchers_issued, sum(amount) as issued_amount from vouchers where pool_id = n.pool_id
      ) v on true
      left join lateral (
        select sum(rd.captured_seats) as seats_used
        from vouchers vv join redemptions rd on rd.voucher_id = vv.id
        where vv.pool_id = n.pool_id and rd.status = 'captured'
      ) u on true`;
}

/** A condition on `needSelect`'s rows: the need is in `status` now (needStatus in SQL). */
export function needStatusIs(sql: Queryable, status: NeedStatus) {
  const funded = sql`coalesce(s.funded_amount, 0) >= n.amount`;
  switch (status) {
    case 'closed':
      return sql`n.closed_at is not null`;
    case 'funded':
      return sql`(n.closed_at is null and ${funded})`;
    case 'expired':
      return sql`(n.closed_at is null and not ${funded} and n.deadline <= now())`;
    case 'open':
      return sql`(n.closed_at is null and not ${funded} and n.deadline > now())`;
  }
}

export async function needById(sql: Queryable, id: string): Promise<NeedRow | undefined> {
  const [row] = await sql<NeedRow[]>`${needSelect(sql)} where n.id = ${id}`;
  return row;
}

/**
 * The need, read once its row is locked: the lock is a statement of its own so that the read, a
 * new snapshot, counts what the previous holder of the lock committed.
 */
async function lockedNeed(tx: Queryable, id: string): Promise<NeedRow> {
  await tx`select id from needs where id = ${id} for no key update`;
  return (await needById(tx, id))!;
}

export function needStatus(row: Pick<NeedRow, 'closed_at' | 'funded_amount' | 'amount' | 'deadline'>, now = new Date()): NeedStatus {
  if (row.closed_at !== null) return 'closed';
  if (row.funded_amount >= row.amount) return 'funded';
  if (row.deadline <= now) return 'expired';
  return 'open';
}

/** What one seat costs: the amount shared by the seats (the table keeps it whole). */
export function seatPrice(row: Pick<NeedRow, 'amount' | 'seats'>): bigint {
  return row.amount / BigInt(row.seats);
}

/** What a need shows anyone: what it is for, its progress and deadline, the referrer only by its name. */
export function publicNeedJson(row: NeedRow) {
  const price = seatPrice(row);
  return {
    id: row.id,
    object: 'public_need' as const,
    circuit: { id: row.circuit_id, name: row.circuit_name },
    referrer_name: row.referrer_name,
    category: { slug: row.category, name: row.category_name ?? { it: row.category } },
    offer:
      row.offer_id === null
        ? null
        : {
            id: row.offer_id,
            title: row.offer_title!,
            venue: row.offer_venue,
            starts_at: row.offer_starts_at!.toISOString(),
            provider_name: row.offer_provider_name!,
          },
    title: row.title,
    description: row.description,
    status: needStatus(row),
    seats: row.seats,
    seat_price: amountJson(price),
    amount: amountJson(row.amount),
    currency: row.currency,
    funded_amount: amountJson(row.funded_amount),
    seats_funded: Number(row.funded_amount / price),
    adoptions_count: row.adoptions_count,
    // Pending payments hold their part while reserved: an adoption may take what neither paid nor promised parts took.
    pending_amount: amountJson(row.pending_amount),
    open_amount: amountJson(openAmount(row)),
    deadline: row.deadline.toISOString(),
  };
}

/** A need as its referrer (and the circuit's operator) sees it: the public view, its pool and what became of it. */
export function needJson(row: NeedRow) {
  const { object: _, ...shown } = publicNeedJson(row);
  return {
    ...shown,
    object: 'need' as const,
    referrer_id: row.referrer_id,
    pool_id: row.pool_id,
    available_amount: amountJson(row.available_amount),
    vouchers_issued: row.vouchers_issued,
    issued_amount: amountJson(row.issued_amount),
    seats_used: row.seats_used,
    funded_at: row.funded_at?.toISOString() ?? null,
    closed_at: row.closed_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

function openAmount(row: Pick<NeedRow, 'amount' | 'funded_amount' | 'pending_amount'>): bigint {
  const left = row.amount - row.funded_amount - row.pending_amount;
  return left > 0n ? left : 0n;
}

/** One adoption as the referrer and the mentor hear of it: the mentor by the name it chose, unless anonymous. */
export function adoptionJson(sponsorship: SponsorshipRow) {
  return {
    sponsorship_id: sponsorship.id,
    need_id: sponsorship.need_id!,
    amount: amountJson(sponsorship.amount),
    seats: sponsorship.seats,
    currency: sponsorship.currency,
    display_name: sponsorship.anonymous ? null : sponsorship.display_name,
    anonymous: sponsorship.anonymous,
    message: sponsorship.message,
    succeeded_at: sponsorship.succeeded_at?.toISOString() ?? null,
  };
}

/** The smallest gift, in cents (1.00): less costs more to pay than it gives. A need's last cents are the exception. */
export const minimumGift = 100n;

/**
 * Makes room for an adoption of `amount` in the need, in the caller's transaction: the need's row is
 * locked, so concurrent adoptions are counted one after the other, and succeeded and held pending
 * parts together never pass the need's amount. Refuses a need that is not open, and a gift
 * `byAmount` under {@link minimumGift} that is not the need's rest. Returns until when the adoption,
 * while it waits for its payment, holds its part ({@link adoptionHoldDays}).
 */
export async function reserveAdoption(tx: Queryable, needId: string, amount: bigint, { byAmount }: { byAmount: boolean }): Promise<Date> {
  const need = await lockedNeed(tx, needId);
  const status = needStatus(need);
  if (status !== 'open') {
    const why = {
      funded: 'It is fully funded already: thank you!',
      expired: `It took adoptions until ${need.deadline.toISOString()}.`,
      closed: 'Its referrer withdrew it.',
    }[status];
    throw new Problem(409, 'conflict', 'Need not open', `This need takes no more adoptions. ${why}`, undefined, {
      extensions: { need_status: status },
    });
  }
  const left = openAmount(need);
  if (amount > left) {
    throw new Problem(
      409,
      'exceeds_need',
      'More than the need asks',
      left === 0n
        ? `The rest of this need is promised by adoptions still waiting for their payment; each keeps its part for up to ${adoptionHoldDays} days.`
        : `This need has ${formatMoney(left, need.currency)} left to adopt (${Number(left / seatPrice(need))} whole seats); adopt that or less.`,
      [{ path: 'amount', message: 'more than the need has left' }],
      { extensions: { open_amount: amountJson(left) } },
    );
  }
  // A gift by amount under a euro only to take the rest of a need: it never leaves one that nobody may
  // pay. Seats are priced by the need, whatever their price.
  if (byAmount && amount < minimumGift && amount !== left) {
    throw new Problem(
      400,
      'invalid_request',
      'Too small a gift',
      `A gift is at least ${formatMoney(minimumGift, need.currency)}, or exactly the ${formatMoney(left, need.currency)} this need has left.`,
      [{ path: 'amount', message: `at least ${minimumGift} cents, or the ${left} the need has left` }],
      { extensions: { open_amount: amountJson(left) } },
    );
  }
  return new Date(Math.min(Date.now() + adoptionHoldDays * 24 * 60 * 60 * 1000, need.deadline.getTime()));
}

/**
 * An adoption's payment succeeded (in its transaction, after the FUND): tells the referrer and the
 * mentor (`need.adopted`), and when the need is now funded for the first time, the referrer and every
 * adopting mentor (`need.funded`); the circuit's operator hears of both, as of all its circuit's events. The need's row is locked, so two adoptions completing it at once
 * stamp it once.
 */
export async function adoptionSucceeded(tx: Queryable, sponsorship: SponsorshipRow): Promise<void> {
  const need = await lockedNeed(tx, sponsorship.need_id!);
  const broughtBy = await mentorsWhoBrought(tx, tx`s.id = ${sponsorship.id}`);
  const events: Parameters<typeof enqueueEvents>[1][number][] = [
    {
      type: 'need.adopted',
      objectId: sponsorship.id,
      organizations: [need.referrer_id, ...broughtBy, need.operator_id],
      data: { object: 'need_adoption', adoption: adoptionJson(sponsorship), need: needJson(need) },
    },
  ];
  if (need.funded_at === null && need.funded_amount >= need.amount) {
    const [funded] = await tx<{ funded_at: Date }[]>`update needs set funded_at = now() where id = ${need.id} returning funded_at`;
    const mentors = await mentorsWhoBrought(tx, tx`s.need_id = ${need.id} and s.status = 'succeeded'`);
    events.push({
      type: 'need.funded',
      objectId: need.id,
      organizations: [need.referrer_id, need.operator_id, ...mentors],
      data: needJson({ ...need, funded_at: funded!.funded_at }),
    });
  }
  await enqueueEvents(tx, events);
}

/**
 * The mentors who brought the sponsorships `which` picks: the one that paid with its secret key, or
 * the one whose page took the visitor's gift with its publishable key (as its impact counts them).
 */
async function mentorsWhoBrought(tx: Queryable, which: PendingQuery<Row[]>): Promise<string[]> {
  const rows = await tx<{ id: string }[]>`
    select distinct m.id from sponsorships s
      left join api_keys k on k.id = s.key_id and k.kind = 'publishable'
      join organizations m on m.id = coalesce(s.mentor_id, k.organization_id) and m.kind = 'mentor'
    where ${which}`;
  return rows.map((row) => row.id);
}

/** A referrer's own need, or 404 (another's is not shown to exist). */
export async function ownNeed(sql: Queryable, referrerId: string, id: string): Promise<NeedRow> {
  const row = await needById(sql, id);
  if (row === undefined || row.referrer_id !== referrerId) throw new Problem(404, 'not_found', 'Need not found', `You posted no need ${id}.`);
  return row;
}
