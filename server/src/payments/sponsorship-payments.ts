import type { TransactionSql } from 'postgres';
import { amountJson, formatMoney } from '../http/schemas.js';
import { derivedId, sponsorFundingAccountId } from '../ids.js';
import type { Ledger } from '../ledger/ledger.js';
import { adoptionSucceeded } from '../needs/needs.js';
import { Problem } from '../problem.js';
import { enqueueEvents } from '../webhooks/events.js';

export const sponsorshipStatuses = ['pending', 'succeeded', 'failed', 'refunded'] as const;
export type SponsorshipStatus = (typeof sponsorshipStatuses)[number];

export interface SponsorshipRow {
  id: string;
  campaign_id: string | null;
  /** The need it adopts (the needs board); its pool is the need's. */
  need_id: string | null;
  pool_id: string;
  mentor_id: string | null;
  key_id: string | null;
  seats: number | null;
  amount: bigint;
  currency: string;
  display_name: string | null;
  anonymous: boolean;
  message: string | null;
  status: SponsorshipStatus;
  mode: 'test' | 'live';
  payment_provider: string;
  payment_id: string | null;
  receipt_reference: string;
  /** A need's adoption holds its part of the need until then while it waits for its payment (080_adoption_holds.sql). */
  reserved_until: Date | null;
  created_at: Date;
  succeeded_at: Date | null;
  failed_at: Date | null;
  refunded_at: Date | null;
}

/** What a provider said about a sponsorship's payment, when it started or later by a webhook. */
export interface PaymentChange {
  status: SponsorshipStatus;
  /** The provider's id of the payment, once known: webhooks name the payment by it. */
  paymentId?: string;
}

// pending → pending only records the payment id; pending → refunded is a refund that overtook its success.
const moves: Record<SponsorshipStatus, readonly SponsorshipStatus[]> = {
  pending: ['pending', 'succeeded', 'failed', 'refunded'],
  succeeded: ['refunded'],
  failed: [],
  refunded: [],
};

/**
 * Moves a sponsorship (locked by the caller's transaction) along its payment's life, with its money
 * in the same transaction: `succeeded` is exactly when the FUND is in the ledger, `refunded` after
 * a success exactly when the REFUND is. Any other move is an event repeated or out of order and
 * changes nothing. The transfers' ids derive from the sponsorship: a retried step finds its
 * transfer instead of making a second one.
 */
export async function recordPayment(
  tx: TransactionSql<{ bigint: bigint }>,
  ledger: Ledger,
  sponsorship: SponsorshipRow,
  change: PaymentChange,
): Promise<SponsorshipRow> {
  if (!moves[sponsorship.status].includes(change.status)) return sponsorship;
  if (change.status === 'succeeded') await moveMoney(tx, ledger, sponsorship, 'FUND');
  if (change.status === 'refunded' && sponsorship.status === 'succeeded') await moveMoney(tx, ledger, sponsorship, 'REFUND');
  const stamp = change.status === 'pending' ? tx`` : tx`, ${tx(`${change.status}_at`)} = now()`;
  const [row] = await tx<SponsorshipRow[]>`
    update sponsorships set status = ${change.status}, payment_id = ${change.paymentId ?? sponsorship.payment_id} ${stamp}
    where id = ${sponsorship.id} returning *`;
  if (change.status === 'succeeded') {
    const [pool] = await tx<{ operator_id: string }[]>`
      select ci.operator_id from pools p join circuits ci on ci.id = p.circuit_id where p.id = ${row!.pool_id}`;
    await enqueueEvents(tx, [
      { type: 'sponsorship.succeeded', objectId: row!.id, organizations: [row!.mentor_id, pool!.operator_id], data: sponsorshipJson(row!) },
    ]);
    if (row!.need_id !== null) await adoptionSucceeded(tx, row!);
  }
  return row!;
}

/** A sponsorship as the API (and its webhook) shows it. */
export function sponsorshipJson(row: SponsorshipRow) {
  return {
    id: row.id,
    object: 'sponsorship' as const,
    status: row.status,
    campaign_id: row.campaign_id,
    need_id: row.need_id,
    pool_id: row.pool_id,
    mentor_id: row.mentor_id,
    seats: row.seats,
    amount: amountJson(row.amount),
    currency: row.currency,
    display_name: row.display_name,
    anonymous: row.anonymous,
    message: row.message,
    mode: row.mode,
    payment_provider: row.payment_provider,
    payment_id: row.payment_id,
    receipt_reference: row.receipt_reference,
    reserved_until: row.status === 'pending' ? (row.reserved_until?.toISOString() ?? null) : null,
    created_at: row.created_at.toISOString(),
    succeeded_at: row.succeeded_at?.toISOString() ?? null,
    failed_at: row.failed_at?.toISOString() ?? null,
    refunded_at: row.refunded_at?.toISOString() ?? null,
  };
}

async function moveMoney(
  tx: TransactionSql<{ bigint: bigint }>,
  ledger: Ledger,
  sponsorship: SponsorshipRow,
  code: 'FUND' | 'REFUND',
): Promise<void> {
  const [from, to] = code === 'FUND' ? [sponsorFundingAccountId, sponsorship.pool_id] : [sponsorship.pool_id, sponsorFundingAccountId];
  const [outcome] = await ledger.within(tx).createTransfers([
    {
      id: derivedId(sponsorship.id, code.toLowerCase()),
      code,
      debitAccountId: from,
      creditAccountId: to,
      amount: sponsorship.amount,
      reference: `sponsorship:${sponsorship.id}`,
    },
  ]);
  if (outcome!.result === 'ok' || outcome!.result === 'exists') return;
  if (outcome!.result === 'insufficient_funds') {
    throw new Problem(
      409,
      'insufficient_funds',
      'Refund not covered by the pool',
      `Pool ${sponsorship.pool_id} has less than the ${formatMoney(sponsorship.amount, sponsorship.currency)} of sponsorship ` +
        `${sponsorship.receipt_reference} available: it was issued as vouchers. Nothing changed; send the event again once the operator has covered it.`,
    );
  }
  throw new Error(`the ledger refused ${code} for sponsorship ${sponsorship.id}: ${outcome!.result}`);
}
