// Redemption rows, and bringing them in line with the ledger when a request died half-way or a
// hold timed out: the ledger is the truth about money, the row follows it.
import type { Sql } from '../db/connection.js';

export type RedemptionStatus = 'pending' | 'held' | 'captured' | 'voided' | 'expired' | 'reversed' | 'failed';

export interface RedemptionRow {
  id: string;
  voucher_id: string;
  offer_id: string;
  provider_id: string;
  channel: 'in_page' | 'counter';
  status: RedemptionStatus;
  seats: number;
  seat_price: bigint;
  amount: bigint;
  captured_seats: number;
  captured_amount: bigint;
  reversed_amount: bigint;
  currency: string;
  hold_expires_at: Date;
  booking_reference: string;
  created_at: Date;
  captured_at: Date | null;
  released_at: Date | null;
  reversed_at: Date | null;
}

export const redemptionColumns =
  'id, voucher_id, offer_id, provider_id, channel, status, seats, seat_price, amount, captured_seats, ' +
  'captured_amount, reversed_amount, currency, hold_expires_at, booking_reference, created_at, captured_at, ' +
  'released_at, reversed_at';

/**
 * No request outlives this: statements time out after 10 s and are retried at most 5 times. A
 * redemption still `pending` after it was left by a request that died between taking the seats
 * and holding the money.
 */
export const abandonedAfterSeconds = 300;

export interface SyncResult {
  expired: number;
  repaired: number;
}

/**
 * Makes held and pending redemptions agree with the ledger: a hold the sweeper expired, or one a
 * dead request captured or voided, gets its status; a pending one whose money was never held
 * fails. Seats go back to the offer with the status change, in the same statement.
 */
export async function syncRedemptions(sql: Sql): Promise<SyncResult> {
  const [resolved] = await sql<{ count: number }[]>`
    with resolution as (
      select r.id, r.offer_id, r.seats, r.seat_price, t.code, t.amount
      from redemptions r join transfers t on t.pending_id = r.id
      where r.status in ('held', 'pending') and r.hold_expires_at <= now()
    ), updated as (
      update redemptions r set
        status = case x.code when 'CAPTURE' then 'captured' when 'VOID' then 'voided' else 'expired' end,
        captured_amount = case when x.code = 'CAPTURE' then x.amount else 0 end,
        captured_seats = case when x.code = 'CAPTURE' then (x.amount / x.seat_price)::int else 0 end,
        captured_at = case when x.code = 'CAPTURE' then now() end,
        released_at = case when x.code <> 'CAPTURE' then now() end
      from resolution x where r.id = x.id
      returning r.offer_id, r.seats - r.captured_seats as released
    ), per_offer as (
      select offer_id, sum(released)::int as released from updated group by offer_id
    ), released as (
      update offers o set seats_taken = o.seats_taken - p.released from per_offer p where o.id = p.offer_id
    )
    select count(*)::int as count from updated`;
  const [abandoned] = await sql<{ count: number }[]>`
    with lost as (
      select r.id from redemptions r
      where r.status = 'pending' and r.created_at <= now() - make_interval(secs => ${abandonedAfterSeconds})
        and not exists (select 1 from transfers t where t.id = r.id)
    ), updated as (
      update redemptions r set status = 'failed', failure_code = 'abandoned', released_at = now()
      from lost where r.id = lost.id
      returning r.offer_id, r.seats
    ), per_offer as (
      select offer_id, sum(seats)::int as released from updated group by offer_id
    ), released as (
      update offers o set seats_taken = o.seats_taken - p.released from per_offer p where o.id = p.offer_id
    )
    select count(*)::int as count from updated`;
  // The money was held but the request died before saying so.
  const [adopted] = await sql<{ count: number }[]>`
    with adopted as (
      update redemptions r set status = 'held'
      where r.status = 'pending' and r.created_at <= now() - make_interval(secs => ${abandonedAfterSeconds})
        and exists (select 1 from transfers t where t.id = r.id)
      returning 1
    )
    select count(*)::int as count from adopted`;
  return { expired: resolved!.count, repaired: abandoned!.count + adopted!.count };
}
