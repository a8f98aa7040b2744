import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOk, assertProblem, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { needsRealPostgres } from '../../test/database.js';
import { fundPool, seedCircuit, seedOffer, seedProvider, seedProviderWithKeys, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedBeneficiary, seedReferrer } from '../../test/fixtures/vouchers.js';
import { derivedId } from '../ids.js';

const theatreSite = 'https://teatrocagnoni.it';

let api: TestApi;
let circuit: TestCircuit;
let theatre: { id: string; secretKey: string; publishableKey: string; deskKey: string };
let school: Awaited<ReturnType<typeof seedReferrer>>;
let concert: TestOffer;
let workshop: TestOffer;
let opera: TestOffer;
let museum: TestOffer;
/** Free: any music, then the opera. Ordered: the workshop, the concert, then any museum. */
let musicPath: string;
let orderedPath: string;
let bonusPool: string;

before(async () => {
  api = await createTestApi({ rateLimits: { perIp: 10_000, perVoucher: 10_000, windowSeconds: 60 } });
  circuit = await seedCircuit(api, { funded: 10_000_000n });
  theatre = await seedProviderWithKeys(api, circuit, { name: 'Teatro Cagnoni', allowedOrigins: [theatreSite] });
  school = await seedReferrer(api, circuit, { allocation: 10_000_000n });
  concert = await seedOffer(api, circuit, theatre.id, { category: 'music', seatPrice: 1000n, seats: 100 });
  workshop = await seedOffer(api, circuit, theatre.id, { category: 'music', seatPrice: 800n, seats: 100 });
  opera = await seedOffer(api, circuit, theatre.id, { category: 'theatre', seatPrice: 1500n, seats: 100 });
  museum = await seedOffer(api, circuit, theatre.id, { category: 'museum', seatPrice: 500n, seats: 100 });
  bonusPool = assertOk(
    await call(api, 'POST', '/v1/pools', { key: circuit.operator.secretKey, body: { circuit_id: circuit.id, name: 'Fondazione Piacenza bonus' } }),
    201,
  ).id;
  const updated = assertOk(
    await call(api, 'POST', `/v1/circuits/${circuit.id}`, {
      key: circuit.operator.secretKey,
      body: {
        paths: [
          {
            name: { it: 'Percorso musica', en: 'Music path', sq: 'Rruga e muzikës' },
            steps: [{ category: 'music' }, { offer_id: opera.id }],
            bonus: { amount: 2000, pool_id: bonusPool },
          },
          {
            name: { it: 'Percorso in ordine', en: 'Path in order' },
            ordered: true,
            steps: [{ offer_id: workshop.id }, { offer_id: concert.id }, { category: 'museum' }],
          },
        ],
      },
    }),
  );
  [musicPath, orderedPath] = updated.paths.map((path: { id: string }) => path.id);
  for (const organization of [circuit.operator, school]) {
    assertOk(
      await call(api, 'POST', '/v1/webhook_endpoints', {
        key: organization.secretKey,
        body: { url: 'http://127.0.0.1:9/hooks', event_types: ['path.completed'] },
      }),
      201,
    );
  }
});
after(() => api.close());

/** A voucher of €100 for the beneficiary, from the general pool. */
async function issueVoucher(beneficiaryId: string, amount = 10_000) {
  return assertOk(
    await call(api, 'POST', '/v1/vouchers', {
      key: school.secretKey,
      body: { beneficiary_id: beneficiaryId, pool_id: circuit.generalPoolId, amount },
    }),
    201,
  ) as { id: string; code: string; pin: string };
}

/** A seat booked and paid in the theatre's page. */
async function book(voucher: { code: string; pin: string }, offer: TestOffer, capture = true) {
  return assertOk(
    await call(api, 'POST', '/v1/redemptions', {
      key: theatre.publishableKey,
      headers: { Origin: theatreSite },
      body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture },
    }),
    201,
  ) as { id: string; booking_reference: string };
}

async function pathsOf(beneficiaryId: string) {
  const { data } = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiaryId}/paths`, { key: school.secretKey }));
  const byId = new Map<string, Record<string, any>>(data.map((path: Record<string, any>) => [path.path_id, path]));
  return { music: byId.get(musicPath)!, ordered: byId.get(orderedPath)! };
}

const stampedSteps = (path: Record<string, any>) => path.steps.filter((step: { stamped: boolean }) => step.stamped).map((step: { position: number }) => step.position);

async function completionEvents(beneficiaryId: string, pathId: string) {
  return api.database.sql<{ event_id: string; endpoint_id: string; data: Record<string, any> }[]>`
    select event_id, endpoint_id, data from webhook_deliveries
    where event_type = 'path.completed' and data ->> 'beneficiary_id' = ${beneficiaryId} and data ->> 'path_id' = ${pathId}`;
}

describe('stamps', () => {
  it('a captured concert stamps the music step of the free path, and only that', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    const before = await pathsOf(beneficiary);
    assert.equal(before.music.steps_done, 0);
    assert.equal(before.music.bonus.status, 'to_earn');
    const redemption = await book(voucher, concert);
    const { music, ordered } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(music), [1]);
    assert.equal(music.steps[0].redemption_id, redemption.id);
    assert.deepEqual(music.steps[0].title, { it: 'Musica', en: 'Music', sq: 'Muzikë' });
    assert.equal(music.steps_done, 1);
    assert.equal(music.steps_total, 2);
    assert.equal(music.completed_at, null);
    // The ordered path starts with the workshop: a concert first stamps nothing there.
    assert.deepEqual(stampedSteps(ordered), []);
  });

  it('a free path takes its second step first: the opera is stamped where it is, the music step still to do', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    await book(await issueVoucher(beneficiary), opera);
    const { music } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(music), [2]);
    assert.equal(music.steps[0].redemption_id, null);
  });

  it('a held seat stamps nothing until it is captured at the counter', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    const held = assertOk(
      await call(api, 'POST', '/v1/redemptions', {
        key: theatre.deskKey,
        body: { code: voucher.code, pin: voucher.pin, offer_id: concert.id, seats: 1, capture: false },
      }),
      201,
    );
    assert.deepEqual(stampedSteps((await pathsOf(beneficiary)).music), []);
    assertOk(await call(api, 'POST', `/v1/redemptions/${held.id}/capture`, { key: theatre.deskKey, body: {} }));
    assert.deepEqual(stampedSteps((await pathsOf(beneficiary)).music), [1]);
  });

  it('an ordered path is stamped only in its order: a step taken early does not count', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    await book(voucher, museum);
    await book(voucher, concert);
    assert.deepEqual(stampedSteps((await pathsOf(beneficiary)).ordered), []);
    await book(voucher, workshop);
    await book(voucher, concert);
    assert.deepEqual(stampedSteps((await pathsOf(beneficiary)).ordered), [1, 2]);
    await book(voucher, museum);
    const { ordered } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(ordered), [1, 2, 3]);
    assert.notEqual(ordered.completed_at, null);
    assert.equal(ordered.bonus, null, 'this path has no bonus');
    assert.equal((await completionEvents(beneficiary, orderedPath)).length, 2, 'one delivery each for the operator and the school');
  });

  it('two vouchers of the same beneficiary fill the same path', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    await book(await issueVoucher(beneficiary, 2000), workshop);
    await book(await issueVoucher(beneficiary, 2000), opera);
    const { music } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(music), [1, 2]);
    assert.notEqual(music.completed_at, null);
  });

  it('a cancellation takes its stamp back, and the next booking stamps the step again', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    const first = await book(voucher, concert);
    assertOk(await call(api, 'POST', `/v1/redemptions/${first.id}/reverse`, { key: theatre.secretKey, body: {} }));
    assert.deepEqual(stampedSteps((await pathsOf(beneficiary)).music), []);
    const second = await book(voucher, workshop);
    const { music } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(music), [1]);
    assert.equal(music.steps[0].redemption_id, second.id);
  });

  it("the beneficiary's export carries the paths and their stamps", async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const booking = await book(await issueVoucher(beneficiary), concert);
    const exported = assertOk(await call(api, 'GET', `/v1/beneficiaries/${beneficiary}/export`, { key: school.secretKey }));
    const music = exported.paths.find((path: { path_id: string }) => path.path_id === musicPath);
    assert.equal(music.steps[0].redemption_id, booking.id);
  });

  it("another referrer's key cannot read the paths", async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const other = await seedReferrer(api, circuit, { name: 'Scuola media Besozzi' });
    assertProblem(await call(api, 'GET', `/v1/beneficiaries/${beneficiary}/paths`, { key: other.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'GET', `/v1/beneficiaries/${beneficiary}/paths`, { key: theatre.secretKey }), 403, 'forbidden');
  });
});

describe('completing a path', () => {
  it('queues one path.completed for the operator and the school and issues the bonus from its pool', async () => {
    await fundPool(api, bonusPool, 10_000n);
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    await book(voucher, concert);
    await book(voucher, opera);
    const { music } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(music), [1, 2]);
    const progressId = derivedId(beneficiary, `path:${musicPath}`);
    const bonusVoucher = derivedId(progressId, 'bonus');
    assert.deepEqual({ ...music.bonus }, {
      status: 'issued', amount: 2000, currency: 'EUR', pool_id: bonusPool, voucher_id: bonusVoucher, card_issued_at: null,
    });
    const events = await completionEvents(beneficiary, musicPath);
    assert.equal(events.length, 2);
    assert.equal(events[0]!.event_id, events[1]!.event_id);
    assert.equal(events[0]!.data.bonus.voucher_id, bonusVoucher);
    assert.equal(events[0]!.data.bonus.status, 'issued');
    const [account] = await api.ledger.lookupAccounts([bonusVoucher]);
    assert.equal(account!.available, 2000n);
    // The school's list shows the bonus voucher, without a card yet.
    const vouchers = assertOk(await call(api, 'GET', `/v1/vouchers?beneficiary_id=${beneficiary}`, { key: school.secretKey }));
    assert.deepEqual(vouchers.data.map((row: { id: string }) => row.id).sort(), [voucher.id, bonusVoucher].sort());
    // A third booking that fits the path changes nothing: it was completed once.
    await book(voucher, workshop);
    assert.equal((await completionEvents(beneficiary, musicPath)).length, 2);
  });

  it('the school makes the bonus card once, and its code and PIN open the bonus voucher', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    await book(voucher, concert);
    await book(voucher, opera);
    const cardPath = `/v1/beneficiaries/${beneficiary}/paths/${musicPath}/bonus-card`;
    const card = assertOk(await call(api, 'POST', cardPath, { key: school.secretKey }), 201);
    assert.match(card.code, /^MNT-/);
    assert.match(card.pin, /^\d{6}$/);
    assert.equal(card.amount, 2000);
    assert.equal(card.code_hint, card.code.slice(-6));
    const checked = assertOk(
      await call(api, 'POST', '/v1/vouchers/check', { key: theatre.publishableKey, headers: { Origin: theatreSite }, body: { code: card.code, pin: card.pin } }),
    );
    assert.equal(checked.voucher_id, card.id);
    assert.equal(checked.available, 2000);
    assertProblem(await call(api, 'POST', cardPath, { key: school.secretKey }), 409, 'card_already_issued');
    assert.notEqual((await pathsOf(beneficiary)).music.bonus.card_issued_at, null);
  });

  it('no bonus card for a path not completed', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    await book(await issueVoucher(beneficiary), concert);
    assertProblem(await call(api, 'POST', `/v1/beneficiaries/${beneficiary}/paths/${musicPath}/bonus-card`, { key: school.secretKey }), 404, 'not_found');
  });

  it('with its pool empty the bonus is pending, the booking goes through, and the card comes once the pool is funded', async () => {
    const emptyPool = assertOk(
      await call(api, 'POST', '/v1/pools', { key: circuit.operator.secretKey, body: { circuit_id: circuit.id, name: 'Bonus da finanziare' } }),
      201,
    ).id;
    const { paths } = assertOk(await call(api, 'GET', `/v1/circuits/${circuit.id}`, { key: circuit.operator.secretKey }));
    const emptyCircuitPaths = paths.map((path: Record<string, any>) =>
      path.id === musicPath ? { ...path, bonus: { amount: 2500, pool_id: emptyPool } } : path,
    );
    assertOk(await call(api, 'POST', `/v1/circuits/${circuit.id}`, { key: circuit.operator.secretKey, body: { paths: emptyCircuitPaths } }));
    try {
      const beneficiary = await seedBeneficiary(api, school);
      const voucher = await issueVoucher(beneficiary);
      await book(voucher, concert);
      await book(voucher, opera);
      const { music } = await pathsOf(beneficiary);
      assert.notEqual(music.completed_at, null);
      assert.equal(music.bonus.status, 'pending');
      assert.equal(music.bonus.voucher_id, null);
      const [event] = await completionEvents(beneficiary, musicPath);
      assert.equal(event!.data.bonus.status, 'pending');
      const [pool] = await api.ledger.lookupAccounts([emptyPool]);
      assert.equal(pool!.balance, 0n, 'no overdraft');
      const cardPath = `/v1/beneficiaries/${beneficiary}/paths/${musicPath}/bonus-card`;
      assertProblem(await call(api, 'POST', cardPath, { key: school.secretKey }), 422, 'insufficient_funds');
      await fundPool(api, emptyPool, 2500n);
      const card = assertOk(await call(api, 'POST', cardPath, { key: school.secretKey }), 201);
      assert.equal(card.amount, 2500);
      assert.equal(card.pool_id, emptyPool);
      assert.equal((await pathsOf(beneficiary)).music.bonus.status, 'issued');
      const reconciliation = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: circuit.operator.secretKey }));
      assert.equal(reconciliation.clean, true, JSON.stringify(reconciliation.problems));
    } finally {
      assertOk(await call(api, 'POST', `/v1/circuits/${circuit.id}`, { key: circuit.operator.secretKey, body: { paths } }));
    }
  });

  it('concurrent captures complete the path once: one event, one bonus', { skip: needsRealPostgres }, async () => {
    await fundPool(api, bonusPool, 100_000n);
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary, 50_000);
    await book(voucher, opera);
    // Eight seats held at the counter, each of which would complete the path, captured all at once.
    const held = [];
    for (let i = 0; i < 8; i++) {
      held.push(
        assertOk(
          await call(api, 'POST', '/v1/redemptions', {
            key: theatre.deskKey,
            body: { code: voucher.code, pin: voucher.pin, offer_id: i % 2 === 0 ? concert.id : workshop.id, seats: 1, capture: false },
          }),
          201,
        ),
      );
    }
    const captures = await Promise.all(
      held.map((redemption) => call(api, 'POST', `/v1/redemptions/${redemption.id}/capture`, { key: theatre.deskKey, body: {} })),
    );
    for (const capture of captures) assertOk(capture);
    const { music } = await pathsOf(beneficiary);
    assert.deepEqual(stampedSteps(music), [1, 2]);
    assert.equal(music.bonus.status, 'issued');
    const events = await completionEvents(beneficiary, musicPath);
    assert.equal(new Set(events.map((event) => event.event_id)).size, 1);
    assert.equal(events.length, 2);
    const bonuses = await api.database.sql`
      select t.id from transfers t join vouchers v on v.id = t.credit_account_id
      where t.code = 'ISSUE' and v.beneficiary_id = ${beneficiary} and v.pool_id = ${bonusPool}`;
    assert.equal(bonuses.length, 1);
  });
});

describe('POST /v1/public/path-progress', () => {
  const progress = (body: unknown, key = theatre.publishableKey) =>
    call(api, 'POST', '/v1/public/path-progress', { key, headers: { Origin: theatreSite }, body });

  it('with the code and PIN: every path of the circuit with its stamps, nothing personal', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const voucher = await issueVoucher(beneficiary);
    await book(voucher, workshop);
    const answer = assertOk(await progress({ code: voucher.code.toLowerCase(), pin: voucher.pin }));
    assert.equal(answer.object, 'path_progress');
    assert.equal(answer.circuit.id, circuit.id);
    assert.equal(answer.paths.length, 2);
    const [music, ordered] = answer.paths;
    assert.deepEqual(music.name, { it: 'Percorso musica', en: 'Music path', sq: 'Rruga e muzikës' });
    assert.deepEqual(music.steps.map((step: { stamped: boolean }) => step.stamped), [true, false]);
    assert.deepEqual(music.steps[1].title, { it: 'La locandiera', en: 'The Mistress of the Inn', sq: 'Hanxhesha' });
    assert.deepEqual(music.bonus, { status: 'to_earn', amount: 2000, currency: 'EUR' });
    assert.deepEqual(ordered.steps.map((step: { stamped: boolean }) => step.stamped), [true, false, false]);
    assert.equal(ordered.steps_done, 1);
    const text = JSON.stringify(answer);
    for (const secret of [beneficiary, voucher.id, school.id, 'redemption_id', '3B-']) assert.ok(!text.includes(secret), `leaks ${secret}`);
    assert.equal(answer.paths[0].completed, false);
  });

  it('with a booking reference, as printed on the ticket', async () => {
    const beneficiary = await seedBeneficiary(api, school);
    const booking = await book(await issueVoucher(beneficiary), concert);
    const answer = assertOk(await progress({ booking_reference: booking.booking_reference.toLowerCase().replaceAll('-', '') }));
    assert.deepEqual(answer.paths[0].steps.map((step: { stamped: boolean }) => step.stamped), [true, false]);
  });

  it('an unknown booking is a 404 and a malformed one a 400', async () => {
    assertProblem(await progress({ booking_reference: 'BK-00000-00000' }), 404, 'not_found');
    assertProblem(await progress({ booking_reference: 'hello' }), 400, 'invalid_request');
    assertProblem(await progress({ code: 'MNT', pin: '1234', booking_reference: 'BK-00000-00000' }), 400, 'invalid_request');
  });

  it('wrong PINs count towards the lock, as a voucher check', async () => {
    const voucher = await issueVoucher(await seedBeneficiary(api, school));
    const wrongPin = voucher.pin === '000000' ? '111111' : '000000';
    for (const attemptsLeft of [4, 3, 2, 1]) {
      assert.equal(assertProblem(await progress({ code: voucher.code, pin: wrongPin }), 422, 'wrong_pin').attempts_left, attemptsLeft);
    }
    // The fifth wrong PIN, through the check, locks it for both.
    assertProblem(
      await call(api, 'POST', '/v1/vouchers/check', { key: theatre.publishableKey, headers: { Origin: theatreSite }, body: { code: voucher.code, pin: wrongPin } }),
      423,
      'voucher_locked',
    );
    assertProblem(await progress({ code: voucher.code, pin: voucher.pin }), 423, 'voucher_locked');
  });

  it('needs a key, from an allowed origin; the GET counts stay keyless', async () => {
    assertProblem(await call(api, 'POST', '/v1/public/path-progress', { body: { booking_reference: 'BK-00000-00000' } }), 401, 'unauthorized');
    assertProblem(
      await call(api, 'POST', '/v1/public/path-progress', {
        key: theatre.publishableKey,
        headers: { Origin: 'https://elsewhere.example' },
        body: { booking_reference: 'BK-00000-00000' },
      }),
      403,
      'forbidden_origin',
    );
    const answer = await progress({ booking_reference: 'BK-00000-00000' });
    assert.equal(answer.headers.get('access-control-allow-origin'), theatreSite);
    assert.equal(answer.headers.get('cache-control'), 'no-store', 'a keyed answer, never cached');
    assertOk(await call(api, 'GET', `/v1/public/badges/circuit/${circuit.id}`));
  });
});

describe('POST /v1/public/path-progress, rate limited', () => {
  let limited: TestApi;
  before(async () => {
    limited = await createTestApi({ rateLimits: { perIp: 3, perVoucher: 100, windowSeconds: 60 } });
  });
  after(() => limited.close());

  it('counts each client address as a voucher check does: the fourth try in the window is a 429', async () => {
    const smallCircuit = await seedCircuit(limited);
    const provider = await seedProvider(limited, smallCircuit, { allowedOrigins: [theatreSite] });
    const key = await createKey(limited, provider.id, 'publishable', smallCircuit.operator.secretKey);
    const send = () =>
      call(limited, 'POST', '/v1/public/path-progress', { key, headers: { Origin: theatreSite }, body: { booking_reference: 'BK-00000-00000' } });
    for (let i = 0; i < 3; i++) assertProblem(await send(), 404, 'not_found');
    const refused = assertProblem(await send(), 429, 'rate_limited');
    assert.ok(refused.retry_after >= 1);
  });
});
