import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher, type TestVoucher } from '../../test/fixtures/vouchers.js';
import { derivedId, humanReference, newId } from '../ids.js';
import { hashCode } from '../vouchers/code.js';
import { maxPinFailures } from '../vouchers/unlock.js';
import { redeemAnswers } from '../routes/redemptions.js';
import { Redeemer, type RedeemOutcome } from './redeemer.js';

let api: TestApi;
let circuit: TestCircuit;
let offer: TestOffer;
let school: Awaited<ReturnType<typeof seedReferrer>>;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 1_000_000n });
  const theatre = await seedProvider(api, circuit);
  offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1000n, seats: 100 });
  school = await seedReferrer(api, circuit, { allocation: 1_000_000n });
});
after(() => api.close());

function request(voucher: TestVoucher, { pin = voucher.pin, offerId = offer.id } = {}) {
  const id = newId();
  return {
    id,
    capture_id: derivedId(id, 'capture'),
    code_hash: hashCode(voucher.code).toString('hex'),
    pin,
    offer_id: offerId,
    seats: 1,
    capture: true,
    hold_seconds: 60,
    channel: 'counter' as const,
    key_id: null,
    booking_reference: humanReference('BK', [5, 5]),
    redeemer: null,
  };
}

/**
 * Sends `requests` as one batch: with one writer, the first call goes alone and every call made
 * while it runs waits and goes together in the next.
 */
async function redeemTogether(redeemer: Redeemer, opener: TestVoucher, requests: ReturnType<typeof request>[]): Promise<RedeemOutcome[]> {
  const [first, ...together] = await Promise.all([opener, ...requests].map((each) => redeemer.redeem('code_hash' in each ? each : request(each))));
  assert.equal(first!.result, 'ok');
  return together;
}

describe('one batch naming the same voucher several times', () => {
  it('opens it request after request, in order: wrong PINs count, a right one clears them, the fifth in a row locks it', async () => {
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 100, windowSeconds: 60, maxPinFailures }, { answers: redeemAnswers });
    const voucher = await seedVoucher(api, circuit, school);
    const wrong = voucher.pin === '000000' ? '111111' : '000000';
    const outcomes = await redeemTogether(redeemer, await seedVoucher(api, circuit, school), [
      request(voucher, { pin: wrong, offerId: newId() }),
      request(voucher, { pin: wrong }),
      request(voucher, { pin: wrong }),
      request(voucher),
      ...Array.from({ length: maxPinFailures }, () => request(voucher, { pin: wrong })),
      request(voucher),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => (outcome.result === 'wrong_pin' ? `wrong_pin ${outcome.pin_failures}` : outcome.result)),
      [
        // An offer nobody can see is refused before the voucher is opened: that attempt is not counted.
        'offer_not_found',
        'wrong_pin 1',
        'wrong_pin 2',
        'ok',
        'wrong_pin 1',
        'wrong_pin 2',
        'wrong_pin 3',
        'wrong_pin 4',
        'voucher_locked',
        'voucher_locked',
      ],
    );
  });

  it('counts every request of the batch against the per-voucher limit, the first ones passing', async () => {
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 3, windowSeconds: 60, maxPinFailures }, { answers: redeemAnswers });
    const voucher = await seedVoucher(api, circuit, school);
    const outcomes = await redeemTogether(redeemer, await seedVoucher(api, circuit, school), [
      request(voucher),
      request(voucher),
      request(voucher),
      request(voucher),
      request(voucher),
    ]);
    assert.deepEqual(
      outcomes.map((outcome) => outcome.result),
      ['ok', 'ok', 'ok', 'rate_limited', 'rate_limited'],
    );
  });
});

describe('the audit entries of a batch', () => {
  const entry = (action: string) => ({ requestId: 'req-redeem', actor: 'admin' as const, keyId: null, organizationId: null, action });
  const entriesOf = (requestId: string) =>
    api.database.sql<{ action: string; object_id: string | null; status: number; problem_code: string | null }[]>`
      select action, object_id, status, problem_code from audit_log where request_id = ${requestId} order by id`.then((rows) => [...rows]);

  it('record the answer each request gets, and the redemption it made', async () => {
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 100, windowSeconds: 60, maxPinFailures }, { answers: redeemAnswers });
    const voucher = await seedVoucher(api, circuit, school);
    const taken = request(voucher);
    const wrong = request(voucher, { pin: voucher.pin === '000000' ? '111111' : '000000' });
    const outcomes = await redeemTogether(redeemer, await seedVoucher(api, circuit, school), [taken, wrong]);
    assert.deepEqual(outcomes.map((outcome) => outcome.result), ['ok', 'wrong_pin']);
    // Sent again with entries: one batch of two requests, each with its own.
    const again = [request(voucher), request(voucher, { offerId: newId() })];
    const opener = request(await seedVoucher(api, circuit, school));
    await Promise.all([
      redeemer.redeem(opener),
      ...again.map((each, i) => redeemer.redeem(each, { ...entry('POST /v1/redemptions'), requestId: `req-audit-${i}` })),
    ]);
    assert.deepEqual(await entriesOf('req-audit-0'), [{ action: 'POST /v1/redemptions', object_id: again[0]!.id, status: 201, problem_code: null }]);
    assert.deepEqual(await entriesOf('req-audit-1'), [{ action: 'POST /v1/redemptions', object_id: null, status: 404, problem_code: 'not_found' }]);
  });

  it('commit with the redemptions: an entry the database refuses takes the whole batch back', async () => {
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 100, windowSeconds: 60, maxPinFailures }, { answers: redeemAnswers });
    const voucher = await seedVoucher(api, circuit, school);
    const refused = request(voucher);
    // audit_log.action must be 1 to 200 characters.
    await assert.rejects(redeemer.redeem(refused, entry('')), /audit_log_action_check/);
    const [row] = await api.database.sql<{ n: number }[]>`select count(*)::int as n from redemptions where id = ${refused.id}`;
    assert.equal(row!.n, 0);

    const kept = request(voucher);
    assert.equal((await redeemer.redeem(kept, entry('POST /v1/redemptions'))).result, 'ok');
    assert.deepEqual(
      (await entriesOf('req-redeem')).filter((each) => each.action === 'POST /v1/redemptions').map((each) => each.status),
      [201],
    );
  });

  it('are refused with the batch when a result has no answer: nothing is written, not even the attempt', async () => {
    const { wrong_pin: _, ...unanswered } = redeemAnswers;
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 100, windowSeconds: 60, maxPinFailures }, {
      answers: unanswered as typeof redeemAnswers,
    });
    const voucher = await seedVoucher(api, circuit, school);
    const wrong = request(voucher, { pin: voucher.pin === '000000' ? '111111' : '000000' });
    await assert.rejects(redeemer.redeem(wrong, entry('POST /v1/redemptions')), /no answer for result wrong_pin/);
    const [row] = await api.database.sql<{ pin_failures: number; attempts: number }[]>`
      select pin_failures, attempts from vouchers where id = ${voucher.id}`;
    assert.deepEqual({ ...row }, { pin_failures: 0, attempts: 0 });
  });
});

describe('the answers the audit entries record', () => {
  it("are the route's own: one for every result redeem_batch() gives", () => {
    assert.deepEqual(redeemAnswers.ok, { status: 201, problemCode: null });
    assert.deepEqual(redeemAnswers.wrong_pin, { status: 422, problemCode: 'wrong_pin' });
    assert.deepEqual(redeemAnswers.rate_limited, { status: 429, problemCode: 'rate_limited' });
    assert.deepEqual(redeemAnswers.ledger_refused, { status: 500, problemCode: 'internal_error' });
    assert.equal(Object.keys(redeemAnswers).length, 12);
  });
});
