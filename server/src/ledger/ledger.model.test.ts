// Model-based test: random sequences of sponsorships, issues, bookings, cancellations, expiries,
// payouts, resends and linked pairs, sent to the real ledger and to a plain in-memory model of the
// accounts and holds. After every step the ledger gave the result the model predicts, every
// counter equals the model's, and the reconciliation is clean.
//
// The seed is printed first; FC_SEED=<seed> replays a run, FC_PATH and FC_REPLAY_PATH (both in
// fast-check's failure report) jump straight to its shrunk counterexample, FC_RUNS runs more.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { createTestLedger, type TestLedger } from '../../test/ledger.js';
import type { Account, AccountKind, NewAccount, NewTransfer, Transfer, TransferCode, TransferResult } from './ledger.js';
import { reconcile } from './reconciliation.js';

const numRuns = integerFromEnv('FC_RUNS') ?? 40;
const maxCommands = 50;
const seed = integerFromEnv('FC_SEED') ?? Date.now() ^ (Math.random() * 0x1_0000_0000);
const path = process.env.FC_PATH || undefined;
const replayPath = process.env.FC_REPLAY_PATH || undefined;

/** Long enough that no hold times out during a run: the timeout path has its own test in ledger.test.ts. */
const holdTimeoutSeconds = 3600;

// Every run opens these accounts afresh (new ids), so runs never share a balance; the
// reconciliation still checks the whole database, every earlier run included.
const pools = ['pool A', 'pool B'] as const;
const vouchers = [
  { name: 'voucher A1', pool: 0 },
  { name: 'voucher A2', pool: 0 },
  { name: 'voucher B1', pool: 1 },
  { name: 'voucher B2', pool: 1 },
] as const;

/** What each pool is funded with and each voucher issued with before a run's steps. */
const openingFund = 100_00n;
const openingVoucher = 25_00n;

let t: TestLedger;

before(async () => {
  t = await createTestLedger();
});
after(async () => {
  await t.close();
});

function integerFromEnv(name: string): number | undefined {
  const value = process.env[name];
  if (!value) return undefined;
  const number = Number(value);
  assert.ok(Number.isSafeInteger(number), `${name} must be an integer, not ${value}`);
  return number;
}

// What a step asks for, in terms of the layout above: the same in every run, whatever its ids.

/**
 * A percentage of the step's natural bound (what the pool, voucher or payable can spend, or the
 * hold's amount): 1–100 stays within it, above 100 asks for more than there is.
 */
type Share = number;
/** Whether a capture or a void names the hold's accounts, leaves them out, or names the wrong voucher. */
type Naming = 'left out' | 'named' | 'misnamed';
/** What a reversal names when the run has no capture yet: a random id, or the latest hold (a random id if none). */
type NotACapture = 'random id' | 'hold';

type Request =
  | { code: 'FUND'; pool: number; amount: bigint }
  | { code: 'REFUND'; pool: number; share: Share }
  | { code: 'ISSUE'; voucher: number; share: Share; fromOtherPool: boolean }
  | { code: 'HOLD'; voucher: number; share: Share }
  /** `hold` counts back from the latest hold sent in this run. */
  | { code: 'CAPTURE'; hold: number; share: Share; accounts: Naming }
  | { code: 'VOID'; hold: number; accounts: Naming }
  | { code: 'EXPIRE'; voucher: number; toOtherPool: boolean }
  /**
   * `capture` counts back from the latest capture applied in this run; `share` is of what that
   * capture still has to give back; `misdirected` gives it to the wrong voucher. With no capture
   * yet, the reversal names `otherwise` instead, giving `share` of the payable to `voucher`.
   */
  | { code: 'REVERSE'; capture: number; share: Share; misdirected: boolean; otherwise: NotACapture; voucher: number }
  | { code: 'SETTLE'; share: Share }
  /** `transfer` counts back from the latest transfer sent in this run; `changed` alters its amount or reference. */
  | { code: 'RESEND'; transfer: number; changed: boolean };

function describeRequest(request: Request): string {
  switch (request.code) {
    case 'FUND':
      return `a sponsor funds ${pools[request.pool]} with ${request.amount} cents`;
    case 'REFUND':
      return `${pools[request.pool]} refunds ${request.share}% of what it can spend`;
    case 'ISSUE':
      return `${request.fromOtherPool ? 'the other pool' : 'its pool'} issues ${vouchers[request.voucher]!.name} ${request.share}% of what the pool can spend`;
    case 'HOLD':
      return `a provider holds ${request.share}% of what ${vouchers[request.voucher]!.name} can spend`;
    case 'CAPTURE':
      return `capture ${request.share}% of ${describeHold(request.hold)}, accounts ${request.accounts}`;
    case 'VOID':
      return `void ${describeHold(request.hold)}, accounts ${request.accounts}`;
    case 'EXPIRE':
      return `${vouchers[request.voucher]!.name} expires into ${request.toOtherPool ? 'the other pool' : 'its pool'}`;
    case 'REVERSE':
      return (
        `the provider gives back ${request.share}% of what the ${ordinalBack(request.capture)} capture can still give back` +
        ` to ${request.misdirected ? 'the wrong voucher' : 'its voucher'}` +
        ` (with no capture: ${request.otherwise === 'hold' ? 'names a hold' : 'names a random id'}, to ${vouchers[request.voucher]!.name})`
      );
    case 'SETTLE':
      return `the provider is paid out ${request.share}% of its payable`;
    case 'RESEND':
      return `send the ${ordinalBack(request.transfer)} transfer again${request.changed ? ' with other fields' : ''}`;
  }
}

function describeHold(back: number): string {
  return `the ${ordinalBack(back)} hold`;
}

function ordinalBack(back: number): string {
  return back === 0 ? 'latest' : `latest but ${back}`;
}

const share: fc.Arbitrary<Share> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 100 }) },
  { weight: 2, arbitrary: fc.constant(100) },
  { weight: 2, arbitrary: fc.integer({ min: 101, max: 200 }) },
);
const pool = fc.integer({ min: 0, max: pools.length - 1 });
const voucher = fc.integer({ min: 0, max: vouchers.length - 1 });
const back = fc.nat({ max: 9 });
const naming: fc.Arbitrary<Naming> = fc.oneof(
  { weight: 4, arbitrary: fc.constant('left out' as const) },
  { weight: 2, arbitrary: fc.constant('named' as const) },
  { weight: 1, arbitrary: fc.constant('misnamed' as const) },
);
const sometimes = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

const request: fc.Arbitrary<Request> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ code: fc.constant('FUND'), pool, amount: fc.bigInt({ min: 1n, max: 100_00n }) }) },
  { weight: 1, arbitrary: fc.record({ code: fc.constant('REFUND'), pool, share }) },
  { weight: 4, arbitrary: fc.record({ code: fc.constant('ISSUE'), voucher, share, fromOtherPool: sometimes }) },
  { weight: 4, arbitrary: fc.record({ code: fc.constant('HOLD'), voucher, share }) },
  { weight: 4, arbitrary: fc.record({ code: fc.constant('CAPTURE'), hold: back, share, accounts: naming }) },
  { weight: 2, arbitrary: fc.record({ code: fc.constant('VOID'), hold: back, accounts: naming }) },
  { weight: 2, arbitrary: fc.record({ code: fc.constant('EXPIRE'), voucher, toOtherPool: sometimes }) },
  {
    weight: 2,
    arbitrary: fc.record({
      code: fc.constant('REVERSE'),
      capture: back,
      share,
      misdirected: sometimes,
      otherwise: fc.constantFrom<NotACapture>('random id', 'hold'),
      voucher,
    }),
  },
  { weight: 1, arbitrary: fc.record({ code: fc.constant('SETTLE'), share }) },
  { weight: 2, arbitrary: fc.record({ code: fc.constant('RESEND'), transfer: back, changed: fc.boolean() }) },
);

/** `share` percent of `bound`, at least 1; above 100 always more than `bound`. */
function portion(bound: bigint, share: Share): bigint {
  const scaled = (bound * BigInt(share)) / 100n;
  const least = share > 100 ? bound + 1n : 1n;
  return scaled > least ? scaled : least;
}

/** How many transfers and holds a request needs to have been sent before it can name one. */
function canResolve(request: Request, sent: number, holds: number): boolean {
  if (request.code === 'RESEND') return sent > 0;
  if (request.code === 'CAPTURE' || request.code === 'VOID') return holds > 0;
  return true;
}

// The model: the books as plain bigints and maps, as an accountant would keep them on paper.

type Counters = Pick<Account, 'debitsPending' | 'debitsPosted' | 'creditsPending' | 'creditsPosted'>;

interface ModelAccount extends Counters {
  name: string;
  kind: AccountKind;
  /** A voucher's pool. */
  pool: string | null;
}

/** A transfer as the ledger keeps it: a capture's and a void's accounts are the hold's. */
type Applied = Pick<
  Transfer,
  'code' | 'debitAccountId' | 'creditAccountId' | 'amount' | 'pendingId' | 'reversesId' | 'reference'
>;

interface Hold {
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  state: 'open' | 'captured' | 'voided';
}

/** An applied capture: from its voucher to the provider, and how much of it reversals gave back. */
interface Capture {
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  reversed: bigint;
}

interface Books {
  accounts: Map<string, ModelAccount>;
  transfers: Map<string, Applied>;
  holds: Map<string, Hold>;
  /** In the order they were applied. */
  captures: Map<string, Capture>;
}

interface Parties {
  funding: string;
  provider: string;
  payouts: string;
  pools: string[];
  vouchers: string[];
}

type HoldTransfer = Extract<NewTransfer, { code: 'HOLD' }>;

interface Expected {
  result: TransferResult;
  amount: bigint | null;
}

/** Which kinds each code moves money between; ISSUE and EXPIRE only between a voucher and its own pool. */
const flows: Record<Exclude<TransferCode, 'CAPTURE' | 'VOID' | 'HOLD_EXPIRED'>, [AccountKind, AccountKind]> = {
  FUND: ['sponsor_funding', 'pool'],
  REFUND: ['pool', 'sponsor_funding'],
  ISSUE: ['pool', 'voucher'],
  HOLD: ['voucher', 'provider_payable'],
  REVERSE: ['provider_payable', 'voucher'],
  EXPIRE: ['voucher', 'pool'],
  SETTLE: ['provider_payable', 'payouts'],
};

/** Pools, vouchers and payables never spend money they do not have, holds counted. */
const neverOverdrawn: readonly AccountKind[] = ['pool', 'voucher', 'provider_payable'];

/** What a pool, a voucher or a payable can still spend: its balance less what holds reserve. */
function spendable(account: Counters): bigint {
  return account.creditsPosted - account.debitsPosted - account.debitsPending;
}

function counters({ debitsPending, debitsPosted, creditsPending, creditsPosted }: Counters): Counters {
  return { debitsPending, debitsPosted, creditsPending, creditsPosted };
}

class Model {
  readonly parties: Parties;
  /** Every transfer sent in this run, refused ones included, for resends and for naming holds. */
  readonly sent: NewTransfer[];
  #books: Books;
  constructor(parties: Parties, books: Books, sent: NewTransfer[] = []) {
    this.parties = parties;
    this.#books = books;
    this.sent = sent;
  }

  /** A copy to try a step on without changing this model. */
  fork(): Model {
    return new Model(this.parties, structuredClone(this.#books), [...this.sent]);
  }

  get accounts(): ReadonlyMap<string, ModelAccount> {
    return this.#books.accounts;
  }

  get holdsSent(): HoldTransfer[] {
    return this.sent.filter((transfer): transfer is HoldTransfer => transfer.code === 'HOLD');
  }

  /** An account's name, or a hold's number in this run, for failure messages. */
  nameOf(id: string): string | undefined {
    const account = this.#books.accounts.get(id);
    if (account !== undefined) return account.name;
    const hold = this.holdsSent.findIndex((transfer) => transfer.id === id);
    if (hold !== -1) return `hold ${hold + 1}`;
    const capture = this.sent.filter((transfer) => transfer.code === 'CAPTURE').findIndex((transfer) => transfer.id === id);
    return capture === -1 ? undefined : `capture ${capture + 1}`;
  }

  /** The transfer a request stands for in this run, its amount sized on the current balances. */
  transferFor(request: Request): NewTransfer {
    const { funding, provider, payouts } = this.parties;
    const id = randomUUID();
    switch (request.code) {
      case 'FUND':
        return { id, code: 'FUND', debitAccountId: funding, creditAccountId: this.#pool(request.pool), amount: request.amount };
      case 'REFUND': {
        const pool = this.#pool(request.pool);
        return { id, code: 'REFUND', debitAccountId: pool, creditAccountId: funding, amount: this.#portion(pool, request.share) };
      }
      case 'ISSUE': {
        const pool = this.#poolOf(request.voucher, request.fromOtherPool);
        const voucher = this.#voucher(request.voucher);
        return { id, code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount: this.#portion(pool, request.share) };
      }
      case 'HOLD': {
        const voucher = this.#voucher(request.voucher);
        return {
          id,
          code: 'HOLD',
          debitAccountId: voucher,
          creditAccountId: provider,
          amount: this.#portion(voucher, request.share),
          timeoutSeconds: holdTimeoutSeconds,
        };
      }
      case 'CAPTURE': {
        const hold = this.#hold(request.hold);
        const amount = portion(hold.amount, request.share);
        return { id, code: 'CAPTURE', pendingId: hold.id, amount, ...this.#naming(hold, request.accounts) };
      }
      case 'VOID': {
        const hold = this.#hold(request.hold);
        return { id, code: 'VOID', pendingId: hold.id, ...this.#naming(hold, request.accounts) };
      }
      case 'EXPIRE':
        return {
          id,
          code: 'EXPIRE',
          debitAccountId: this.#voucher(request.voucher),
          creditAccountId: this.#poolOf(request.voucher, request.toOtherPool),
        };
      case 'REVERSE': {
        const captures = [...this.#books.captures];
        if (captures.length === 0) {
          const holds = this.holdsSent;
          const hold = request.otherwise === 'hold' && holds.length > 0 ? latest(holds, request.capture) : undefined;
          return {
            id,
            code: 'REVERSE',
            reversesId: hold?.id ?? randomUUID(),
            debitAccountId: provider,
            creditAccountId: this.#voucher(request.voucher),
            amount: this.#portion(provider, request.share),
          };
        }
        const [captureId, capture] = latest(captures, request.capture);
        const voucher = request.misdirected ? this.#otherVoucher(capture.debitAccountId) : capture.debitAccountId;
        return {
          id,
          code: 'REVERSE',
          reversesId: captureId,
          debitAccountId: capture.creditAccountId,
          creditAccountId: voucher,
          amount: portion(capture.amount - capture.reversed, request.share),
        };
      }
      case 'SETTLE':
        return { id, code: 'SETTLE', debitAccountId: provider, creditAccountId: payouts, amount: this.#portion(provider, request.share) };
      case 'RESEND': {
        const original = latest(this.sent, request.transfer);
        if (!request.changed) return original;
        return 'amount' in original
          ? { ...original, amount: original.amount + 1n }
          : { ...original, reference: 'sent again with other fields' };
      }
    }
  }

  /** Records the transfers as sent and applies them as the ledger should; linked ones all or none. */
  send(transfers: readonly NewTransfer[], { linked }: { linked: boolean }): Expected[] {
    this.sent.push(...transfers);
    if (!linked) return transfers.map((transfer) => this.#apply(transfer));
    const before = structuredClone(this.#books);
    const results: Expected[] = [];
    for (const [index, transfer] of transfers.entries()) {
      const expected = this.#apply(transfer);
      if (expected.result !== 'ok' && expected.result !== 'exists') {
        this.#books = before;
        return transfers.map((_, other) => (other === index ? expected : { result: 'linked_event_failed', amount: null }));
      }
      results.push(expected);
    }
    return results;
  }

  #apply(transfer: NewTransfer): Expected {
    const existing = this.#books.transfers.get(transfer.id);
    if (existing !== undefined) {
      return sameFields(existing, transfer) ? { result: 'exists', amount: existing.amount } : refused('exists_with_different_fields');
    }
    if (transfer.code === 'CAPTURE' || transfer.code === 'VOID') return this.#resolve(transfer);

    // A reversal gives back (part of) a capture, stored or earlier in the same call, to its voucher.
    let reversed: Capture | undefined;
    if (transfer.code === 'REVERSE') {
      reversed = this.#books.captures.get(transfer.reversesId);
      if (reversed === undefined) return refused('capture_not_found');
      if (transfer.debitAccountId !== reversed.creditAccountId || transfer.creditAccountId !== reversed.debitAccountId) {
        return refused('accounts_do_not_match_capture');
      }
      if (transfer.amount > reversed.amount - reversed.reversed) return refused('exceeds_capture');
    }

    const debit = this.#books.accounts.get(transfer.debitAccountId)!;
    const credit = this.#books.accounts.get(transfer.creditAccountId)!;
    const [from, to] = flows[transfer.code];
    const ownPool =
      transfer.code === 'ISSUE' ? credit.pool === transfer.debitAccountId
      : transfer.code === 'EXPIRE' ? debit.pool === transfer.creditAccountId
      : true;
    if (debit.kind !== from || credit.kind !== to || !ownPool) return refused('flow_not_allowed');
    // An expiry moves whatever the voucher can still spend.
    const amount = transfer.code === 'EXPIRE' ? spendable(debit) : transfer.amount;
    if (transfer.code === 'EXPIRE' && amount <= 0n) return refused('nothing_to_expire');
    if (neverOverdrawn.includes(debit.kind) && amount > spendable(debit)) return refused('insufficient_funds');
    // The sponsors never get back more than they paid in.
    if (credit.kind === 'sponsor_funding' && credit.creditsPending + credit.creditsPosted + amount > credit.debitsPosted) {
      return refused('exceeds_debits');
    }

    if (transfer.code === 'HOLD') {
      debit.debitsPending += amount;
      credit.creditsPending += amount;
      this.#books.holds.set(transfer.id, {
        debitAccountId: transfer.debitAccountId,
        creditAccountId: transfer.creditAccountId,
        amount,
        state: 'open',
      });
    } else {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
      if (reversed !== undefined) reversed.reversed += amount;
    }
    this.#record(transfer, transfer.debitAccountId, transfer.creditAccountId, amount);
    return { result: 'ok', amount };
  }

  #resolve(transfer: Extract<NewTransfer, { code: 'CAPTURE' | 'VOID' }>): Expected {
    const hold = this.#books.holds.get(transfer.pendingId);
    if (hold === undefined) return refused('hold_not_found');
    if (
      (transfer.debitAccountId ?? hold.debitAccountId) !== hold.debitAccountId ||
      (transfer.creditAccountId ?? hold.creditAccountId) !== hold.creditAccountId
    ) {
      return refused('accounts_do_not_match_hold');
    }
    if (hold.state !== 'open') return refused('hold_already_resolved');
    const amount = transfer.code === 'CAPTURE' ? transfer.amount : hold.amount;
    if (amount > hold.amount) return refused('exceeds_hold');

    // The whole hold is released; a capture posts what was used.
    const debit = this.#books.accounts.get(hold.debitAccountId)!;
    const credit = this.#books.accounts.get(hold.creditAccountId)!;
    debit.debitsPending -= hold.amount;
    credit.creditsPending -= hold.amount;
    if (transfer.code === 'CAPTURE') {
      debit.debitsPosted += amount;
      credit.creditsPosted += amount;
      this.#books.captures.set(transfer.id, {
        debitAccountId: hold.debitAccountId,
        creditAccountId: hold.creditAccountId,
        amount,
        reversed: 0n,
      });
    }
    hold.state = transfer.code === 'CAPTURE' ? 'captured' : 'voided';
    this.#record(transfer, hold.debitAccountId, hold.creditAccountId, amount);
    return { result: 'ok', amount };
  }

  #record(transfer: NewTransfer, debitAccountId: string, creditAccountId: string, amount: bigint): void {
    this.#books.transfers.set(transfer.id, {
      code: transfer.code,
      debitAccountId,
      creditAccountId,
      amount,
      pendingId: 'pendingId' in transfer ? transfer.pendingId : null,
      reversesId: 'reversesId' in transfer ? transfer.reversesId : null,
      reference: transfer.reference ?? null,
    });
  }

  #pool(index: number): string {
    return this.parties.pools[index]!;
  }

  #voucher(index: number): string {
    return this.parties.vouchers[index]!;
  }

  /** The voucher's own pool, or the other one. */
  #poolOf(voucherIndex: number, other: boolean): string {
    const own = vouchers[voucherIndex]!.pool;
    return this.#pool(other ? (own + 1) % pools.length : own);
  }

  /** The next voucher after this one: the wrong one for a misnamed hold or a misdirected reversal. */
  #otherVoucher(voucher: string): string {
    return this.#voucher((this.parties.vouchers.indexOf(voucher) + 1) % vouchers.length);
  }

  #portion(account: string, share: Share): bigint {
    return portion(spendable(this.#books.accounts.get(account)!), share);
  }

  #hold(back: number): HoldTransfer {
    return latest(this.holdsSent, back);
  }

  #naming(hold: HoldTransfer, accounts: Naming): { debitAccountId?: string; creditAccountId?: string } {
    switch (accounts) {
      case 'left out':
        return {};
      case 'named':
        return { debitAccountId: hold.debitAccountId, creditAccountId: hold.creditAccountId };
      case 'misnamed':
        return { debitAccountId: this.#otherVoucher(hold.debitAccountId) };
    }
  }
}

/** The ledger compares only the fields the new transfer gives: a capture's or void's accounts may be left out. */
function sameFields(existing: Applied, transfer: NewTransfer): boolean {
  return (
    existing.code === transfer.code &&
    (transfer.debitAccountId ?? existing.debitAccountId) === existing.debitAccountId &&
    (transfer.creditAccountId ?? existing.creditAccountId) === existing.creditAccountId &&
    (!('amount' in transfer) || transfer.amount === existing.amount) &&
    ('pendingId' in transfer ? transfer.pendingId : null) === existing.pendingId &&
    ('reversesId' in transfer ? transfer.reversesId : null) === existing.reversesId &&
    (transfer.reference ?? null) === existing.reference
  );
}

function refused(result: TransferResult): Expected {
  return { result, amount: null };
}

/** Counting back from the latest: 0 is the latest, and shrinking moves towards it. */
function latest<T>(list: readonly T[], back: number): T {
  return list[list.length - 1 - (back % list.length)]!;
}

// The steps, each sent to the model and to the ledger, then compared.

/** How often each code met each result, printed at the end: proof the runs reached the refusals too. */
const seen = new Map<string, number>();

function tally(transfers: readonly NewTransfer[], expected: readonly Expected[]): void {
  for (const [index, transfer] of transfers.entries()) {
    const key = `${transfer.code} ${expected[index]!.result}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
}

function show(model: Model, transfers: readonly NewTransfer[]): string {
  return transfers
    .map((transfer) =>
      JSON.stringify(transfer, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : typeof value === 'string' ? (model.nameOf(value) ?? value) : value,
      ),
    )
    .join(', ');
}

async function sendAndCompare(model: Model, transfers: NewTransfer[], linked: boolean): Promise<Expected[]> {
  const expected = model.send(transfers, { linked });
  const outcomes = linked ? await t.ledger.createLinkedTransfers(transfers) : await t.ledger.createTransfers(transfers);
  const step = show(model, transfers);
  assert.deepEqual(
    outcomes,
    transfers.map((transfer, index) => ({ id: transfer.id, ...expected[index]! })),
    `the ledger's results differ from the model's for ${step}`,
  );
  await assertBooksAgree(model, step);
  return expected;
}

/** Every account of the run has the model's counters, and the whole database reconciles. */
async function assertBooksAgree(model: Model, step: string): Promise<void> {
  const found = new Map((await t.ledger.lookupAccounts([...model.accounts.keys()])).map((account) => [account.id, account]));
  for (const [id, account] of model.accounts) {
    const actual = found.get(id);
    assert.ok(actual, `${account.name} exists`);
    assert.deepEqual(counters(actual), counters(account), `after ${step}: ${account.name}'s counters differ from the model's`);
  }
  const report = await reconcile(t.database.sql);
  assert.deepEqual(report.problems, [], `after ${step}: the reconciliation found problems`);
  assert.equal(report.clean, true);
}

class Send implements fc.AsyncCommand<Model, TestLedger> {
  readonly request: Request;

  constructor(request: Request) {
    this.request = request;
  }

  check(model: Readonly<Model>): boolean {
    return canResolve(this.request, model.sent.length, model.holdsSent.length);
  }

  async run(model: Model): Promise<void> {
    const transfers = [model.transferFor(this.request)];
    tally(transfers, await sendAndCompare(model, transfers, false));
  }

  toString(): string {
    return describeRequest(this.request);
  }
}

/** Two transfers that apply together or not at all; the second is sized as if the first had applied. */
class SendLinked implements fc.AsyncCommand<Model, TestLedger> {
  readonly first: Request;
  readonly second: Request;

  constructor(first: Request, second: Request) {
    this.first = first;
    this.second = second;
  }

  check(model: Readonly<Model>): boolean {
    const holds = model.holdsSent.length;
    return (
      canResolve(this.first, model.sent.length, holds) &&
      canResolve(this.second, model.sent.length + 1, this.first.code === 'HOLD' ? holds + 1 : holds)
    );
  }

  async run(model: Model): Promise<void> {
    const first = model.transferFor(this.first);
    const trial = model.fork();
    trial.send([first], { linked: false });
    const second = trial.transferFor(this.second);
    tally([first, second], await sendAndCompare(model, [first, second], true));
  }

  toString(): string {
    return `linked: ${describeRequest(this.first)}, then ${describeRequest(this.second)}`;
  }
}

class Sweep implements fc.AsyncCommand<Model, TestLedger> {
  check(): boolean {
    return true;
  }

  async run(model: Model): Promise<void> {
    assert.equal(await t.ledger.expireHolds(), 0, 'the sweeper released a hold that had an hour left');
    await assertBooksAgree(model, 'the sweeper ran');
  }

  toString(): string {
    return 'the sweeper looks for holds that timed out';
  }
}

/**
 * Fresh sponsors' funding, provider, payouts, pools and vouchers, so no run sees another's
 * balances. Each run opens with its pools funded and its vouchers issued: most steps then
 * move real money instead of bouncing off empty accounts.
 */
async function openBooks(): Promise<{ model: Model; real: TestLedger }> {
  const parties: Parties = {
    funding: randomUUID(),
    provider: randomUUID(),
    payouts: randomUUID(),
    pools: pools.map(() => randomUUID()),
    vouchers: vouchers.map(() => randomUUID()),
  };
  // The reference is the name failure messages use.
  const accounts: NewAccount[] = [
    { id: parties.funding, kind: 'sponsor_funding', currency: 'EUR', reference: 'sponsors' },
    { id: parties.provider, kind: 'provider_payable', currency: 'EUR', reference: 'provider' },
    { id: parties.payouts, kind: 'payouts', currency: 'EUR', reference: 'payouts' },
    ...pools.map((name, index): NewAccount => ({ id: parties.pools[index]!, kind: 'pool', currency: 'EUR', reference: name })),
    ...vouchers.map(({ name, pool }, index): NewAccount => ({
      id: parties.vouchers[index]!,
      kind: 'voucher',
      currency: 'EUR',
      poolAccountId: parties.pools[pool]!,
      reference: name,
    })),
  ];
  const outcomes = await t.ledger.createAccounts(accounts);
  assert.deepEqual(
    outcomes.map((outcome) => outcome.result),
    accounts.map(() => 'ok'),
  );
  const books: Books = {
    accounts: new Map(
      accounts.map((account) => [
        account.id,
        {
          name: account.reference ?? account.id,
          kind: account.kind,
          pool: 'poolAccountId' in account ? account.poolAccountId : null,
          debitsPending: 0n,
          debitsPosted: 0n,
          creditsPending: 0n,
          creditsPosted: 0n,
        },
      ]),
    ),
    transfers: new Map(),
    holds: new Map(),
    captures: new Map(),
  };
  const model = new Model(parties, books);
  const opening: NewTransfer[] = [
    ...parties.pools.map((pool): NewTransfer => ({
      id: randomUUID(),
      code: 'FUND',
      debitAccountId: parties.funding,
      creditAccountId: pool,
      amount: openingFund,
    })),
    ...vouchers.map(({ pool }, index): NewTransfer => ({
      id: randomUUID(),
      code: 'ISSUE',
      debitAccountId: parties.pools[pool]!,
      creditAccountId: parties.vouchers[index]!,
      amount: openingVoucher,
    })),
  ];
  await sendAndCompare(model, opening, false);
  return { model, real: t };
}

describe('the ledger against a paper model of pools, vouchers and holds', () => {
  it('any mix of funding, issuing, booking, capturing, cancelling, expiring, paying out, resending and linked pairs gives the results and balances the model predicts, and reconciles after every step', async () => {
    console.log(
      `ledger model: seed ${seed}, ${numRuns} runs of up to ${maxCommands} steps` +
        (path === undefined ? '' : `, replaying path ${path}`) +
        ` (replay with FC_SEED=${seed})`,
    );
    const steps = fc.commands(
      [
        fc.oneof(
          { weight: 12, arbitrary: request.map((wanted) => new Send(wanted)) },
          { weight: 2, arbitrary: fc.tuple(request, request).map(([first, second]) => new SendLinked(first, second)) },
          { weight: 1, arbitrary: fc.constant(new Sweep()) },
        ),
      ],
      { maxCommands, size: 'max', ...(replayPath === undefined ? {} : { replayPath }) },
    );
    await fc.assert(
      fc.asyncProperty(steps, (commands) => fc.asyncModelRun(openBooks, commands)),
      { seed, numRuns, includeErrorInReport: true, ...(path === undefined ? {} : { path }) },
    );
    console.log(
      `ledger model: results seen: ${[...seen]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, count]) => `${key} ${count}`)
        .join(', ')}`,
    );
  });
});
