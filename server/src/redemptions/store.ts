// Redemption rows, and bringing held ones in line with the ledger after the sweeper expired their
// hold (or a request died between resolving a hold and saying so): the ledger is the truth about
// money, the row follows it.
import type { Sql } from '../db/connection.js';
import { retryTransaction } from '../ledger/ledger.js';
import { enqueueRedemptionEvents } from '../webhooks/events.js';

export type RedemptionStatus = 'held' | 'captured' | 'voided' | 'expired' | 'reversed';

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
 * Gives every held redemption whose hold the ledger resolved (HOLD_EXPIRED by the sweeper, or a
 * CAPTURE or VOID whose request died before updating the row) the status the ledger says, and the
 * unused seats back to the offer, with their webhook events (an expired hold is
 * `redemption.voided`, its status `expired`), in one transaction. Returns how many rows changed.
 */
export async function syncRedemptions(sql: Sql): Promise<number> {
  return retryTransaction(() =>
    sql.begin(async (tx) => {
      const synced = await tx<{ id: string; status: RedemptionStatus }[]>`
        with resolution as (
          select r.id, r.seat_price, t.code, t.amount
          from redemptions r join transfers t on t.pending_id = r.id
          where r.status = 'held' and r.hold_expires_at <= now()
        ), updated as (
          update redemptions r set
            status = case x.code when 'CAPTURE' then 'captured' when 'VOID' then 'voided' else 'expired' end,
            captured_amount = case when x.code = 'CAPTURE' then x.amount else 0 end,
            captured_seats = case when x.code = 'CAPTURE' then (x.amount / x.seat_price)::int else 0 end,
            captured_at = case when x.code = 'CAPTURE' then now() end,
            released_at = case when x.code <> 'CAPTURE' then now() end
          from resolution x where r.id = x.id and r.status = 'held'
          returning r.id, r.status, r.offer_id, r.seats - r.captured_seats as released
        ), per_offer as (
          select offer_id, sum(released)::int as released from updated group by offer_id
        ), released as (
          update offers o set seats_taken = o.seats_taken - p.released from per_offer p where o.id = p.offer_id
        )
        select id, status from updated`;
      await enqueueRedemptionEvents(
        tx,
        synced.map(({ id, status }) => ({ id, type: status === 'captured' ? 'redemption.captured' : 'redemption.voided' })),
      );
      return synced.length;
    }),
  );
}
