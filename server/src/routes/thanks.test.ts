// Thank-you notes: a young person thanks for a booking from the theatre's page, the school checks
// the note, and the bakery that paid for the seats reads it, with nobody named on the way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { seedCampaign, seedCircuit, seedOffer, seedProvider, type TestCampaign, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedVoucher } from '../../test/fixtures/vouchers.js';
import { maxNoteLength } from './thanks.js';

const theatrePage = 'https://teatrocagnoni.it';
/** Checks and notes per voucher and window: low, so the rate limit shows. */
const perVoucher = 8;

let api: TestApi;
let circuit: TestCircuit;
let theatrePublishable: string;
let offer: TestOffer;
let campaign: TestCampaign;
let bakery: TestOrganization;
let school: TestOrganization;
let schoolDesk: string;
let otherSchool: TestOrganization;
let counter = 0;

before(async () => {
  api = await createTestApi({ rateLimits: { perIp: 10_000, perVoucher, windowSeconds: 60 } });
  circuit = await seedCircuit(api);
  const theatre = await seedProvider(api, circuit, { allowedOrigins: [theatrePage] });
  theatrePublishable = await createKey(api, theatre.id, 'publishable', circuit.operator.secretKey);
  offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1500n, seats: 50 });
  campaign = await seedCampaign(api, circuit, { offer });
  bakery = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo', by: circuit.operator.secretKey });
  assertOk(await call(api, 'POST', '/v1/sponsorships', { key: bakery.secretKey, body: { campaign_id: campaign.id, seats: 14 } }), 201);
  school = await createOrganization(api, 'referrer', { name: 'Liceo Cairoli', by: circuit.operator.secretKey });
  schoolDesk = await createKey(api, school.id, 'desk', school.secretKey);
  otherSchool = await createOrganization(api, 'referrer', { name: 'Istituto Roncalli', by: circuit.operator.secretKey });
  for (const [referrer, amount] of [[school, 18_000], [otherSchool, 3000]] as const) {
    assertOk(
      await call(api, 'POST', '/v1/allocations', {
        key: circuit.operator.secretKey,
        body: { referrer_id: referrer.id, pool_id: campaign.poolId, amount },
      }),
    );
  }
});
after(() => api.close());

interface Booking {
  code: string;
  pin: string;
  booking_reference: string;
}

/** A pupil of `referrer` with a €15 voucher books one seat on the theatre's page. */
async function booking(referrer = school, language = 'it'): Promise<Booking> {
  counter += 1;
  const voucher = await seedVoucher(api, circuit, referrer, { poolId: campaign.poolId, amount: 1500n, beneficiary: { reference: `4A-${counter}`, language } });
  const redemption = assertOk(
    await call(api, 'POST', '/v1/redemptions', {
      key: theatrePublishable,
      body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: true },
      headers: { Origin: theatrePage },
    }),
    201,
  );
  return { code: voucher.code, pin: voucher.pin, booking_reference: redemption.booking_reference };
}

function thank(body: Record<string, unknown>, key = theatrePublishable) {
  // The theatre's page sends its origin; a school's server calls without one.
  return call(api, 'POST', '/v1/thanks', { key, body, headers: key === theatrePublishable ? { Origin: theatrePage } : {} });
}

async function notesCount(): Promise<number> {
  const [row] = await api.database.sql<{ count: number }[]>`select count(*)::int as count from thank_you_notes`;
  return row!.count;
}

describe('thank-you notes', () => {
  it('go from the theatre page to the school, and once approved to the mentor who paid, anonymously', async () => {
    const seat = await booking(school, 'sq');
    const note = assertOk(await thank({ ...seat, booking_reference: seat.booking_reference.toLowerCase(), text: 'Faleminderit! Ishte hera e parë në teatër.' }), 201);
    assert.equal(note.status, 'pending');
    assert.equal(note.language, 'sq', "the beneficiary's language when the note does not say");
    assert.equal(note.offer.provider_name, 'Teatro Cagnoni');
    assert.deepEqual(assertOk(await call(api, 'GET', '/v1/mentors/me/impact', { key: bakery.secretKey })).thank_you_notes, [], 'not before the school approved it');

    // Another school neither sees nor moderates it.
    assert.deepEqual(assertOk(await call(api, 'GET', '/v1/thanks?status=pending', { key: otherSchool.secretKey })).data, []);
    assertProblem(await call(api, 'POST', `/v1/thanks/${note.id}/approve`, { key: otherSchool.secretKey }), 404, 'not_found');

    const pending = assertOk(await call(api, 'GET', '/v1/thanks?status=pending', { key: schoolDesk })).data;
    assert.deepEqual(pending.map((listed: { id: string }) => listed.id), [note.id]);
    const approved = assertOk(await call(api, 'POST', `/v1/thanks/${note.id}/approve`, { key: schoolDesk }));
    assert.equal(approved.status, 'approved');
    assert.ok(approved.moderated_at);
    assert.deepEqual(assertOk(await call(api, 'GET', '/v1/thanks?status=pending', { key: schoolDesk })).data, []);

    const impact = assertOk(await call(api, 'GET', '/v1/mentors/me/impact', { key: bakery.secretKey }));
    assert.deepEqual(impact.thank_you_notes, [{ id: note.id, text: 'Faleminderit! Ishte hera e parë në teatër.', language: 'sq', created_at: note.created_at }]);

    assertProblem(await thank({ ...seat, text: 'Di nuovo grazie' }), 409, 'conflict');
  });

  it('a rejected note is seen by nobody, and a note can be taken back', async () => {
    const seat = await booking();
    const note = assertOk(await thank({ ...seat, text: 'Bello ma troppo lungo', language: 'it' }), 201);
    assertOk(await call(api, 'POST', `/v1/thanks/${note.id}/reject`, { key: school.secretKey }));
    const texts = async () =>
      assertOk(await call(api, 'GET', '/v1/mentors/me/impact', { key: bakery.secretKey })).thank_you_notes.map((shown: { text: string }) => shown.text);
    assert.ok(!(await texts()).includes('Bello ma troppo lungo'));
    assertOk(await call(api, 'POST', `/v1/thanks/${note.id}/approve`, { key: school.secretKey }));
    assert.ok((await texts()).includes('Bello ma troppo lungo'));
    assertOk(await call(api, 'POST', `/v1/thanks/${note.id}/reject`, { key: school.secretKey }));
    assert.ok(!(await texts()).includes('Bello ma troppo lungo'));
    const rejected = assertOk(await call(api, 'GET', '/v1/thanks?status=rejected', { key: schoolDesk })).data;
    assert.ok(rejected.some((listed: { id: string }) => listed.id === note.id));
  });

  it('refuses names, emails, phone numbers and overlong notes, and writes nothing', async () => {
    const seat = await booking();
    const before = await notesCount();
    for (const [text, what] of [
      ['Grazie mille! Giulia Bianchi', /first and last name/],
      ['scrivetemi a giulia.b@example.com', /email/],
      ['Grazie, chiamatemi al 333 123 4567', /phone/],
      ['Sono nata il 14/05/2010, grazie', /date/],
      ['Giulia, via Roma 5 Vigevano', /address/],
      [`Grazie da 4a-${counter}!`, /beneficiary's reference/],
      [`Grazie dalla 4A ${counter}`, /beneficiary's reference/],
    ] as const) {
      const refused = assertProblem(await thank({ ...seat, text }), 400, 'invalid_request');
      assert.equal(refused.errors[0].path, 'text');
      assert.match(refused.errors[0].message, what);
    }
    assertProblem(await thank({ ...seat, text: 'a'.repeat(maxNoteLength + 1) }), 400, 'invalid_request');
    assert.equal(await notesCount(), before);
    assertOk(await thank({ ...seat, text: 'Grazie di cuore, è stato bellissimo! Ci torno con la 4A.' }), 201);
    // Words for a street in a sentence that names none: no address.
    for (const text of [
      'Il corso di teatro è durato 3 giorni, bellissimo',
      'Siamo andati via dopo 2 ore ma era bello',
      'Thanks, the road trip with 20 friends was great',
      'Faleminderit! Rruga për në teatër ishte 2 orë',
    ]) {
      assertOk(await thank({ ...(await booking()), text }), 201);
    }
  });

  it('needs the voucher’s own code and PIN and a confirmed booking, with a publishable key', async () => {
    const seat = await booking();
    const another = await booking();
    const before = await notesCount();
    const wrongPin = assertProblem(await thank({ ...seat, pin: seat.pin === '0000' ? '1111' : '0000', text: 'Grazie' }), 422, 'wrong_pin');
    assert.equal(wrongPin.attempts_left, 4, 'a wrong PIN counts towards the lock, as a check does');
    assertProblem(await thank({ ...seat, booking_reference: another.booking_reference, text: 'Grazie' }), 404, 'not_found');
    assertProblem(await thank({ ...seat, text: 'Grazie' }, school.secretKey), 403, 'forbidden');
    assertProblem(await thank({ ...seat, text: 'Grazie' }, schoolDesk), 403, 'forbidden');
    assert.equal(await notesCount(), before);
  });

  it('is rate-limited per voucher like a voucher check', async () => {
    const seat = await booking();
    // The booking itself was one attempt on the voucher; the rest of the window goes on wrong references.
    for (let attempt = 2; attempt <= perVoucher; attempt++) {
      assertProblem(await thank({ ...seat, booking_reference: 'BK-00000-00000', text: 'Grazie' }), 404, 'not_found');
    }
    const limited = assertProblem(await thank({ ...seat, text: 'Grazie' }), 429, 'rate_limited');
    assert.ok(Number(limited.retry_after) > 0);
  });
});
