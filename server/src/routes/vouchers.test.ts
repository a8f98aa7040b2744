import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOk, assertProblem, call, createKey, createOrganization, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, testCategories, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedBeneficiary, seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { derivedId } from '../ids.js';
import { seasonEnd } from './vouchers.js';

const theatreSite = 'https://teatrocagnoni.it';

let api: TestApi;
let circuit: TestCircuit;
let school: Awaited<ReturnType<typeof seedReferrer>>;
let theatre: { id: string; secretKey: string; publishableKey: string; deskKey: string };

before(async () => {
  api = await createTestApi({ rateLimits: { perIp: 10_000, perVoucher: 10_000, windowSeconds: 60 } });
  circuit = await seedCircuit(api, { funded: 1_000_000n });
  school = await seedReferrer(api, circuit, { allocation: 500_000n });
  const provider = await seedProvider(api, circuit, { name: 'Teatro Cagnoni', allowedOrigins: [theatreSite] });
  theatre = {
    ...provider,
    publishableKey: await createKey(api, provider.id, 'publishable', circuit.operator.secretKey),
    deskKey: await createKey(api, provider.id, 'desk', circuit.operator.secretKey),
  };
});
after(() => api.close());

async function available(accountId: string): Promise<bigint> {
  const [account] = await api.ledger.lookupAccounts([accountId]);
  return account!.available;
}

async function allocationIssued(referrerId: string, poolId: string): Promise<bigint> {
  const [row] = await api.database.sql<{ issued: bigint }[]>`
    select issued from allocations where referrer_id = ${referrerId} and pool_id = ${poolId}`;
  return row!.issued;
}

/** Vouchers, voucher accounts and transfers: what a refused issue must leave as it was. */
async function footprint() {
  const [row] = await api.database.sql`
    select (select count(*)::int from vouchers) as vouchers,
           (select count(*)::int from accounts where kind = 'voucher') as accounts,
           (select count(*)::int from transfers) as transfers,
           (select coalesce(sum(issued), 0)::bigint from allocations) as issued`;
  return row;
}

function issue(body: Record<string, unknown>, key = school.secretKey) {
  return call(api, 'POST', '/v1/vouchers', { key, body });
}

describe('issuing vouchers', () => {
  it('a school issues a €50 voucher: the pool gives €50, the code and PIN are shown once', async () => {
    const beneficiaryId = await seedBeneficiary(api, school);
    const poolBefore = await available(circuit.generalPoolId);
    const issuedBefore = await allocationIssued(school.id, circuit.generalPoolId);
    const voucher = assertOk(await issue({ beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 5000 }), 201);
    assert.equal(voucher.object, 'voucher');
    assert.match(voucher.code, /^MNT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/);
    assert.match(voucher.pin, /^\d{6}$/);
    assert.equal(voucher.code_hint, voucher.code.slice(-6));
    assert.equal(voucher.amount, 5000);
    assert.equal(voucher.available, 5000);
    assert.equal(voucher.spent, 0);
    assert.equal(voucher.locked, false);
    assert.deepEqual(voucher.restrictions, { circuit_id: circuit.id, categories: [], offer_ids: [], provider_ids: [] });
    assert.equal(await available(voucher.id), 5000n, "the voucher's id is its ledger account");
    assert.equal(await available(circuit.generalPoolId), poolBefore - 5000n);
    assert.equal(await allocationIssued(school.id, circuit.generalPoolId), issuedBefore + 5000n);
    const [transfer] = await api.ledger.lookupTransfers([derivedId(voucher.id, 'issue')]);
    assert.equal(transfer?.code, 'ISSUE');
    assert.equal(transfer?.debitAccountId, circuit.generalPoolId);

    const read = assertOk(await call(api, 'GET', `/v1/vouchers/${voucher.id}`, { key: school.secretKey }));
    assert.equal(read.code, undefined);
    assert.equal(read.pin, undefined);
    assert.deepEqual({ ...read, code: voucher.code, pin: voucher.pin }, voucher);
    const [row] = await api.database.sql`select * from vouchers where id = ${voucher.id}`;
    const stored = Object.values(row!).map(String).join(' ');
    assert.ok(!stored.includes(voucher.code.replaceAll('-', '').slice(3)) && !stored.includes(voucher.pin), 'neither the code nor the PIN is stored');
  });

  it('expires by default at the end of the season, 31 August 23:59:59 in Italy', async () => {
    assert.equal(seasonEnd(new Date('2025-09-01T08:00:00Z')).toISOString(), '2026-08-31T21:59:59.000Z');
    assert.equal(seasonEnd(new Date('2026-03-10T08:00:00Z')).toISOString(), '2026-08-31T21:59:59.000Z');
    assert.equal(seasonEnd(new Date('2026-08-31T22:00:00Z')).toISOString(), '2027-08-31T21:59:59.000Z');
    const voucher = await seedVoucher(api, circuit, school);
    const beneficiaryId = await seedBeneficiary(api, school);
    const issued = assertOk(await issue({ beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 1000 }), 201);
    assert.equal(issued.expires_at, seasonEnd(new Date()).toISOString());
    assert.notEqual(voucher.id, issued.id);
  });

  it('refuses an expiry in the past or more than two years away', async () => {
    const beneficiaryId = await seedBeneficiary(api, school);
    const base = { beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 1000 };
    const past = assertProblem(await issue({ ...base, expires_at: '2020-08-31T21:59:59Z' }), 400, 'invalid_request');
    assert.deepEqual(past.errors.map((error: { path: string }) => error.path), ['expires_at']);
    const farAway = new Date(Date.now() + 3 * 365 * 24 * 3600 * 1000).toISOString();
    assertProblem(await issue({ ...base, expires_at: farAway }), 400, 'invalid_request');
  });

  it('a secretary issues vouchers for a whole class in one batch', async () => {
    const poolBefore = await available(circuit.generalPoolId);
    const issuedBefore = await allocationIssued(school.id, circuit.generalPoolId);
    const beneficiaries = await Promise.all(Array.from({ length: 25 }, () => seedBeneficiary(api, school)));
    const batch = assertOk(
      await call(api, 'POST', '/v1/vouchers/batch', {
        key: school.secretKey,
        body: { vouchers: beneficiaries.map((id) => ({ beneficiary_id: id, pool_id: circuit.generalPoolId, amount: 2000 })) },
      }),
      201,
    );
    assert.equal(batch.data.length, 25);
    assert.deepEqual(batch.data.map((voucher: { beneficiary_id: string }) => voucher.beneficiary_id), beneficiaries);
    assert.equal(new Set(batch.data.map((voucher: { code: string }) => voucher.code)).size, 25);
    for (const voucher of batch.data) assert.equal(voucher.available, 2000);
    assert.equal(await available(circuit.generalPoolId), poolBefore - 50_000n);
    assert.equal(await allocationIssued(school.id, circuit.generalPoolId), issuedBefore + 50_000n);
  });

  it('names each bad field of a batch by its own path: an unknown one, and an amount that fails two checks once', async () => {
    const beneficiaryId = await seedBeneficiary(api, school);
    const item = { beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId };
    const refused = assertProblem(
      await call(api, 'POST', '/v1/vouchers/batch', {
        key: school.secretKey,
        body: { vouchers: [{ ...item, amount: 2000, note: 'gita' }, { ...item, amount: 1e20 }] },
      }),
      400,
      'invalid_request',
    );
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['vouchers.0.note', 'vouchers.1.amount']);
    assert.match(refused.detail, /Check these fields: vouchers\.0\.note, vouchers\.1\.amount\./);
  });

  it('a batch is all or nothing: when voucher 8 is more than the fund has, none is issued', async () => {
    const smallFund = await seedCircuit(api, { name: 'Mortara', funded: 7_500n });
    const parish = await seedReferrer(api, smallFund, { name: 'Oratorio San Lorenzo', allocation: 100_000n });
    const beneficiaries = await Promise.all(Array.from({ length: 10 }, () => seedBeneficiary(api, parish)));
    const before = await footprint();
    const refused = assertProblem(
      await call(api, 'POST', '/v1/vouchers/batch', {
        key: parish.secretKey,
        body: { vouchers: beneficiaries.map((id) => ({ beneficiary_id: id, pool_id: smallFund.generalPoolId, amount: 1000 })) },
      }),
      422,
      'insufficient_funds',
    );
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['vouchers.7.amount']);
    assert.match(refused.detail, /voucher 8 of the batch/);
    assert.deepEqual(await footprint(), before);
    assert.equal(await available(smallFund.generalPoolId), 7_500n);
  });

  it('a batch over the allocation names the first voucher that does not fit, and issues none', async () => {
    const tight = await seedReferrer(api, circuit, { name: 'Scuola media Bussi', allocation: 7000n });
    const beneficiaries = await Promise.all(Array.from({ length: 3 }, () => seedBeneficiary(api, tight)));
    const before = await footprint();
    const refused = assertProblem(
      await call(api, 'POST', '/v1/vouchers/batch', {
        key: tight.secretKey,
        body: { vouchers: beneficiaries.map((id) => ({ beneficiary_id: id, pool_id: circuit.generalPoolId, amount: 3000 })) },
      }),
      422,
      'allocation_exceeded',
    );
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['vouchers.2.amount']);
    assert.equal(refused.allocation_left, 1000);
    assert.deepEqual(await footprint(), before);
  });

  it('refuses a voucher over what is left of the allocation, saying how much is left', async () => {
    const tight = await seedReferrer(api, circuit, { name: 'Istituto Castoldi', allocation: 6000n });
    const beneficiaryId = await seedBeneficiary(api, tight);
    assertOk(await issue({ beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 5000 }, tight.secretKey), 201);
    const before = await footprint();
    const refused = assertProblem(
      await issue({ beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 2000 }, tight.secretKey),
      422,
      'allocation_exceeded',
    );
    assert.equal(refused.allocation_left, 1000);
    assert.match(refused.detail, /EUR 10\.00 left/);
    assert.deepEqual(refused.errors, [{ path: 'amount', message: 'over your allocation' }]);
    assert.deepEqual(await footprint(), before);
    // Another circuit of the school's own operator: a fund it could be given.
    const mortara = assertOk(
      await call(api, 'POST', '/v1/circuits', { key: circuit.operator.secretKey, body: { name: 'Mortara', categories: testCategories } }),
      201,
    );
    const none = assertProblem(
      await issue({ beneficiary_id: beneficiaryId, pool_id: mortara.general_pool_id, amount: 100 }, tight.secretKey),
      422,
      'allocation_exceeded',
    );
    assert.match(none.detail, /no allocation/);
    // Another operator's fund answers as one that does not exist: nothing tells the school it is there.
    const pavia = await seedCircuit(api, { name: 'Pavia', funded: 10_000n });
    const foreign = assertProblem(
      await issue({ beneficiary_id: beneficiaryId, pool_id: pavia.generalPoolId, amount: 100 }, tight.secretKey),
      404,
      'not_found',
    );
    assert.deepEqual(foreign.errors, [{ path: 'pool_id', message: 'there is no fund with this id' }]);
  });

  it('refuses a voucher the pool has no money for, leaving nothing behind', async () => {
    const empty = await seedCircuit(api, { name: 'Garlasco' });
    const association = await seedReferrer(api, empty, { name: 'Associazione Albanese Vigevano', allocation: 10_000n });
    const beneficiaryId = await seedBeneficiary(api, association);
    const before = await footprint();
    const refused = assertProblem(
      await issue({ beneficiary_id: beneficiaryId, pool_id: empty.generalPoolId, amount: 1000 }, association.secretKey),
      422,
      'insufficient_funds',
    );
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['amount']);
    assert.deepEqual(await footprint(), before);
    assert.equal(await allocationIssued(association.id, empty.generalPoolId), 0n);
  });

  it('restricts a voucher to categories, offers and providers of its circuit only', async () => {
    const offer = await seedOffer(api, circuit, theatre.id, { category: 'theatre' });
    const beneficiaryId = await seedBeneficiary(api, school);
    const base = { beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 1500 };
    const restricted = assertOk(
      await issue({ ...base, restrictions: { categories: ['theatre', 'music'], offer_ids: [offer.id], provider_ids: [theatre.id] } }),
      201,
    );
    assert.deepEqual(restricted.restrictions, {
      circuit_id: circuit.id,
      categories: ['theatre', 'music'],
      offer_ids: [offer.id],
      provider_ids: [theatre.id],
    });
    const elsewhere = await seedCircuit(api, { name: 'Milano' });
    const foreignProvider = await seedProvider(api, elsewhere, { name: 'Piccolo Teatro' });
    const foreignOffer = await seedOffer(api, elsewhere, foreignProvider.id);
    const refused = assertProblem(
      await issue({ ...base, restrictions: { categories: ['theatre', 'opera'], offer_ids: [foreignOffer.id], provider_ids: [foreignProvider.id] } }),
      400,
      'invalid_request',
    );
    assert.deepEqual(
      refused.errors.map((error: { path: string }) => error.path),
      ['restrictions.categories.1', 'restrictions.offer_ids.0', 'restrictions.provider_ids.0'],
    );
    assert.match(refused.errors[0].message, /theatre, music, museum/);
  });

  it('only a referrer secret key issues, and only to its own beneficiaries', async () => {
    const beneficiaryId = await seedBeneficiary(api, school);
    const body = { beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount: 1000 };
    const mentor = await createOrganization(api, 'mentor', { name: 'Pasticceria Colombo' });
    assertProblem(await issue(body, mentor.secretKey), 403, 'forbidden');
    assertProblem(await issue(body, theatre.secretKey), 403, 'forbidden');
    assertProblem(await issue(body, circuit.operator.secretKey), 403, 'forbidden');
    const otherSchool = await seedReferrer(api, circuit, { name: 'Liceo Omodeo' });
    const refused = assertProblem(await issue(body, otherSchool.secretKey), 404, 'not_found');
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['beneficiary_id']);
    const voucher = assertOk(await issue(body), 201);
    assertProblem(await call(api, 'GET', `/v1/vouchers/${voucher.id}`, { key: otherSchool.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'POST', `/v1/vouchers/${voucher.id}/unlock`, { key: otherSchool.secretKey }), 404, 'not_found');
  });

  it('two secretaries issuing at once never pass the allocation together', async () => {
    const busy = await seedReferrer(api, circuit, { name: 'Istituto Cairoli', allocation: 10_000n });
    const beneficiaries = await Promise.all(Array.from({ length: 5 }, () => seedBeneficiary(api, busy)));
    const results = await Promise.all(
      beneficiaries.map((id) => issue({ beneficiary_id: id, pool_id: circuit.generalPoolId, amount: 3000 }, busy.secretKey)),
    );
    assert.deepEqual(results.map((result) => result.status).sort(), [201, 201, 201, 422, 422]);
    assert.equal(await allocationIssued(busy.id, circuit.generalPoolId), 9000n);
  });

  it("lists a school's vouchers, by beneficiary and page by page", async () => {
    const lists = await seedReferrer(api, circuit, { name: 'Istituto Roncalli' });
    const first = await seedVoucher(api, circuit, lists, { amount: 1000n });
    const second = await seedVoucher(api, circuit, lists, { amount: 2000n });
    const third = await seedVoucher(api, circuit, lists, { amount: 3000n });
    const page1 = assertOk(await call(api, 'GET', '/v1/vouchers?limit=2', { key: lists.secretKey }));
    assert.deepEqual(page1.data.map((voucher: { id: string }) => voucher.id), [first.id, second.id].sort());
    assert.equal(page1.has_more, true);
    const page2 = assertOk(await call(api, 'GET', `/v1/vouchers?limit=2&starting_after=${page1.data[1].id}`, { key: lists.secretKey }));
    assert.equal(page2.data.length, 1);
    assert.equal(page2.has_more, false);
    const ofOne = assertOk(await call(api, 'GET', `/v1/vouchers?beneficiary_id=${third.beneficiaryId}`, { key: lists.secretKey }));
    assert.deepEqual(ofOne.data.map((voucher: { amount: number }) => voucher.amount), [3000]);
    for (const voucher of [...page1.data, ...page2.data]) assert.equal(voucher.code, undefined);
  });
});

describe('checking a voucher', () => {
  function check(body: Record<string, unknown>, key = theatre.publishableKey) {
    const headers: Record<string, string> = key === theatre.publishableKey ? { Origin: theatreSite } : {};
    return call(api, 'POST', '/v1/vouchers/check', { key, body, headers });
  }

  it('a beneficiary pastes the code in lowercase with spaces and sees what is left', async () => {
    const voucher = await seedVoucher(api, circuit, school, { amount: 4000n, restrictions: { categories: ['music'] } });
    const pasted = ` ${voucher.code.toLowerCase().replaceAll('-', ' ')} `;
    const checked = assertOk(await check({ code: pasted, pin: voucher.pin }));
    assert.deepEqual(Object.keys(checked).sort(), ['available', 'code_hint', 'currency', 'expires_at', 'object', 'restrictions', 'voucher_id']);
    assert.equal(checked.voucher_id, voucher.id);
    assert.equal(checked.available, 4000);
    assert.equal(checked.currency, 'EUR');
    assert.equal(checked.code_hint, voucher.code.slice(-6));
    assert.deepEqual(checked.restrictions, { circuit_id: circuit.id, categories: ['music'], offer_ids: [], provider_ids: [] });
    assertOk(await check({ code: voucher.code, pin: voucher.pin }, theatre.deskKey));
    assertOk(await check({ code: voucher.code, pin: voucher.pin }, school.secretKey));
  });

  it('a mistyped code is refused before any lookup', async () => {
    const voucher = await seedVoucher(api, circuit, school);
    const last = voucher.code.at(-1)!;
    const mistyped = voucher.code.slice(0, -1) + (last === '7' ? '8' : '7');
    const refused = assertProblem(await check({ code: mistyped, pin: voucher.pin }), 400, 'invalid_request');
    assert.deepEqual(refused.errors.map((error: { path: string }) => error.path), ['code']);
    const [row] = await api.database.sql<{ attempts: number }[]>`select attempts from vouchers where id = ${voucher.id}`;
    assert.equal(row!.attempts, 0, 'the voucher was not even looked up');
    assertProblem(await check({ code: voucher.code, pin: '12ab' }), 400, 'invalid_request');
  });

  it('a code nobody was given is not found', async () => {
    const voucher = await seedVoucher(api, circuit, school);
    await api.database.sql`update vouchers set code_hash = sha256('gone'::bytea) where id = ${voucher.id}`;
    assertProblem(await check({ code: voucher.code, pin: voucher.pin }), 404, 'not_found');
  });

  it('wrong PINs count down, the fifth locks the voucher, and only its school unlocks it', async () => {
    const voucher = await seedVoucher(api, circuit, school);
    const wrong = voucher.pin === '000000' ? '111111' : '000000';
    for (const attemptsLeft of [4, 3, 2, 1]) {
      const refused = assertProblem(await check({ code: voucher.code, pin: wrong }), 422, 'wrong_pin');
      assert.equal(refused.attempts_left, attemptsLeft);
    }
    assertProblem(await check({ code: voucher.code, pin: wrong }), 423, 'voucher_locked');
    assertProblem(await check({ code: voucher.code, pin: voucher.pin }), 423, 'voucher_locked');
    const locked = assertOk(await call(api, 'GET', `/v1/vouchers/${voucher.id}`, { key: school.secretKey }));
    assert.equal(locked.locked, true);
    const unlocked = assertOk(await call(api, 'POST', `/v1/vouchers/${voucher.id}/unlock`, { key: school.secretKey }));
    assert.equal(unlocked.locked, false);
    assertOk(await check({ code: voucher.code, pin: voucher.pin }));
    const again = assertProblem(await check({ code: voucher.code, pin: wrong }), 422, 'wrong_pin');
    assert.equal(again.attempts_left, 4, 'the count started again');
  });

  it('an expired voucher answers 410', async () => {
    const voucher = await seedVoucher(api, circuit, school, { expiresAt: new Date(Date.now() - 1000) });
    const refused = assertProblem(await check({ code: voucher.code, pin: voucher.pin }), 410, 'voucher_expired');
    assert.ok(refused.expired_at);
  });

  it('refuses mentors and keys from other origins', async () => {
    const voucher = await seedVoucher(api, circuit, school);
    const mentor = await createOrganization(api, 'mentor');
    assertProblem(await check({ code: voucher.code, pin: voucher.pin }, mentor.secretKey), 403, 'forbidden');
    const fromElsewhere = await call(api, 'POST', '/v1/vouchers/check', {
      key: theatre.publishableKey,
      body: { code: voucher.code, pin: voucher.pin },
      headers: { Origin: 'https://evil.example' },
    });
    assertProblem(fromElsewhere, 403, 'forbidden_origin');
  });
});

describe('rate limits on checks', () => {
  let quick: TestApi;
  let quickCircuit: TestCircuit;
  let quickSchool: Awaited<ReturnType<typeof seedReferrer>>;
  let publishableKey: string;
  let deskKey: string;

  before(async () => {
    quick = await createTestApi({ rateLimits: { perIp: 6, perVoucher: 3, windowSeconds: 60 } });
    quickCircuit = await seedCircuit(quick, { funded: 100_000n });
    quickSchool = await seedReferrer(quick, quickCircuit);
    const provider = await seedProvider(quick, quickCircuit, { allowedOrigins: [theatreSite] });
    publishableKey = await createKey(quick, provider.id, 'publishable', quickCircuit.operator.secretKey);
    deskKey = await createKey(quick, provider.id, 'desk', quickCircuit.operator.secretKey);
  });
  after(() => quick.close());

  const check = (key: string, body: Record<string, unknown>) =>
    call(quick, 'POST', '/v1/vouchers/check', { key, body, headers: key === publishableKey ? { Origin: theatreSite } : {} });

  it('a voucher answers at most 3 checks a minute, whatever the key, then 429 with Retry-After', async () => {
    const voucher = await seedVoucher(quick, quickCircuit, quickSchool);
    for (let attempt = 0; attempt < 3; attempt++) assertOk(await check(deskKey, { code: voucher.code, pin: voucher.pin }));
    const limited = await check(deskKey, { code: voucher.code, pin: voucher.pin });
    assertProblem(limited, 429, 'rate_limited');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    const other = await seedVoucher(quick, quickCircuit, quickSchool);
    assertOk(await check(deskKey, { code: other.code, pin: other.pin }), 200);
  });

  it('a browser with the publishable key gets 6 checks a minute from one address, on any voucher', async () => {
    const vouchers = await Promise.all(Array.from({ length: 3 }, () => seedVoucher(quick, quickCircuit, quickSchool)));
    for (let attempt = 0; attempt < 10; attempt++) {
      assertProblem(await check(publishableKey, { code: 'MNT-0000-0000-0000-Z', pin: '1234' }), 400, 'invalid_request');
    }
    for (let attempt = 0; attempt < 6; attempt++) {
      const voucher = vouchers[attempt % 3]!;
      assertOk(await check(publishableKey, { code: voucher.code, pin: voucher.pin }));
    }
    const limited = await check(publishableKey, { code: vouchers[0]!.code, pin: vouchers[0]!.pin });
    assertProblem(limited, 429, 'rate_limited');
    assert.ok(limited.headers.get('retry-after'));
    const fresh = await seedVoucher(quick, quickCircuit, quickSchool);
    assertOk(await check(deskKey, { code: fresh.code, pin: fresh.pin }), 200);
  });
});
