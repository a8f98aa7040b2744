import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';
import { needsRealPostgres } from '../../test/database.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedReferrer } from '../../test/fixtures/vouchers.js';

let api: TestApi;
let circuit: TestCircuit;
let school: Awaited<ReturnType<typeof seedReferrer>>;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 100_000n });
  school = await seedReferrer(api, circuit, { name: 'Liceo Cairoli' });
});
after(() => api.close());

function nominate(body: Record<string, unknown>, key = school.secretKey) {
  return call(api, 'POST', '/v1/beneficiaries', { key, body });
}

async function beneficiaryCount(): Promise<number> {
  const [row] = await api.database.sql<{ n: number }[]>`select count(*)::int as n from beneficiaries`;
  return row!.n;
}

describe('nominating beneficiaries', () => {
  it('a school nominates a pupil by its own reference, and finds them again', async () => {
    const beneficiary = assertOk(await nominate({ reference: '3B-07', age_band: '14-17', language: 'sq' }), 201);
    assert.equal(beneficiary.object, 'beneficiary');
    assert.equal(beneficiary.reference, '3B-07');
    assert.equal(beneficiary.age_band, '14-17');
    assert.equal(beneficiary.language, 'sq');
    const found = assertOk(await call(api, 'GET', '/v1/beneficiaries?reference=3B-07', { key: school.secretKey }));
    assert.deepEqual(found.data, [beneficiary]);
    const read = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiary.id}`, { key: school.secretKey }));
    assert.deepEqual(read.usage, { vouchers: 0, issued: 0, available: 0, spent: 0 });
  });

  it('a reference used twice by one school is a conflict; another school may use it', async () => {
    assertOk(await nominate({ reference: '2A-11', age_band: '0-13', language: 'it' }), 201);
    const conflict = assertProblem(await nominate({ reference: '2A-11', age_band: '0-13', language: 'it' }), 409, 'conflict');
    assert.deepEqual(conflict.errors.map((error: { path: string }) => error.path), ['reference']);
    assertProblem(await nominate({ reference: '2a-11', age_band: '0-13', language: 'it' }), 409, 'conflict');
    const found = assertOk(await call(api, 'GET', '/v1/beneficiaries?reference=2a-11', { key: school.secretKey }));
    assert.deepEqual(found.data.map((beneficiary: { reference: string }) => beneficiary.reference), ['2A-11'], 'found in any case');
    const other = await seedReferrer(api, circuit, { name: 'Liceo Omodeo' });
    assertOk(await nominate({ reference: '2A-11', age_band: '0-13', language: 'it' }, other.secretKey), 201);
  });

  it('nominates one of many requests at once for one reference in different cases', { skip: needsRealPostgres }, async () => {
    // Every connection of the pool open first, so that the eight inserts meet in the database.
    await Promise.all(Array.from({ length: 10 }, () => api.database.sql`select pg_sleep(0.05)`));
    // Eight spellings of one reference, none the same as another to the letter.
    const spellings = ['ABC-7', 'abc-7', 'Abc-7', 'aBc-7', 'abC-7', 'ABc-7', 'AbC-7', 'aBC-7'];
    const answers = await Promise.all(spellings.map((reference) => nominate({ reference, age_band: '14-17', language: 'it' })));
    assert.deepEqual(answers.map((answer) => answer.status).sort(), [201, 409, 409, 409, 409, 409, 409, 409]);
    const [row] = await api.database.sql<{ count: number }[]>`
      select count(*)::int as count from beneficiaries where referrer_id = ${school.id} and upper(reference) = 'ABC-7'`;
    assert.equal(row!.count, 1);
  });

  it('refuses names, emails and birth dates, saying why', async () => {
    const before = await beneficiaryCount();
    const refused = assertProblem(
      await nominate({
        reference: '3B-08',
        age_band: '14-17',
        language: 'it',
        first_name: 'Giulia',
        lastName: 'Bianchi',
        email: 'giulia@example.it',
        date_of_birth: '2010-04-02',
      }),
      400,
      'invalid_request',
    );
    assert.match(refused.detail, /stores no names, emails, phone numbers, addresses or birth dates/);
    assert.deepEqual(
      refused.errors.map((error: { path: string }) => error.path).sort(),
      ['date_of_birth', 'email', 'first_name', 'lastName'],
    );
    for (const error of refused.errors) assert.match(error.message, /personal data/);
    assert.equal(await beneficiaryCount(), before);
  });

  it('refuses a reference that looks like personal data', async () => {
    const personal = {
      'giulia.bianchi@example.it': 'an email address',
      '02/04/2010': 'a date',
      '2010-04-02': 'a date',
      '3B 02.04.10': 'a date',
      '20100402': 'a date',
      '+39 333 123 4567': 'a phone number',
      '0381 (69) 123-45': 'a phone number',
      BNCGLI10D42L872X: 'a codice fiscale',
      'Giulia Bianchi': 'a first and last name',
      "Anna Maria D'Amico": 'a first and last name',
      'ROSSI Mario': 'a first and last name',
      'ROSSI MARIO': 'a first and last name',
      'mario rossi': 'a first and last name',
      'Mario-Rossi': 'a first and last name',
      'mario.rossi': 'a first and last name',
      rossi_mario: 'a first and last name',
      'Anna-Maria Rossi': 'a first and last name',
      'Mario R.': 'a name and an initial',
      'M. Rossi': 'a name and an initial',
      'R.Mario': 'a name and an initial',
    };
    const before = await beneficiaryCount();
    for (const [reference, what] of Object.entries(personal)) {
      const refused = assertProblem(await nominate({ reference, age_band: '14-17', language: 'it' }), 400, 'invalid_request');
      assert.equal(refused.errors[0].path, 'reference', reference);
      assert.match(refused.errors[0].message, new RegExp(`looks like ${what}`), reference);
      assert.match(refused.detail, /own reference/);
    }
    assert.equal(await beneficiaryCount(), before);
    for (const reference of ['3B-09', 'CL3B-2024-017', 'gruppo A', 'Gruppo teatro 2', 'AB12', '3B. 07']) {
      assertOk(await nominate({ reference, age_band: '18-25', language: 'en' }), 201);
    }
  });

  it('refuses an unknown field or a missing age band as any other invalid request', async () => {
    const refused = assertProblem(await nominate({ reference: '3B-10', language: 'it', shoe_size: 38 }), 400, 'invalid_request');
    assert.equal(refused.title, 'Invalid request');
    assert.match(JSON.stringify(refused.errors), /age_band/);
    assert.match(JSON.stringify(refused.errors), /shoe_size/);
  });

  it('refuses a NUL character, which PostgreSQL cannot store, as an invalid request: nothing saved', async () => {
    const before = await beneficiaryCount();
    const refused = assertProblem(await nominate({ reference: '5C-\u0000x', age_band: '14-17', language: 'it' }), 400, 'invalid_request');
    assert.match(refused.detail, /NUL character/);
    assertProblem(await call(api, 'GET', '/v1/beneficiaries?reference=5C-%00', { key: school.secretKey }), 400, 'invalid_request');
    assert.equal(await beneficiaryCount(), before);
  });

  it('only a referrer secret key nominates and reads, and only its own', async () => {
    const body = { reference: '3B-12', age_band: '14-17', language: 'it' };
    const mentor = await createOrganization(api, 'mentor');
    assertProblem(await nominate(body, mentor.secretKey), 403, 'forbidden');
    assertProblem(await nominate(body, adminKey), 403, 'forbidden');
    assertProblem(await nominate(body, await createKey(api, school.id, 'publishable')), 403, 'forbidden');
    const beneficiary = assertOk(await nominate(body), 201);
    const other = await seedReferrer(api, circuit, { name: 'Associazione Albanese Vigevano' });
    assertProblem(await call(api, 'GET', `/v1/beneficiaries/${beneficiary.id}`, { key: other.secretKey }), 404, 'not_found');
    const othersList = assertOk(await call(api, 'GET', '/v1/beneficiaries', { key: other.secretKey }));
    assert.ok(!othersList.data.some((listed: { id: string }) => listed.id === beneficiary.id));
  });

  it('lists page by page, oldest first', async () => {
    const lists = await seedReferrer(api, circuit, { name: 'Scuola media Bussi' });
    for (const reference of ['1A-01', '1A-02', '1A-03']) {
      assertOk(await nominate({ reference, age_band: '0-13', language: 'it' }, lists.secretKey), 201);
    }
    const first = assertOk(await call(api, 'GET', '/v1/beneficiaries?limit=2', { key: lists.secretKey }));
    assert.deepEqual(first.data.map((beneficiary: { reference: string }) => beneficiary.reference).sort(), ['1A-01', '1A-02'].sort());
    assert.equal(first.has_more, true);
    const rest = assertOk(await call(api, 'GET', `/v1/beneficiaries?starting_after=${first.data[1].id}`, { key: lists.secretKey }));
    assert.equal(rest.data.length, 1);
    assert.equal(rest.has_more, false);
  });
});

describe("a beneficiary's usage", () => {
  it('sums their vouchers: issued, what is left and what a booking spent', async () => {
    const provider = await seedProvider(api, circuit);
    const deskKey = await createKey(api, provider.id, 'desk', circuit.operator.secretKey);
    const offer = await seedOffer(api, circuit, provider.id, { seatPrice: 1500n });
    const beneficiary = assertOk(await nominate({ reference: '4C-03', age_band: '14-17', language: 'it' }), 201);
    const issue = (amount: number) =>
      call(api, 'POST', '/v1/vouchers', {
        key: school.secretKey,
        body: { beneficiary_id: beneficiary.id, pool_id: circuit.generalPoolId, amount },
      });
    const voucher = assertOk(await issue(5000), 201);
    assertOk(await issue(2000), 201);
    assertOk(
      await call(api, 'POST', '/v1/redemptions', {
        key: deskKey,
        body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: true },
      }),
      201,
    );
    const read = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiary.id}`, { key: school.secretKey }));
    assert.deepEqual(read.usage, { vouchers: 2, issued: 7000, available: 5500, spent: 1500 });
    const spentVoucher = assertOk(await call(api, 'GET', `/v1/vouchers/${voucher.id}`, { key: school.secretKey }));
    assert.equal(spentVoucher.available, 3500);
    assert.equal(spentVoucher.spent, 1500);
  });
});
