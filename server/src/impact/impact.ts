// What a mentor's money did (GET /v1/mentors/me/impact): given, seats funded and seats used, by
// month and category, from the ledger's own records. Figures only: no beneficiary is named.
import type { Sql } from '../db/connection.js';
import { fundedBy } from '../directory/membership.js';

/** Months are Italian calendar months: a gift at 23:30 UTC on 31 January was made on 1 February in Italy. */
export const impactTimeZone = 'Europe/Rome';

/** The latest approved thank-you notes an impact shows. */
export const notesShown = 20;

/** One month and category: what was given then, and what was used then. `category` null: not tied to one. */
export interface ImpactRow {
  month: string;
  category: string | null;
  given: bigint;
  sponsorships: number;
  seatsFunded: number;
  /** Seats used, attributed pro rata by amount, in tenths of a seat (rounded per row). */
  seatsUsedTenths: number;
  /** What those seats cost, attributed the same way, in cents (rounded per row). */
  used: bigint;
}

export interface ImpactNote {
  id: string;
  text: string;
  language: string;
  createdAt: Date;
}

export type CategoryName = { it: string; en?: string; sq?: string };

export interface MentorImpact {
  currency: string;
  rows: ImpactRow[];
  /** The names circuits give the rows' categories, by slug. */
  categoryNames: Map<string, CategoryName>;
  totals: Omit<ImpactRow, 'month' | 'category'>;
  languages: { language: string; beneficiaries: number }[];
  notes: ImpactNote[];
}

/**
 * The impact of mentor `mentorId`: its succeeded sponsorships (campaigns, pools and adopted needs,
 * and the gifts made with its publishable keys, as its badge counts them), and the seats used from
 * the pools they funded. An adoption counts in its need's category, at its need's seat price.
 *
 * Attribution, pro rata by amount: a mentor's share of a pool is what it gave the pool over all
 * the pool was funded with (FUND less REFUND in the ledger, every sponsor and any direct funding
 * counted). Each captured redemption paid by a voucher of that pool counts that share of its seats
 * and of its amount; a reversal takes back what it reversed. Shares of one pool add up to at most 1,
 * so the mentors of a pool never count one seat more than once between them.
 */
export async function mentorImpact(sql: Sql, mentorId: string): Promise<MentorImpact> {
  const mine = fundedBy(sql, mentorId);
  const given = await sql<{ month: string; category: string | null; given: bigint; sponsorships: number; seats_funded: number }[]>`
    select to_char(coalesce(s.succeeded_at, s.created_at) at time zone ${impactTimeZone}, 'YYYY-MM') as month,
           coalesce(o.category, n.category) as category, sum(s.amount)::bigint as given, count(*)::int as sponsorships,
           sum(coalesce(s.seats, s.amount / coalesce(c.seat_price, n.amount / n.seats), 0))::int as seats_funded
    from sponsorships s left join campaigns c on c.id = s.campaign_id left join offers o on o.id = c.offer_id
      left join needs n on n.id = s.need_id
    where s.status = 'succeeded' and ${mine}
    group by 1, 2`;
  const used = await sql<{ month: string; category: string; seats_used_tenths: number; used: bigint }[]>`
    with shares as (${poolShares(sql, mentorId)})
    select to_char(r.captured_at at time zone ${impactTimeZone}, 'YYYY-MM') as month, o.category,
           round(sum((r.captured_seats - r.reversed_amount / r.seat_price) * sh.share) * 10)::int as seats_used_tenths,
           round(sum((r.captured_amount - r.reversed_amount) * sh.share))::bigint as used
    from shares sh
    join vouchers v on v.pool_id = sh.pool_id
    join redemptions r on r.voucher_id = v.id and r.status in ('captured', 'reversed')
    join offers o on o.id = r.offer_id
    group by 1, 2`;
  const languages = await sql<{ language: string; beneficiaries: number }[]>`
    with shares as (${poolShares(sql, mentorId)})
    select b.language, count(distinct b.id)::int as beneficiaries
    from shares sh
    join vouchers v on v.pool_id = sh.pool_id
    join redemptions r on r.voucher_id = v.id and r.status in ('captured', 'reversed') and r.captured_amount > r.reversed_amount
    join beneficiaries b on b.id = v.beneficiary_id
    group by b.language order by 2 desc, 1`;
  const notes = await sql<{ id: string; text: string; language: string; created_at: Date }[]>`
    with shares as (${poolShares(sql, mentorId)})
    select n.id, n.text, n.language, n.created_at
    from thank_you_notes n join shares sh on sh.pool_id = n.pool_id
    where n.status = 'approved'
    order by n.created_at desc, n.id desc limit ${notesShown}`;

  const rows = new Map<string, ImpactRow>();
  const rowOf = (month: string, category: string | null): ImpactRow => {
    const key = `${month} ${category ?? ''}`;
    let row = rows.get(key);
    if (row === undefined) {
      row = { month, category, given: 0n, sponsorships: 0, seatsFunded: 0, seatsUsedTenths: 0, used: 0n };
      rows.set(key, row);
    }
    return row;
  };
  for (const gift of given) {
    Object.assign(rowOf(gift.month, gift.category), { given: gift.given, sponsorships: gift.sponsorships, seatsFunded: gift.seats_funded });
  }
  for (const use of used) Object.assign(rowOf(use.month, use.category), { seatsUsedTenths: use.seats_used_tenths, used: use.used });
  const sorted = [...rows.values()].sort(
    (a, b) => a.month.localeCompare(b.month) || (a.category ?? '').localeCompare(b.category ?? ''),
  );
  const slugs = [...new Set(sorted.flatMap((row) => (row.category === null ? [] : [row.category])))];
  const names = await sql<{ slug: string; name: CategoryName }[]>`
    select distinct on (category->>'slug') category->>'slug' as slug, category->'name' as name
    from circuits, jsonb_array_elements(categories) category
    where category->>'slug' = any(${slugs}::text[])
    order by category->>'slug', circuits.id`;
  return {
    currency: 'EUR',
    rows: sorted,
    categoryNames: new Map(names.map((name) => [name.slug, name.name])),
    totals: sumRows(sorted),
    languages,
    notes: notes.map((note) => ({ id: note.id, text: note.text, language: note.language, createdAt: note.created_at })),
  };
}

/** The figures of `rows` added up: the totals are the sum of the rounded rows, as a spreadsheet would add them. */
export function sumRows(rows: Omit<ImpactRow, 'month' | 'category'>[]): Omit<ImpactRow, 'month' | 'category'> {
  return rows.reduce(
    (sum, row) => ({
      given: sum.given + row.given,
      sponsorships: sum.sponsorships + row.sponsorships,
      seatsFunded: sum.seatsFunded + row.seatsFunded,
      seatsUsedTenths: sum.seatsUsedTenths + row.seatsUsedTenths,
      used: sum.used + row.used,
    }),
    { given: 0n, sponsorships: 0, seatsFunded: 0, seatsUsedTenths: 0, used: 0n },
  );
}

/** `(pool_id, share)` for every pool the mentor's succeeded sponsorships funded: its amount over the pool's net funding. */
function poolShares(sql: Sql, mentorId: string) {
  return sql`
    select m.pool_id, m.amount::numeric / f.funded as share
    from (select s.pool_id, sum(s.amount) as amount from sponsorships s
          where s.status = 'succeeded' and ${fundedBy(sql, mentorId)} group by s.pool_id) m
    cross join lateral (
      select sum(case t.code when 'FUND' then t.amount else -t.amount end) as funded from transfers t
      where (t.code = 'FUND' and t.credit_account_id = m.pool_id) or (t.code = 'REFUND' and t.debit_account_id = m.pool_id)
    ) f
    where f.funded > 0`;
}
