import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedBeneficiary, seedReferrer } from '../../test/fixtures/vouchers.js';

let api: TestApi;
let circuit: TestCircuit;
let school: Awaited<ReturnType<typeof seedReferrer>>;
let desk: string;
let offer: TestOffer;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 1_000_000n });
  school = await seedReferrer(api, circuit);
  const theatre = await seedProvider(api, circuit);
  desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
  offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n });
});
after(() => api.close());

/** A beneficiary of the school with a €50 voucher, one €15 seat booked with it. */
async function aBeneficiaryWhoWentToTheTheatre(reference: string) {
  const beneficiaryId = await seedBeneficiary(api, school, { reference });
  const voucher = assertOk(
    await call(api, 'POST', '/v1/vouchers', { key: school.secretKey, body: { beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 5000 } }),
    201,
  );
  const booking = assertOk(
    await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 } }),
    201,
  );
  return { beneficiaryId, voucher, booking };
}

describe("a beneficiary's data", () => {
  it('is exported whole for their referrer: their vouchers and bookings, never a code or a PIN', async () => {
    const { beneficiaryId, voucher, booking } = await aBeneficiaryWhoWentToTheTheatre('3B-07');
    const exported = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/export`, { key: school.secretKey }));
    assert.equal(exported.object, 'beneficiary_export');
    assert.equal(exported.beneficiary.reference, '3B-07');
    assert.deepEqual(exported.vouchers.map((shown: { id: string; available: number }) => [shown.id, shown.available]), [[voucher.id, 3500]]);
    assert.deepEqual(
      exported.redemptions.map((shown: { booking_reference: string; provider_name: string; amount: number }) => [shown.booking_reference, shown.provider_name, shown.amount]),
      [[booking.booking_reference, 'Teatro Cagnoni', 1500]],
    );
    const text = JSON.stringify(exported);
    assert.equal(text.includes(voucher.code), false);
    assert.equal(text.includes(`"pin"`), false);
    const reads = assertOk(await call(api, 'GET', `/v1/audit_log?object_id=${beneficiaryId}`, { key: adminKey })).data;
    assert.deepEqual(
      reads.map((entry: { action: string }) => entry.action),
      ['POST /v1/beneficiaries', 'GET /v1/beneficiaries/{id}/export'],
      'who nominated them and who read their data are on record',
    );
  });

  it('is erased at their referrer’s request: the reference goes, the money and the bookings stay', async () => {
    const { beneficiaryId, voucher, booking } = await aBeneficiaryWhoWentToTheTheatre('4A-12');
    const before = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
    const erased = assertOk(await call(api, 'POST', `/v1/beneficiaries/${beneficiaryId}/erase`, { key: school.secretKey }));
    assert.equal(erased.reference, null);
    assert.notEqual(erased.erased_at, null);
    assert.deepEqual(assertOk(await call(api, 'POST', `/v1/beneficiaries/${beneficiaryId}/erase`, { key: school.secretKey })), erased, 'erasing again answers the same');

    const after = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
    assert.deepEqual(after.problems, []);
    assert.deepEqual(after.totals, before.totals, 'not a cent moved');
    const shown = assertOk(await call(api, 'GET', `/v1/vouchers/${voucher.id}`, { key: school.secretKey }));
    assert.equal(shown.available, 3500);
    assert.equal(assertOk(await call(api, 'GET', `/v1/redemptions/${booking.id}`, { key: desk })).captured_amount, 1500);
    const exported = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/export`, { key: school.secretKey }));
    assert.equal(exported.beneficiary.reference, null);
    assert.equal(JSON.stringify(exported).includes('4A-12'), false);
    assert.equal((await api.database.sql`select from beneficiaries where reference = '4A-12'`).length, 0);
    await seedBeneficiary(api, school, { reference: '4A-12' });
  });

  it('exports their thank-you notes, in their own words, and deletes them with the rest', async () => {
    const { beneficiaryId, voucher, booking } = await aBeneficiaryWhoWentToTheTheatre('2C-05');
    const publishable = await createKey(api, school.id, 'publishable');
    const note = assertOk(
      await call(api, 'POST', '/v1/thanks', {
        key: publishable,
        body: { booking_reference: booking.booking_reference, code: voucher.code, pin: voucher.pin, text: 'Grazie, mi sono divertita tanto!' },
        headers: { 'Idempotency-Key': 'thanks-2C-05' },
      }),
      201,
    );
    const exported = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/export`, { key: school.secretKey }));
    assert.deepEqual(
      exported.thank_you_notes.map((shown: { id: string; text: string; status: string }) => [shown.id, shown.text, shown.status]),
      [[note.id, 'Grazie, mi sono divertita tanto!', 'pending']],
    );
    assertOk(await call(api, 'POST', `/v1/beneficiaries/${beneficiaryId}/erase`, { key: school.secretKey }));
    assert.equal((await api.database.sql`select from thank_you_notes where id = ${note.id}`).length, 0, 'the note is gone');
    const [stored] = await api.database.sql<{ count: number }[]>`
      select count(*)::int as count from idempotency_keys where position('mi sono divertita' in coalesce(response_body, '')) > 0`;
    assert.equal(stored!.count, 0, 'and no stored answer replays it');
    const after = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/export`, { key: school.secretKey }));
    assert.deepEqual(after.thank_you_notes, []);
    assert.equal(after.redemptions.length, 1, 'the booking stays, under ids');
  });

  it('leaves no stored answer showing the reference behind', async () => {
    const created = assertOk(
      await call(api, 'POST', '/v1/beneficiaries', {
        key: school.secretKey,
        body: { reference: '5C-03', age_band: '14-17', language: 'sq' },
        headers: { 'Idempotency-Key': 'nominate-5C-03' },
      }),
      201,
    );
    assertOk(await call(api, 'POST', `/v1/beneficiaries/${created.id}/erase`, { key: school.secretKey }));
    const [stored] = await api.database.sql<{ count: number }[]>`
      select count(*)::int as count from idempotency_keys where position('5C-03' in coalesce(response_body, '')) > 0`;
    assert.equal(stored!.count, 0);
  });

  it("belongs to its referrer alone: another school or a theatre cannot read or erase it", async () => {
    const { beneficiaryId } = await aBeneficiaryWhoWentToTheTheatre('1D-22');
    const other = await seedReferrer(api, circuit, { name: 'Istituto Roncalli' });
    assertProblem(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/export`, { key: other.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'POST', `/v1/beneficiaries/${beneficiaryId}/erase`, { key: other.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/export`, { key: desk }), 403, 'forbidden');
    assertProblem(await call(api, 'POST', `/v1/beneficiaries/${beneficiaryId}/erase`, { key: adminKey }), 403, 'forbidden');
  });
});
