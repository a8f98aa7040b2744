import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher, type TestVoucher } from '../../test/fixtures/vouchers.js';
import { derivedId, humanReference, newId } from '../ids.js';
import { hashCode } from '../vouchers/code.js';
import { maxPinFailures } from '../vouchers/unlock.js';
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
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 100, windowSeconds: 60, maxPinFailures });
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
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 3, windowSeconds: 60, maxPinFailures });
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
  const answer = (outcome: RedeemOutcome) =>
    outcome.result === 'ok' ? { status: 201, problemCode: null, objectId: null } : { status: 422, problemCode: outcome.result, objectId: null };

  it('commit with the redemptions: an entry the database refuses takes the whole batch back', async () => {
    const redeemer = new Redeemer(api.database.sql, { attemptLimit: 100, windowSeconds: 60, maxPinFailures });
    const voucher = await seedVoucher(api, circuit, school);
    const refused = request(voucher);
    // audit_log.action must be 1 to 200 characters.
    await assert.rejects(redeemer.redeem(refused, { entry: entry(''), answer }), /audit_log_action_check/);
    const [row] = await api.database.sql<{ n: number }[]>`select count(*)::int as n from redemptions where id = ${refused.id}`;
    assert.equal(row!.n, 0);

    const kept = request(voucher);
    assert.equal((await redeemer.redeem(kept, { entry: entry('POST /v1/redemptions'), answer })).result, 'ok');
    const entries = await api.database.sql<{ status: number }[]>`
      select status from audit_log where request_id = 'req-redeem' and action = 'POST /v1/redemptions'`;
    assert.deepEqual(entries.map((each) => each.status), [201]);
  });
});
