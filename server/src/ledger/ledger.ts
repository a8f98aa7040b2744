// The only writer of money. Typed calls to the plpgsql functions of
// db/migrations/001_ledger.sql, which check and apply every transfer in the database.
import { z } from 'zod';
import { Batcher } from '../db/batcher.js';
import type { Queryable, Sql } from '../db/connection.js';

export const accountKinds = ['sponsor_funding', 'pool', 'voucher', 'provider_payable', 'payouts'] as const;
export type AccountKind = (typeof accountKinds)[number];

export const transferCodes = [
  'FUND',
  'REFUND',
  'ISSUE',
  'HOLD',
  'CAPTURE',
  'VOID',
  'HOLD_EXPIRED',
  'REVERSE',
  'EXPIRE',
  'SETTLE',
] as const;
export type TransferCode = (typeof transferCodes)[number];

// Limits, the same as the constraints and checks of 001_ledger.sql.
/** The largest amount of one transfer, in minor units: a billion euros. */
export const maxAmount = 100_000_000_000n;
/** The most transfers one call to the database applies. */
export const maxBatch = 8190;
/** The longest a hold may wait for its capture: 30 days. */
export const maxHoldTimeoutSeconds = 30 * 24 * 60 * 60;
/** How often a batch is sent again after PostgreSQL rolled it back for a deadlock or a serialization failure. */
const maxAttempts = 5;

const id = z.uuid();
const reference = z.string().min(1).max(200).optional();
const amount = z.bigint().min(1n).max(maxAmount);

const newAccountSchema = z.union([
  z.strictObject({
    id,
    kind: z.literal('voucher'),
    currency: z.string().regex(/^[A-Z]{3}$/),
    poolAccountId: id,
    reference,
  }),
  z.strictObject({
    id,
    kind: z.enum(['sponsor_funding', 'pool', 'provider_payable', 'payouts']),
    currency: z.string().regex(/^[A-Z]{3}$/),
    reference,
  }),
]);

/** A new account. A voucher names the pool it is issued from and expires back to. */
export type NewAccount = z.infer<typeof newAccountSchema>;

// The fields every transfer between two named accounts has; each code adds its own.
const betweenAccounts = { id, debitAccountId: id, creditAccountId: id, reference };
// A capture or a void names its hold, and may name the hold's accounts too.
const resolvingHold = { id, pendingId: id, debitAccountId: id.optional(), creditAccountId: id.optional(), reference };

const newTransferSchema = z.discriminatedUnion('code', [
  z.strictObject({ ...betweenAccounts, code: z.enum(['FUND', 'REFUND', 'ISSUE', 'SETTLE']), amount }),
  z.strictObject({ ...betweenAccounts, code: z.literal('REVERSE'), reversesId: id, amount }),
  z.strictObject({
    ...betweenAccounts,
    code: z.literal('HOLD'),
    amount,
    timeoutSeconds: z.int().min(1).max(maxHoldTimeoutSeconds),
  }),
  z.strictObject({ ...resolvingHold, code: z.literal('CAPTURE'), amount }),
  z.strictObject({ ...resolvingHold, code: z.literal('VOID') }),
  z.strictObject({ ...betweenAccounts, code: z.literal('EXPIRE') }),
]);

/**
 * A transfer to apply. HOLD reserves `amount` until CAPTURE (of at most the hold), VOID or its
 * timeout; CAPTURE and VOID name the hold as `pendingId` and may leave out its accounts; VOID
 * releases the whole hold; REVERSE names the CAPTURE it gives back (`reversesId`), from the provider
 * to that capture's voucher, never more than the capture took in all; EXPIRE moves all that is
 * available. HOLD_EXPIRED is written only by {@link Ledger.expireHolds}.
 */
export type NewTransfer = z.infer<typeof newTransferSchema>;

export type AccountResult = 'ok' | 'exists' | 'exists_with_different_fields' | 'pool_not_found' | 'currency_mismatch';

export type TransferResult =
  | 'ok'
  | 'exists'
  | 'exists_with_different_fields'
  | 'linked_event_failed'
  | 'debit_account_not_found'
  | 'credit_account_not_found'
  | 'flow_not_allowed'
  | 'currency_mismatch'
  | 'insufficient_funds'
  | 'exceeds_debits'
  | 'hold_not_found'
  | 'hold_already_resolved'
  | 'hold_expired'
  | 'exceeds_hold'
  | 'accounts_do_not_match_hold'
  | 'capture_not_found'
  | 'accounts_do_not_match_capture'
  | 'exceeds_capture'
  | 'nothing_to_expire';

export interface AccountOutcome {
  id: string;
  result: AccountResult;
}

export interface TransferOutcome {
  id: string;
  result: TransferResult;
  /** What the transfer moved (or, for `exists`, moved when first applied); null when refused. */
  amount: bigint | null;
}

export interface Account {
  id: string;
  kind: AccountKind;
  currency: string;
  poolAccountId: string | null;
  reference: string | null;
  debitsMustNotExceedCredits: boolean;
  creditsMustNotExceedDebits: boolean;
  debitsPending: bigint;
  debitsPosted: bigint;
  creditsPending: bigint;
  creditsPosted: bigint;
  /** Credits posted minus debits posted: what a pool, voucher or payable holds, holds included. */
  balance: bigint;
  /** The balance less what holds reserve: what can still be spent. */
  available: bigint;
}

export interface Transfer {
  id: string;
  seq: bigint;
  code: TransferCode;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  pendingId: string | null;
  reversesId: string | null;
  expiresAt: Date | null;
  reference: string | null;
  createdAt: Date;
}

/** A call that broke the ledger's contract (a malformed transfer): a bug in the caller, never a user's mistake. */
export class LedgerInputError extends Error {
  override name = 'LedgerInputError';
}

/** What a Ledger runs with when not told otherwise (docs/performance.md says why). */
export const ledgerDefaults = { writers: 1, batchSize: 512 } as const;

export interface LedgerOptions {
  /** Batches in flight at once. One writer never contends with itself for a hot account. */
  writers?: number;
  /** The most transfers the writer puts in one batch. */
  batchSize?: number;
}

/** A transfer as ledger_create_transfers reads it: snake_case, amounts as decimal strings. */
interface TransferRow {
  id: string;
  code: TransferCode;
  debit_account_id?: string;
  credit_account_id?: string;
  amount?: string;
  pending_id?: string;
  reverses_id?: string;
  timeout_seconds?: number;
  reference?: string;
  linked?: true;
}

/**
 * The ledger. Transfers from concurrent callers are queued and sent together (a {@link Batcher}),
 * up to `batchSize` a call, by `writers` batches in flight: one round trip and one commit carry
 * many transfers, which is what lets a hot pool account take thousands of transfers a second.
 * Each transfer still gets its own result; a linked call is never split.
 */
export class Ledger {
  readonly #sql: Sql;
  readonly #batcher: Batcher<TransferRow, TransferOutcome>;

  constructor(sql: Sql, options: LedgerOptions = {}) {
    this.#sql = sql;
    const writers = options.writers ?? ledgerDefaults.writers;
    const batchSize = options.batchSize ?? ledgerDefaults.batchSize;
    if (!(writers >= 1 && batchSize >= 1 && batchSize <= maxBatch)) {
      throw new LedgerInputError(`writers must be ≥ 1 and batchSize 1..${maxBatch}`);
    }
    this.#batcher = new Batcher((rows) => retryTransaction(() => applyRows(sql, rows)), { writers, batchSize });
  }

  async createAccounts(accounts: readonly NewAccount[]): Promise<AccountOutcome[]> {
    return retryTransaction(() => insertAccounts(this.#sql, accounts));
  }

  /** Applies each transfer on its own: one refused does not stop the others. */
  async createTransfers(transfers: readonly NewTransfer[]): Promise<TransferOutcome[]> {
    return this.#submit(transfers.map(toRow));
  }

  /** Applies all the transfers or none: the first refused says why, the others `linked_event_failed`. */
  async createLinkedTransfers(transfers: readonly NewTransfer[]): Promise<TransferOutcome[]> {
    return this.#submit(linkedRows(transfers));
  }

  /**
   * The ledger inside the caller's transaction, for money that must commit together with other
   * rows (a class's vouchers with the referrer's allocation). Calls go straight to the database,
   * without the queue; PostgreSQL may still roll the transaction back for a deadlock or a
   * serialization failure, so run the whole transaction in {@link retryTransaction}.
   */
  within(transaction: Queryable): LedgerTransaction {
    return {
      createAccounts: (accounts) => insertAccounts(transaction, accounts),
      createTransfers: (transfers) => applyRows(transaction, transfers.map(toRow)),
      createLinkedTransfers: (transfers) => applyRows(transaction, linkedRows(transfers)),
    };
  }

  async createTransfer(transfer: NewTransfer): Promise<TransferOutcome> {
    const [outcome] = await this.createTransfers([transfer]);
    return outcome!;
  }

  /**
   * Releases every hold whose timeout has passed, `chunk` per transaction, so a crash loses at
   * most one chunk's work and another server's sweeper can work beside this one. Returns how many.
   */
  async expireHolds(chunk = 1000): Promise<number> {
    let released = 0;
    for (;;) {
      const [row] = await retryTransaction(
        () => this.#sql<{ released: number }[]>`select ledger_expire_holds(${chunk}) as released`,
      );
      released += row!.released;
      if (row!.released < chunk) return released;
    }
  }

  async lookupAccounts(ids: readonly string[]): Promise<Account[]> {
    const rows = await this.#sql<AccountRecord[]>`
      select * from accounts where id = any(${ids.map((value) => parse(id, value))}::uuid[]) order by id`;
    return rows.map(toAccount);
  }

  async lookupTransfers(ids: readonly string[]): Promise<Transfer[]> {
    const rows = await this.#sql<TransferRecord[]>`
      select * from transfers where id = any(${ids.map((value) => parse(id, value))}::uuid[]) order by seq`;
    return rows.map(toTransfer);
  }

  #submit(rows: TransferRow[]): Promise<TransferOutcome[]> {
    if (rows.length > maxBatch) {
      return Promise.reject(new LedgerInputError(`at most ${maxBatch} transfers in one call, not ${rows.length}`));
    }
    return this.#batcher.submit(rows);
  }
}

/** The ledger's writes inside one transaction (see {@link Ledger.within}). */
export interface LedgerTransaction {
  createAccounts(accounts: readonly NewAccount[]): Promise<AccountOutcome[]>;
  createTransfers(transfers: readonly NewTransfer[]): Promise<TransferOutcome[]>;
  createLinkedTransfers(transfers: readonly NewTransfer[]): Promise<TransferOutcome[]>;
}

async function insertAccounts(sql: Queryable, accounts: readonly NewAccount[]): Promise<AccountOutcome[]> {
  const rows = accounts.map((account) => {
    const valid = parse(newAccountSchema, account);
    return {
      id: valid.id,
      kind: valid.kind,
      currency: valid.currency,
      pool_account_id: 'poolAccountId' in valid ? valid.poolAccountId : undefined,
      reference: valid.reference,
    };
  });
  if (rows.length === 0) return [];
  const outcomes = await sql<{ account_id: string; result: AccountResult }[]>`
    select account_id, result from ledger_create_accounts(${JSON.stringify(rows)}::text::jsonb)`;
  return outcomes.map((row) => ({ id: row.account_id, result: row.result }));
}

async function applyRows(sql: Queryable, rows: TransferRow[]): Promise<TransferOutcome[]> {
  if (rows.length > maxBatch) throw new LedgerInputError(`at most ${maxBatch} transfers in one call, not ${rows.length}`);
  if (rows.length === 0) return [];
  const outcomes = await sql<{ transfer_id: string; result: TransferResult; applied_amount: bigint | null }[]>`
    select transfer_id, result, applied_amount from ledger_create_transfers(${JSON.stringify(rows)}::text::jsonb)`;
  return outcomes.map((row) => ({ id: row.transfer_id, result: row.result, amount: row.applied_amount }));
}

function linkedRows(transfers: readonly NewTransfer[]): TransferRow[] {
  const rows = transfers.map(toRow);
  for (const row of rows.slice(0, -1)) row.linked = true;
  return rows;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new LedgerInputError(z.prettifyError(result.error));
  return result.data;
}

function toRow(transfer: NewTransfer): TransferRow {
  const valid = parse(newTransferSchema, transfer);
  const row: TransferRow = { id: valid.id, code: valid.code };
  if (valid.debitAccountId !== undefined) row.debit_account_id = valid.debitAccountId;
  if (valid.creditAccountId !== undefined) row.credit_account_id = valid.creditAccountId;
  if ('amount' in valid) row.amount = valid.amount.toString();
  if ('pendingId' in valid) row.pending_id = valid.pendingId;
  if ('reversesId' in valid) row.reverses_id = valid.reversesId;
  if ('timeoutSeconds' in valid) row.timeout_seconds = valid.timeoutSeconds;
  if (valid.reference !== undefined) row.reference = valid.reference;
  return row;
}

// PostgreSQL rolled the whole transaction back and says trying again may succeed.
const retryableStates = new Set(['40001', '40P01']);

/**
 * Runs `call` (a whole transaction, or one ledger statement) again when PostgreSQL rolled it back
 * for a deadlock or a serialization failure, at most 5 times with a growing random pause.
 */
export async function retryTransaction<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const state = (error as { code?: unknown }).code;
      if (attempt >= maxAttempts || typeof state !== 'string' || !retryableStates.has(state)) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** attempt * 5));
    }
  }
}

interface AccountRecord {
  id: string;
  kind: AccountKind;
  currency: string;
  pool_account_id: string | null;
  reference: string | null;
  debits_must_not_exceed_credits: boolean;
  credits_must_not_exceed_debits: boolean;
  debits_pending: bigint;
  debits_posted: bigint;
  credits_pending: bigint;
  credits_posted: bigint;
}

function toAccount(row: AccountRecord): Account {
  return {
    id: row.id,
    kind: row.kind,
    currency: row.currency,
    poolAccountId: row.pool_account_id,
    reference: row.reference,
    debitsMustNotExceedCredits: row.debits_must_not_exceed_credits,
    creditsMustNotExceedDebits: row.credits_must_not_exceed_debits,
    debitsPending: row.debits_pending,
    debitsPosted: row.debits_posted,
    creditsPending: row.credits_pending,
    creditsPosted: row.credits_posted,
    balance: row.credits_posted - row.debits_posted,
    available: row.credits_posted - row.debits_posted - row.debits_pending,
  };
}

interface TransferRecord {
  id: string;
  seq: bigint;
  code: TransferCode;
  debit_account_id: string;
  credit_account_id: string;
  amount: bigint;
  pending_id: string | null;
  reverses_id: string | null;
  expires_at: Date | null;
  reference: string | null;
  created_at: Date;
}

function toTransfer(row: TransferRecord): Transfer {
  return {
    id: row.id,
    seq: row.seq,
    code: row.code,
    debitAccountId: row.debit_account_id,
    creditAccountId: row.credit_account_id,
    amount: row.amount,
    pendingId: row.pending_id,
    reversesId: row.reverses_id,
    expiresAt: row.expires_at,
    reference: row.reference,
    createdAt: row.created_at,
  };
}
