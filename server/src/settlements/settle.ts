// Paying a provider for a period: its captured redemptions not yet settled, up to the period's
// end, less what was reversed of them, moved from its payable account to payouts by one SETTLE
// whose id is the settlement's; the redemptions are marked settled (and are then no longer
// reversed) and settlement.created is queued, all in one transaction.
import type { Sql } from '../db/connection.js';
import { amountJson } from '../http/schemas.js';
import { newId, payoutsAccountId } from '../ids.js';
import { retryTransaction, type Ledger } from '../ledger/ledger.js';
import { enqueueEvents } from '../webhooks/events.js';

export interface SettlementRow {
  id: string;
  provider_id: string;
  period_end: Date;
  amount: bigint;
  redemptions: number;
  currency: string;
  created_at: Date;
}

export interface ProviderToSettle {
  id: string;
  payable_account_id: string;
  /** The operator that manages the provider: it hears of the settlement too. */
  managed_by: string | null;
}

export interface Settled {
  settlement: SettlementRow;
  /** False when the provider was already settled for this very period end: that settlement is answered again. */
  created: boolean;
}

/**
 * Settles `provider` up to `periodEnd`. Settling the same provider and period end again answers
 * the first settlement; with nothing due, a settlement of 0 is recorded only if `recordEmpty`.
 */
export async function settleProvider(
  { sql, ledger }: { sql: Sql; ledger: Ledger },
  provider: ProviderToSettle,
  periodEnd: Date,
  { recordEmpty }: { recordEmpty: boolean },
): Promise<Settled | undefined> {
  return retryTransaction(() =>
    sql.begin(async (tx) => {
      // One settlement of a provider at a time, so the same period asked twice at once is made once.
      await tx`select from organizations where id = ${provider.id} for no key update`;
      const [existing] = await tx<SettlementRow[]>`
        select * from settlements where provider_id = ${provider.id} and period_end = ${periodEnd} order by id limit 1`;
      if (existing !== undefined) return { settlement: existing, created: false };
      // Locked: a reversal waits for the settlement, then finds its redemption settled.
      const due = await tx<{ id: string; net: bigint }[]>`
        select id, captured_amount - reversed_amount as net from redemptions
        where provider_id = ${provider.id} and settlement_id is null and status in ('captured', 'reversed')
          and captured_at <= ${periodEnd}
        order by id for update`;
      if (due.length === 0 && !recordEmpty) return undefined;
      const id = newId();
      const amount = due.reduce((sum, row) => sum + row.net, 0n);
      const [settlement] = await tx<SettlementRow[]>`
        insert into settlements (id, provider_id, period_end, amount, redemptions, currency)
        values (${id}, ${provider.id}, ${periodEnd}, ${amount}, ${due.length}, 'EUR') returning *`;
      await tx`update redemptions set settlement_id = ${id} where id = any(${due.map((line) => line.id)}::uuid[])`;
      if (amount > 0n) {
        const [outcome] = await ledger.within(tx).createTransfers([
          { id, code: 'SETTLE', debitAccountId: provider.payable_account_id, creditAccountId: payoutsAccountId, amount },
        ]);
        if (outcome!.result !== 'ok') throw new Error(`the ledger refused settlement ${id}: ${outcome!.result}`);
      }
      await enqueueEvents(tx, [
        { type: 'settlement.created', objectId: id, organizations: [provider.id, provider.managed_by], data: settlementSummaryJson(settlement!) },
      ]);
      return { settlement: settlement!, created: true };
    }),
  );
}

/** A settlement without its lines: in lists, in a period's close and in its webhook. */
export function settlementSummaryJson(row: SettlementRow) {
  return {
    id: row.id,
    object: 'settlement' as const,
    provider_id: row.provider_id,
    period_end: row.period_end.toISOString(),
    amount: amountJson(row.amount),
    currency: row.currency,
    redemptions: row.redemptions,
    created_at: row.created_at.toISOString(),
  };
}
