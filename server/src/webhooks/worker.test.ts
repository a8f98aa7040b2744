import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertOk, call, createKey, createTestApi, type TestApi } from '../../test/api.js';
import { needsRealPostgres } from '../../test/database.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit, type TestOffer } from '../../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { Receiver, signedWith } from '../../test/receiver.js';
import { signatureHeaderName, WebhookWorker, retryDelaySeconds } from './worker.js';

let api: TestApi;
let circuit: TestCircuit;
let school: Awaited<ReturnType<typeof seedReferrer>>;

before(async () => {
  api = await createTestApi();
  circuit = await seedCircuit(api, { funded: 10_000_000n });
  school = await seedReferrer(api, circuit, { allocation: 10_000_000n });
});
after(() => api.close());

/** A theatre with a desk, an offer, and a webhook endpoint for its captured bookings at `url`. */
async function aTheatreListeningAt(url: string, name = 'Teatro Cagnoni') {
  const theatre = await seedProvider(api, circuit, { name });
  const desk = await createKey(api, theatre.id, 'desk', circuit.operator.secretKey);
  const offer = await seedOffer(api, circuit, theatre.id, { seatPrice: 1000n, seats: 100 });
  const endpoint = assertOk(
    await call(api, 'POST', '/v1/webhook_endpoints', { key: theatre.secretKey, body: { url, event_types: ['redemption.captured'] } }),
    201,
  );
  return { theatre, desk, offer, endpoint: endpoint as { id: string; secret: string } };
}

async function book(desk: string, offer: TestOffer) {
  const voucher = await seedVoucher(api, circuit, school);
  return assertOk(await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1 } }), 201);
}

/** A worker whose clock the test moves. */
function workerAt(clock: { now: Date }, options: { timeoutMs?: number; privateAddresses?: boolean } = {}) {
  return new WebhookWorker({ sql: api.database.sql, privateAddresses: true, now: () => clock.now, random: () => 0.5, ...options });
}

/** A clock that keeps the real time. */
const realClock = {
  get now() {
    return new Date();
  },
};

const later = (date: Date, seconds: number) => new Date(date.getTime() + seconds * 1000);

describe('delivering webhooks', () => {
  it('sends a theatre each captured booking once, signed with its secret, as the API shows it', async () => {
    const receiver = await Receiver.start();
    const { desk, offer, endpoint } = await aTheatreListeningAt(receiver.url);
    const booking = await book(desk, offer);
    const worker = workerAt({ now: new Date() });
    try {
      assert.deepEqual(await worker.deliverDue(), { delivered: 1, retrying: 0, failed: 0 });
      assert.deepEqual(await worker.deliverDue(), { delivered: 0, retrying: 0, failed: 0 }, 'nothing is sent twice');
    } finally {
      worker.close();
      await receiver.close();
    }
    const [delivery] = receiver.received;
    assert.equal(receiver.received.length, 1);
    assert.ok(signedWith(delivery!, endpoint.secret), 'the signature verifies with the secret shown at creation');
    assert.match(String(delivery!.headers[signatureHeaderName.toLowerCase()]), /^t=\d+,v1=[0-9a-f]{64}$/);
    assert.equal(delivery!.headers['content-type'], 'application/json');
    assert.equal(delivery!.headers['mentoring-event-id'], delivery!.event.id);
    assert.equal(delivery!.event.type, 'redemption.captured');
    const { voucher_available: _left, ...redemption } = booking;
    assert.deepEqual(delivery!.event.data, redemption, 'the data is the redemption as POST /v1/redemptions answered it');
  });

  it('is refused by the receiver when the body was changed or the signature is stale', async () => {
    const receiver = await Receiver.start();
    const { desk, offer, endpoint } = await aTheatreListeningAt(receiver.url, 'Teatro Fraschini');
    await book(desk, offer);
    const worker = workerAt({ now: new Date() });
    await worker.deliverDue().finally(() => worker.close());
    await receiver.close();
    const [delivery] = receiver.received;
    assert.ok(signedWith(delivery!, endpoint.secret));
    assert.equal(signedWith({ ...delivery!, body: delivery!.body.replace('"seats":1', '"seats":9') }, endpoint.secret), false, 'tampered');
    assert.equal(signedWith(delivery!, endpoint.secret, later(new Date(), 6 * 60)), false, 'replayed six minutes later');
    assert.equal(signedWith(delivery!, 'whsec_someoneElsesSecret000000000000'), false, 'another secret');
  });

  it('delivers to a receiver that was down once it is back, exactly once, and logs both attempts', async () => {
    const receiver = await Receiver.start();
    const port = receiver.port;
    const { theatre, desk, offer, endpoint } = await aTheatreListeningAt(receiver.url, 'Museo della Calzatura');
    await receiver.close();
    await book(desk, offer);
    const clock = { now: new Date() };
    const worker = workerAt(clock);
    let back: Receiver | undefined;
    try {
      assert.deepEqual(await worker.deliverDue(), { delivered: 0, retrying: 1, failed: 0 });
      back = await Receiver.start(port);
      assert.deepEqual(await worker.deliverDue(), { delivered: 0, retrying: 0, failed: 0 }, 'not due yet: backing off');
      clock.now = later(clock.now, retryDelaySeconds(1, () => 0.5));
      assert.deepEqual(await worker.deliverDue(), { delivered: 1, retrying: 0, failed: 0 });
      clock.now = later(clock.now, 24 * 3600);
      assert.deepEqual(await worker.deliverDue(), { delivered: 0, retrying: 0, failed: 0 });
    } finally {
      worker.close();
      await back?.close();
    }
    assert.equal(back!.received.length, 1);
    const log = assertOk(await call(api, 'GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries`, { key: theatre.secretKey }));
    assert.equal(log.data.length, 1);
    const [delivery] = log.data;
    assert.equal(delivery.status, 'delivered');
    assert.equal(delivery.attempt_count, 2);
    assert.deepEqual(
      delivery.attempts.map((attempt: { succeeded: boolean; response_status: number | null }) => [attempt.succeeded, attempt.response_status]),
      [
        [false, null],
        [true, 200],
      ],
    );
    assert.match(delivery.attempts[0].error, /ECONNREFUSED/);
  });

  it('retries a failing receiver with growing pauses for 3 days, then gives up; a retry sends it again', async () => {
    const receiver = await Receiver.start();
    receiver.status = 500;
    const { theatre, desk, offer, endpoint } = await aTheatreListeningAt(receiver.url, 'Civico Museo Archeologico');
    await book(desk, offer);
    const started = new Date();
    const clock = { now: started };
    const worker = workerAt(clock);
    const pauses: number[] = [];
    try {
      for (let round = 0; round < 40; round += 1) {
        const outcome = await worker.deliverDue();
        if (outcome.failed === 1) break;
        const [due] = await api.database.sql<{ next_attempt_at: Date }[]>`
          select next_attempt_at from webhook_deliveries where endpoint_id = ${endpoint.id}`;
        pauses.push((due!.next_attempt_at.getTime() - clock.now.getTime()) / 1000);
        clock.now = due!.next_attempt_at;
      }
    } finally {
      worker.close();
    }
    const log = assertOk(await call(api, 'GET', `/v1/webhook_endpoints/${endpoint.id}/deliveries?status=failed`, { key: theatre.secretKey }));
    assert.equal(log.data.length, 1, 'given up');
    const [delivery] = log.data;
    assert.equal(delivery.attempts.length, receiver.received.length);
    assert.ok(delivery.attempts.every((attempt: { response_status: number; error: string }) => attempt.response_status === 500 && attempt.error === 'HTTP 500'));
    assert.deepEqual(pauses.slice(0, 4), [30, 60, 120, 240], 'doubling (no jitter with random() = 0.5)');
    assert.equal(Math.max(...pauses), 6 * 3600, 'at most six hours apart');
    const lastAttempt = new Date(delivery.attempts.at(-1).attempted_at).getTime();
    assert.ok(lastAttempt - started.getTime() > 60 * 3600 * 1000 && lastAttempt < new Date(delivery.give_up_at).getTime());

    receiver.status = 200;
    const retried = assertOk(await call(api, 'POST', `/v1/webhook_deliveries/${delivery.id}/retry`, { key: theatre.secretKey }));
    assert.equal(retried.status, 'pending');
    const fresh = workerAt({ now: new Date() });
    assert.deepEqual(await fresh.deliverDue().finally(() => fresh.close()), { delivered: 1, retrying: 0, failed: 0 });
    await receiver.close();
  });

  it('counts a redirect or a receiver too slow to answer as a failed attempt', async () => {
    const redirecting = await Receiver.start();
    redirecting.status = 302;
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/hooks`;
    const first = await aTheatreListeningAt(redirecting.url, 'Teatro Sociale');
    const second = await aTheatreListeningAt(silentUrl, 'Teatro Verdi');
    await book(first.desk, first.offer);
    await book(second.desk, second.offer);
    const worker = workerAt({ now: new Date() }, { timeoutMs: 200 });
    try {
      assert.deepEqual(await worker.deliverDue(), { delivered: 0, retrying: 2, failed: 0 });
    } finally {
      worker.close();
      await redirecting.close();
      silent.closeAllConnections();
      silent.close();
    }
    const errors = await api.database.sql<{ error: string }[]>`
      select a.error from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id
      where d.endpoint_id in (${first.endpoint.id}, ${second.endpoint.id}) order by a.error`;
    assert.deepEqual(errors.map((row) => row.error), ['HTTP 302: redirects are not followed', 'no answer within 200 ms']);
  });

  it('signs with the old and the new secret while a rotation overlaps, and with the new one only after', async () => {
    const receiver = await Receiver.start();
    const { theatre, desk, offer, endpoint } = await aTheatreListeningAt(receiver.url, 'Teatro Ponchielli');
    const rotate = async (body: object) =>
      assertOk(await call(api, 'POST', `/v1/webhook_endpoints/${endpoint.id}/rotate_secret`, { key: theatre.secretKey, body }));
    const worker = workerAt(realClock);
    try {
      const rotated = await rotate({});
      assert.ok(new Date(rotated.previous_secret_expires_at).getTime() > Date.now() + 23 * 3600 * 1000, 'a day by default');
      await book(desk, offer);
      await worker.deliverDue();
      const [during] = receiver.received;
      assert.equal(String(during!.headers[signatureHeaderName.toLowerCase()]).split(',v1=').length, 3, 'two v1 values');
      assert.ok(signedWith(during!, endpoint.secret), 'a receiver still on the old secret accepts it');
      assert.ok(signedWith(during!, rotated.secret), 'and one already on the new secret');

      const abrupt = await rotate({ previous_secret_expires_in: 0 });
      assert.equal(abrupt.previous_secret_expires_at, null);
      await book(desk, offer);
      await worker.deliverDue();
      const [, afterwards] = receiver.received;
      assert.equal(String(afterwards!.headers[signatureHeaderName.toLowerCase()]).split(',v1=').length, 2, 'one v1 value');
      assert.ok(signedWith(afterwards!, abrupt.secret));
      assert.equal(signedWith(afterwards!, rotated.secret), false);
    } finally {
      worker.close();
      await receiver.close();
    }
  });

  it('sends nothing to a private address from a server that does not allow it, test mode or not', async () => {
    const receiver = await Receiver.start();
    const { desk, offer, endpoint } = await aTheatreListeningAt(receiver.url, 'Teatro Dal Verme');
    await book(desk, offer);
    const worker = workerAt({ now: new Date() }, { privateAddresses: false });
    try {
      assert.deepEqual(await worker.deliverDue(), { delivered: 0, retrying: 1, failed: 0 });
    } finally {
      worker.close();
      await receiver.close();
    }
    assert.equal(receiver.received.length, 0);
    const [attempt] = await api.database.sql<{ error: string }[]>`
      select a.error from webhook_attempts a join webhook_deliveries d on d.id = a.delivery_id where d.endpoint_id = ${endpoint.id}`;
    assert.equal(attempt!.error, '127.0.0.1 is not an address webhooks are sent to');
  });

  it('queues nothing when nobody listens, and a theatre hears nothing of another theatre', async () => {
    const receiver = await Receiver.start();
    const listening = await aTheatreListeningAt(receiver.url, 'Teatro Carcano');
    const quiet = await seedProvider(api, circuit, { name: 'Teatro Litta' });
    const quietDesk = await createKey(api, quiet.id, 'desk', circuit.operator.secretKey);
    const quietOffer = await seedOffer(api, circuit, quiet.id);
    const booking = await book(quietDesk, quietOffer);
    const [queued] = await api.database.sql<{ count: number }[]>`
      select count(*)::int as count from webhook_deliveries where data ->> 'id' = ${booking.id}`;
    assert.equal(queued!.count, 0);
    const worker = workerAt({ now: new Date() });
    await worker.deliverDue().finally(() => worker.close());
    await receiver.close();
    assert.equal(receiver.received.filter((delivery) => delivery.event.data.provider_id !== listening.theatre.id).length, 0);
  });

  it('delivers each event once when two servers send at once', { skip: needsRealPostgres }, async () => {
    const receiver = await Receiver.start();
    const { desk, offer } = await aTheatreListeningAt(receiver.url, 'Teatro alla Scala');
    const bookings = await Promise.all(Array.from({ length: 30 }, () => book(desk, offer)));
    const clock = { now: new Date() };
    const servers = [1, 2].map(() => new WebhookWorker({ sql: api.database.sql, batchSize: 4, privateAddresses: true, now: () => clock.now }));
    const rounds = await Promise.all(servers.map((server) => server.deliverDue()));
    servers.forEach((server) => server.close());
    await receiver.close();
    assert.equal(rounds[0]!.delivered + rounds[1]!.delivered, 30);
    assert.ok(rounds[0]!.delivered > 0 && rounds[1]!.delivered > 0, 'both servers took a share');
    assert.deepEqual(
      receiver.events().map((event) => event.data.id).sort(),
      bookings.map((booking) => booking.id).sort(),
    );
  });
});
