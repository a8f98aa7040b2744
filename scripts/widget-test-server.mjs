// The real Mentoring server for the browser tests: `node --import tsx server/src/main.ts` on a
// scratch database (scripts/mentoring-server.mjs), seeded through the HTTP API with the admin key.
// Tests ask it for fresh offers, vouchers and campaigns with executeServerCommand('mentoring', {...}).
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startServer } from './mentoring-server.mjs';

const categories = [
  { slug: 'theatre', name: { it: 'Teatro', en: 'Theatre', sq: 'Teatër' } },
  { slug: 'music', name: { it: 'Musica', en: 'Music', sq: 'Muzikë' } },
];
const day = 24 * 3600 * 1000;

/** A web-test-runner plugin: starts the server with the test runner, stops it after, answers the `mentoring` command. */
export function mentoringServer() {
  const adminKey = `sk_test_${randomBytes(24).toString('hex').slice(0, 40)}`;
  let server;
  let world;
  return {
    name: 'mentoring-server',
    async serverStart({ config }) {
      // No demo circuits: the tests seed what they need. Every test talks from one address, so the
      // per-IP limit a school's pupils share is raised; the per-voucher limit stays as in production.
      server = await startServer(adminKey, {
        name: 'mentoring-widgets',
        env: {
          MENTORING_DEMO: 'false',
          MENTORING_RATE_LIMIT_PER_IP: '1000',
          // Bank transfers, for the gifts that wait for one.
          MENTORING_BANK_TRANSFER_WEBHOOK_SECRET: randomBytes(24).toString('hex'),
          MENTORING_BANK_TRANSFER_IBAN: 'IT60X0542811101000000123456',
          MENTORING_BANK_TRANSFER_ACCOUNT_HOLDER: 'Circuito Cultura Vigevano APS',
        },
      });
      world = await seedWorld(new Api(server.origin, adminKey), `http://${config.hostname ?? 'localhost'}:${config.port}`);
    },
    async serverStop() {
      await server?.stop();
    },
    async executeCommand({ command, payload }) {
      if (command !== 'mentoring') return undefined;
      const seed = seeds[payload.action];
      if (seed === undefined) throw new Error(`No seed "${payload.action}"; there are ${Object.keys(seeds).join(', ')}.`);
      return seed(new Api(server.origin, adminKey), world, payload);
    },
  };
}

class Api {
  constructor(origin, adminKey) {
    this.origin = origin;
    this.adminKey = adminKey;
  }

  /** Calls the API as a server would (no Origin); returns the answer, or throws unless `allow` lists its status. */
  async call(method, path, { key = this.adminKey, body, allow = [] } = {}) {
    const response = await fetch(`${this.origin}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await response.json();
    if (!response.ok && !allow.includes(response.status)) {
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(json)}`);
    }
    return json;
  }

  /** PUT of raw bytes (a story's photo). */
  async upload(path, key, bytes, contentType) {
    const response = await fetch(`${this.origin}${path}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': contentType },
      body: bytes,
    });
    if (!response.ok) throw new Error(`PUT ${path} answered ${response.status}: ${await response.text()}`);
    return response.json();
  }

  async organization(kind, name, { by = this.adminKey, allowedOrigins = [] } = {}) {
    const organization = await this.call('POST', '/v1/organizations', { key: by, body: { kind, name, allowed_origins: allowedOrigins } });
    const secret = await this.key(organization.id, 'secret', by);
    return { id: organization.id, secretKey: secret.key, by };
  }

  /** A new key of `kind` for the organization, made with `by`: `{ id, key, … }` as the API shows it once. */
  key(organizationId, kind, by) {
    return this.call('POST', `/v1/organizations/${organizationId}/keys`, { key: by, body: { kind } });
  }
}

/** A circuit named `name` and its operator (Circuito `name`): what a test puts in it is the test's alone. */
async function newCircuit(api, name) {
  const operator = await api.organization('operator', `Circuito ${name}`);
  const circuit = await api.call('POST', '/v1/circuits', { key: operator.secretKey, body: { name, categories } });
  return { operator, circuit };
}

/** The circuit every test shares: Vigevano, a theatre that allows the test page's origin, a funded pool, a school. */
async function seedWorld(api, pageOrigin) {
  const { operator, circuit } = await newCircuit(api, 'Vigevano');
  const provider = await api.organization('provider', 'Teatro Cagnoni', { by: operator.secretKey, allowedOrigins: [pageOrigin] });
  await api.call('POST', `/v1/circuits/${circuit.id}/providers`, { key: operator.secretKey, body: { provider_id: provider.id } });
  const publishable = await api.key(provider.id, 'publishable', operator.secretKey);
  const mentor = await api.organization('mentor', 'Panificio Ducale', { by: operator.secretKey });
  await api.call('POST', '/v1/sponsorships', {
    key: mentor.secretKey,
    body: { pool_id: circuit.general_pool_id, amount: 50_000_000, display_name: 'Panificio Ducale' },
  });
  const referrer = await api.organization('referrer', 'Liceo Cairoli', { by: operator.secretKey });
  await api.call('POST', '/v1/allocations', {
    key: operator.secretKey,
    body: { referrer_id: referrer.id, pool_id: circuit.general_pool_id, amount: 40_000_000 },
  });
  return { api: api.origin, pageOrigin, operator, circuit, provider, publishableKey: publishable.key, mentor, referrer };
}

async function newOffer(
  api,
  world,
  { seatPrice = 1500, seats = 10, category = 'theatre', startsInDays = 30, providerId = world.provider.id, cancellationWindowSeconds } = {},
) {
  return api.call('POST', '/v1/offers', {
    key: world.operator.secretKey,
    body: {
      circuit_id: world.circuit.id,
      provider_id: providerId,
      category,
      title: { it: 'La locandiera', en: 'The Mistress of the Inn', sq: 'Hanxhesha' },
      venue: 'Teatro Cagnoni, Vigevano',
      starts_at: new Date(Date.now() + startsInDays * day).toISOString(),
      seat_price: seatPrice,
      seats_total: seats,
      ...(cancellationWindowSeconds === undefined ? {} : { cancellation_window_seconds: cancellationWindowSeconds }),
    },
  });
}

async function newVoucher(api, world, { amount = 5000, expiresInMs = 180 * day, categories: only } = {}) {
  const beneficiary = await api.call('POST', '/v1/beneficiaries', {
    key: world.referrer.secretKey,
    body: { reference: `3B-${randomBytes(4).toString('hex')}`, age_band: '14-17', language: 'it' },
  });
  const voucher = await api.call('POST', '/v1/vouchers', {
    key: world.referrer.secretKey,
    body: {
      beneficiary_id: beneficiary.id,
      pool_id: world.circuit.general_pool_id,
      amount,
      expires_at: new Date(Date.now() + expiresInMs).toISOString(),
      ...(only === undefined ? {} : { restrictions: { categories: only } }),
    },
  });
  return { code: voucher.code, pin: voucher.pin, expiresAt: voucher.expires_at };
}

/** What a test can ask for; each returns plain JSON for the browser. */
const seeds = {
  world: (api, world) => ({
    apiOrigin: world.api,
    publishableKey: world.publishableKey,
    circuitId: world.circuit.id,
    providerId: world.provider.id,
    mentorId: world.mentor.id,
  }),

  /** An offer of the theatre (10 seats at €15 in 30 days unless told) and, unless `voucher: false`, a voucher (€50). */
  async redemption(api, world, { offer = {}, voucher = {} } = {}) {
    const created = await newOffer(api, world, offer);
    return { offerId: created.id, seatPrice: created.seat_price, voucher: voucher === false ? undefined : await newVoucher(api, world, voucher) };
  },

  voucher: (api, world, options) => newVoucher(api, world, options),

  /** A publishable key of the theatre, revoked: a page that still carries it. */
  async revokedKey(api, world) {
    const created = await api.key(world.provider.id, 'publishable', world.operator.secretKey);
    await api.call('POST', `/v1/keys/${created.id}/revoke`, { key: world.operator.secretKey });
    return created.key;
  },

  /** A publishable key of a museum whose allowed origins are its own site only: a page elsewhere that carries it. */
  async foreignSiteKey(api, world) {
    const museum = await api.organization('provider', 'Museo della Calzatura', { by: world.operator.secretKey, allowedOrigins: ['https://museocalzatura.it'] });
    return (await api.key(museum.id, 'publishable', world.operator.secretKey)).key;
  },

  /** A publishable key of another provider, allowed on the test page: a page set up with someone else's offer. */
  async otherProviderKey(api, world) {
    const school = await api.organization('provider', 'Civica Scuola di Musica', { by: world.operator.secretKey, allowedOrigins: [world.pageOrigin] });
    return (await api.key(school.id, 'publishable', world.operator.secretKey)).key;
  },

  /** A voucher that expires in a moment: answered once it has. */
  async expiredVoucher(api, world, options) {
    const voucher = await newVoucher(api, world, { ...options, expiresInMs: 1500 });
    await new Promise((resolve) => setTimeout(resolve, Date.parse(voucher.expiresAt) - Date.now() + 100));
    return voucher;
  },

  /** A voucher locked by five wrong PINs, typed at a box office. */
  async lockedVoucher(api, world, options) {
    const voucher = await newVoucher(api, world, options);
    const wrong = voucher.pin === '000000' ? '111111' : '000000';
    for (let attempt = 0; attempt < 5; attempt++) {
      await api.call('POST', '/v1/vouchers/check', { body: { code: voucher.code, pin: wrong }, allow: [422, 423] });
    }
    return voucher;
  },

  /** A voucher checked as often as a minute allows (20 times): the next check is refused with 429. */
  async busyVoucher(api, world, options) {
    const voucher = await newVoucher(api, world, options);
    for (let attempt = 0; attempt < 20; attempt++) {
      await api.call('POST', '/v1/vouchers/check', { body: { code: voucher.code, pin: voucher.pin } });
    }
    return voucher;
  },

  /** Someone else books `seats` of the offer at the box office (the admin key), with their own voucher. */
  async takeSeats(api, world, { offerId, seats }) {
    const other = await newVoucher(api, world, { amount: 100_000 });
    return api.call('POST', '/v1/redemptions', { body: { code: other.code, pin: other.pin, offer_id: offerId, seats, capture: true } });
  },

  /** The same voucher spent elsewhere meanwhile (its card used at the box office). */
  spend: (api, world, { code, pin, offerId, seats }) =>
    api.call('POST', '/v1/redemptions', { body: { code, pin, offer_id: offerId, seats, capture: true } }),

  /** A campaign for seats of a new offer (20 seats at €15 by default, open 20 days), with `funded` seats already sponsored. */
  async campaign(api, world, { targetSeats = 20, seatPrice = 1500, funded = 0, sponsorName = 'Panificio Ducale', deadlineInMs = 20 * day } = {}) {
    const offer = await newOffer(api, world, { seatPrice, seats: targetSeats });
    const campaign = await api.call('POST', '/v1/campaigns', {
      key: world.operator.secretKey,
      body: { circuit_id: world.circuit.id, offer_id: offer.id, target_seats: targetSeats, deadline: new Date(Date.now() + deadlineInMs).toISOString() },
    });
    if (funded > 0) {
      await api.call('POST', '/v1/sponsorships', {
        key: world.mentor.secretKey,
        body: { campaign_id: campaign.id, seats: funded, display_name: sponsorName, message: 'Forza ragazzi!' },
      });
    }
    // A deadline a moment away: answered once the campaign has closed.
    if (deadlineInMs < 5000) await new Promise((resolve) => setTimeout(resolve, Date.parse(campaign.deadline) - Date.now() + 100));
    return { campaignId: campaign.id, offerId: offer.id };
  },

  /**
   * A circuit of its own (so its board is the test's alone) whose school and association post `needs`
   * (each `{ title, seats, seatPrice, funded }`: `funded` seats already adopted by a mentor).
   */
  async needsBoard(api, world, { needs = [] } = {}) {
    const { operator, circuit } = await newCircuit(api, 'Lomellina');
    const school = await api.organization('referrer', 'Liceo Cairoli', { by: operator.secretKey });
    const ids = [];
    for (const { title, description, seats = 22, seatPrice = 1500, funded = 0, fundedAmount = 0, category = 'music' } of needs) {
      const need = await api.call('POST', '/v1/needs', {
        key: school.secretKey,
        body: { circuit_id: circuit.id, category, title, ...(description === undefined ? {} : { description }), seats, amount: seats * seatPrice, deadline: new Date(Date.now() + 20 * day).toISOString() },
      });
      if (funded > 0) await api.call('POST', '/v1/sponsorships', { key: world.mentor.secretKey, body: { need_id: need.id, seats: funded, display_name: 'Panificio Ducale' } });
      if (fundedAmount > 0) await api.call('POST', '/v1/sponsorships', { key: world.mentor.secretKey, body: { need_id: need.id, amount: fundedAmount, anonymous: true } });
      ids.push(need.id);
    }
    return { circuitId: circuit.id, needIds: ids };
  },

  /** Another mentor adopts `seats` seats of the need meanwhile. */
  adoptNeed: (api, world, { needId, seats }) =>
    api.call('POST', '/v1/sponsorships', { key: world.mentor.secretKey, body: { need_id: needId, seats, anonymous: true } }),

  /**
   * A box office of its own, so that its day and its statements are the test's alone: a theatre of
   * the circuit that allows the test page, its desk key, and `offers` (each as newOffer takes it).
   */
  async providerDesk(api, world, { name = 'Teatro Cagnoni', offers = [{}] } = {}) {
    const provider = await api.organization('provider', name, { by: world.operator.secretKey, allowedOrigins: [world.pageOrigin] });
    await api.call('POST', `/v1/circuits/${world.circuit.id}/providers`, { key: world.operator.secretKey, body: { provider_id: provider.id } });
    const desk = await api.key(provider.id, 'desk', world.operator.secretKey);
    const offerIds = [];
    for (const offer of offers) offerIds.push((await newOffer(api, world, { ...offer, providerId: provider.id })).id);
    return { providerId: provider.id, deskKey: desk.key, offerIds };
  },

  /** A booking made at a box office with its desk key (server to server): a new voucher, `seats` seats, captured unless told. */
  async deskBooking(api, world, { deskKey, offerId, seats = 1, capture = true }) {
    const voucher = await newVoucher(api, world, { amount: 10_000 });
    return api.call('POST', '/v1/redemptions', { key: deskKey, body: { code: voucher.code, pin: voucher.pin, offer_id: offerId, seats, capture } });
  },

  /** Gives `seats` of a captured booking back, as a provider's own system would through the API. */
  reverseBooking: (api, world, { deskKey, redemptionId, seats }) =>
    api.call('POST', `/v1/redemptions/${redemptionId}/reverse`, { key: deskKey, body: { seats } }),

  /** The circuit's operator pays the provider what it captured: a settlement and its statement. */
  settle: (api, world, { providerId }) => api.call('POST', '/v1/settlements', { key: world.operator.secretKey, body: { provider_id: providerId } }),

  /** A school office of its own: a referrer that allows the test page, `allocation` cents from the general pool, its desk key. */
  async referrerDesk(api, world, { name = 'Scuola media Bramante', allocation = 100_000 } = {}) {
    const referrer = await api.organization('referrer', name, { by: world.operator.secretKey, allowedOrigins: [world.pageOrigin] });
    await api.call('POST', '/v1/allocations', {
      key: world.operator.secretKey,
      body: { referrer_id: referrer.id, pool_id: world.circuit.general_pool_id, amount: allocation },
    });
    const desk = await api.key(referrer.id, 'desk', referrer.secretKey);
    return { referrerId: referrer.id, deskKey: desk.key, poolId: world.circuit.general_pool_id };
  },

  /**
   * A beneficiary of a school office and a voucher issued with its desk key; `spent` cents of it
   * taken at the shared theatre, or the voucher `locked` by five wrong PINs.
   */
  async officeVoucher(api, world, { deskKey, reference, language = 'it', amount = 5000, spent = 0, locked = false }) {
    const beneficiary = await api.call('POST', '/v1/beneficiaries', { key: deskKey, body: { reference, age_band: '14-17', language } });
    const voucher = await api.call('POST', '/v1/vouchers', {
      key: deskKey,
      body: { beneficiary_id: beneficiary.id, pool_id: world.circuit.general_pool_id, amount },
    });
    if (spent > 0) {
      const offer = await newOffer(api, world, { seatPrice: spent });
      await api.call('POST', '/v1/redemptions', { body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: true } });
    }
    if (locked) {
      const wrong = voucher.pin === '000000' ? '111111' : '000000';
      for (let attempt = 0; attempt < 5; attempt++) {
        await api.call('POST', '/v1/vouchers/check', { body: { code: voucher.code, pin: wrong }, allow: [422, 423] });
      }
    }
    return { beneficiaryId: beneficiary.id, voucherId: voucher.id, code: voucher.code, pin: voucher.pin };
  },

  /**
   * A thank-you note, pending, from a new beneficiary of the school office of `deskKey`: its
   * voucher pays one seat at the shared theatre, then the note is left with the theatre's key.
   */
  async officeNote(api, world, { deskKey, reference, text, language = 'it' }) {
    const beneficiary = await api.call('POST', '/v1/beneficiaries', { key: deskKey, body: { reference, age_band: '14-17', language } });
    const voucher = await api.call('POST', '/v1/vouchers', { key: deskKey, body: { beneficiary_id: beneficiary.id, pool_id: world.circuit.general_pool_id, amount: 1500 } });
    const offer = await newOffer(api, world, { seatPrice: 1500 });
    const booking = await api.call('POST', '/v1/redemptions', { body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: true } });
    const note = await api.call('POST', '/v1/thanks', {
      key: world.publishableKey,
      body: { booking_reference: booking.booking_reference, code: voucher.code, pin: voucher.pin, text },
    });
    return { noteId: note.id };
  },

  /**
   * A mentor's impact page: a mentor that allows the test page and its desk key; its sponsorships
   * of `seats` theatre seats and of a €20 gift to a new music campaign; a school books `booked`
   * theatre seats from its campaign (two young people, one Albanian) and thanks for one, approved;
 * with `adopt`, the mentor also adopts a seat of the school's need on the needs board.
   */
  async mentorImpact(api, world, { name = 'Pasticceria Colombo', seats = 4, booked = 2, note = 'Grazie di cuore, era la prima volta a teatro!', adopt = false } = {}) {
    const mentor = await api.organization('mentor', name, { by: world.operator.secretKey, allowedOrigins: [world.pageOrigin] });
    const desk = await api.key(mentor.id, 'desk', mentor.secretKey);
    const theatre = await seeds.campaign(api, world, { targetSeats: 20 });
    await api.call('POST', '/v1/sponsorships', { key: mentor.secretKey, body: { campaign_id: theatre.campaignId, seats } });
    const music = await newOffer(api, world, { category: 'music', seatPrice: 1000 });
    const concert = await api.call('POST', '/v1/campaigns', {
      key: world.operator.secretKey,
      body: { circuit_id: world.circuit.id, offer_id: music.id, target_seats: 10, deadline: new Date(Date.now() + 20 * day).toISOString() },
    });
    await api.call('POST', '/v1/sponsorships', { key: mentor.secretKey, body: { campaign_id: concert.id, amount: 2000 } });
    const campaign = await api.call('GET', `/v1/campaigns/${theatre.campaignId}`);
    const school = await api.organization('referrer', 'Liceo Cairoli', { by: world.operator.secretKey });
    if (booked > 0) {
      await api.call('POST', '/v1/allocations', {
        key: world.operator.secretKey,
        body: { referrer_id: school.id, pool_id: campaign.pool_id, amount: 1500 * booked },
      });
    }
    for (let seat = 0; seat < booked; seat++) {
      const language = seat === 1 ? 'sq' : 'it';
      const beneficiary = await api.call('POST', '/v1/beneficiaries', { key: school.secretKey, body: { reference: `5C-${seat}-${randomBytes(2).toString('hex')}`, age_band: '14-17', language } });
      const voucher = await api.call('POST', '/v1/vouchers', { key: school.secretKey, body: { beneficiary_id: beneficiary.id, pool_id: campaign.pool_id, amount: 1500 } });
      const booking = await api.call('POST', '/v1/redemptions', {
        body: { code: voucher.code, pin: voucher.pin, offer_id: theatre.offerId, seats: 1, capture: true },
      });
      if (seat === 0 && note !== '') {
        const thanks = await api.call('POST', '/v1/thanks', {
          key: world.publishableKey,
          body: { booking_reference: booking.booking_reference, code: voucher.code, pin: voucher.pin, text: note },
        });
        await api.call('POST', `/v1/thanks/${thanks.id}/approve`, { key: school.secretKey });
      }
    }
    if (adopt) {
      // The school's need on the needs board: 4 seats of music, €40; the mentor adopts one seat.
      const need = await api.call('POST', '/v1/needs', {
        key: school.secretKey,
        body: {
          circuit_id: world.circuit.id,
          category: 'music',
          title: { it: 'Classe 5C al concerto', sq: 'Klasa 5C në koncert' },
          seats: 4,
          amount: 4000,
          deadline: new Date(Date.now() + 10 * day).toISOString(),
        },
      });
      await api.call('POST', '/v1/sponsorships', { key: mentor.secretKey, body: { need_id: need.id, seats: 1 } });
    }
    return { mentorId: mentor.id, deskKey: desk.key };
  },

  /** A mentor of its own that has sponsored `seats` seats of a new campaign this season. */
  async mentorBadge(api, world, { seats = 15, name = 'Ferramenta Bianchi' } = {}) {
    const mentor = await api.organization('mentor', name, { by: world.operator.secretKey });
    const { campaignId } = await seeds.campaign(api, world, { targetSeats: Math.max(seats, 1) });
    if (seats > 0) await api.call('POST', '/v1/sponsorships', { key: mentor.secretKey, body: { campaign_id: campaignId, seats } });
    return { mentorId: mentor.id };
  },

  /**
   * A circuit of its own (Pavia) with two paths, a music one (any concert, then the opera, with a €20
   * bonus) and an ordered one, and a voucher whose holder took a concert: its code, PIN and booking.
   */
  async paths(api, world) {
    const { operator, circuit } = await newCircuit(api, 'Pavia');
    const provider = await api.organization('provider', 'Teatro Fraschini', { by: operator.secretKey, allowedOrigins: [world.pageOrigin] });
    await api.call('POST', `/v1/circuits/${circuit.id}/providers`, { key: operator.secretKey, body: { provider_id: provider.id } });
    const key = (kind) => api.key(provider.id, kind, operator.secretKey);
    const [publishable, desk] = [await key('publishable'), await key('desk')];
    await api.call('POST', '/v1/sponsorships', {
      key: world.mentor.secretKey,
      body: { pool_id: circuit.general_pool_id, amount: 1_000_000, display_name: 'Panificio Ducale' },
    });
    const offer = (category, title) =>
      api.call('POST', '/v1/offers', {
        key: operator.secretKey,
        body: {
          circuit_id: circuit.id,
          provider_id: provider.id,
          category,
          title,
          starts_at: new Date(Date.now() + 30 * day).toISOString(),
          seat_price: 1000,
          seats_total: 50,
        },
      });
    const concert = await offer('music', { it: 'Concerto di Natale', en: 'Christmas concert', sq: 'Koncerti i Krishtlindjeve' });
    const opera = await offer('theatre', { it: 'Tosca', en: 'Tosca', sq: 'Tosca' });
    await api.call('POST', `/v1/circuits/${circuit.id}`, {
      key: operator.secretKey,
      body: {
        paths: [
          {
            name: { it: 'Percorso musica', en: 'Music path', sq: 'Rruga e muzikës' },
            steps: [{ category: 'music' }, { offer_id: opera.id }],
            bonus: { amount: 2000, pool_id: circuit.general_pool_id },
          },
          {
            name: { it: 'Prima il teatro', en: 'Theatre first', sq: 'Së pari teatri' },
            ordered: true,
            steps: [{ category: 'theatre' }, { category: 'music' }],
          },
        ],
      },
    });
    const referrer = await api.organization('referrer', 'Istituto Volta', { by: operator.secretKey, allowedOrigins: [world.pageOrigin] });
    await api.call('POST', '/v1/allocations', {
      key: operator.secretKey,
      body: { referrer_id: referrer.id, pool_id: circuit.general_pool_id, amount: 100_000 },
    });
    /** A pupil of the school with a €50 voucher, who went to `offers` (booked at the theatre's desk); the voucher and bookings. */
    const pupil = async (language, offers) => {
      const beneficiary = await api.call('POST', '/v1/beneficiaries', {
        key: referrer.secretKey,
        body: { reference: `4A-${randomBytes(4).toString('hex')}`, age_band: '14-17', language },
      });
      const voucher = await api.call('POST', '/v1/vouchers', {
        key: referrer.secretKey,
        body: { beneficiary_id: beneficiary.id, pool_id: circuit.general_pool_id, amount: 5000 },
      });
      const bookings = [];
      for (const taken of offers) {
        bookings.push(
          await api.call('POST', '/v1/redemptions', {
            key: desk.key,
            body: { code: voucher.code, pin: voucher.pin, offer_id: taken.id, seats: 1, capture: true },
          }),
        );
      }
      return { reference: beneficiary.reference, voucher, bookings };
    };
    const { voucher, bookings: [booking] } = await pupil('it', [concert]);
    // A second pupil went to the concert and to Tosca: the music path is completed, its bonus issued, its card not yet made.
    const finisher = await pupil('sq', [concert, opera]);
    const officeDesk = await api.key(referrer.id, 'desk', referrer.secretKey);
    return {
      circuitId: circuit.id,
      publishableKey: publishable.key,
      voucher: { code: voucher.code, pin: voucher.pin },
      bookingReference: booking.booking_reference,
      office: { referrerId: referrer.id, deskKey: officeDesk.key, poolId: circuit.general_pool_id, finisher: finisher.reference },
    };
  },

  /**
   * A circuit of its own (its directory is the test's alone): a theatre, a school, the Albanian
   * association and a mentor with public profiles, a museum whose profile is private, and `more`
   * public venues beside them.
   */
  async directory(api, world, { more = 0 } = {}) {
    const { operator, circuit } = await newCircuit(api, 'Vigevano');
    const profile = (organization, body) => api.call('PUT', `/v1/organizations/${organization.id}/profile`, { key: operator.secretKey, body });
    const provider = async (name) => {
      const venue = await api.organization('provider', name, { by: operator.secretKey });
      await api.call('POST', `/v1/circuits/${circuit.id}/providers`, { key: operator.secretKey, body: { provider_id: venue.id } });
      return venue;
    };
    const referrer = async (name) => {
      const office = await api.organization('referrer', name, { by: operator.secretKey });
      await api.call('POST', '/v1/allocations', { key: operator.secretKey, body: { referrer_id: office.id, pool_id: circuit.general_pool_id, amount: 10_000 } });
      return office;
    };
    await profile(await provider('Teatro Cagnoni'), {
      public: true,
      description: { it: 'Il teatro storico di Vigevano.', en: "Vigevano's historic theatre.", sq: 'Teatri historik i Vigevanos.' },
      categories: ['theatre', 'music'],
      languages: ['it', 'en'],
      location: { city: 'Vigevano', address: 'Corso Vittorio Emanuele II 45' },
      website: 'https://www.teatrocagnoni.it',
      contact_email: 'biglietteria@teatrocagnoni.it',
    });
    await profile(await provider('Museo della Calzatura'), { categories: ['theatre'] });
    await profile(await referrer('Istituto Comprensivo Vigevano'), { public: true, languages: ['it'], location: { city: 'Vigevano' } });
    await profile(await referrer('Shoqata Besa'), {
      public: true,
      description: { it: 'Associazione della diaspora albanese.', sq: 'Shoqata e diasporës shqiptare.' },
      languages: ['sq', 'it'],
      location: { city: 'Vigevano' },
    });
    const mentor = await api.organization('mentor', 'Pasticceria Colombo', { by: operator.secretKey });
    await api.call('POST', '/v1/sponsorships', { key: mentor.secretKey, body: { pool_id: circuit.general_pool_id, amount: 3000, display_name: 'Pasticceria Colombo' } });
    await profile(mentor, { public: true, categories: ['theatre'], languages: ['it'], contact_email: 'ciao@pasticceriacolombo.it' });
    for (let venue = 1; venue <= more; venue++) await profile(await provider(`Sala ${venue}`), { public: true, categories: ['music'] });
    return { circuitId: circuit.id };
  },

  /**
   * A circuit of its own with `approved` stories published (the first by the theatre, with a
   * photo; the others by the school) and one story still waiting for the operator.
   */
  async stories(api, world, { approved = 2 } = {}) {
    const { operator, circuit } = await newCircuit(api, 'Pavia');
    const theatre = await api.organization('provider', 'Teatro Fraschini', { by: operator.secretKey });
    await api.call('POST', `/v1/circuits/${circuit.id}/providers`, { key: operator.secretKey, body: { provider_id: theatre.id } });
    const school = await api.organization('referrer', 'Liceo Foscolo', { by: operator.secretKey });
    await api.call('POST', '/v1/allocations', { key: operator.secretKey, body: { referrer_id: school.id, pool_id: circuit.general_pool_id, amount: 10_000 } });
    const write = (author, title) =>
      api.call('POST', '/v1/stories', {
        key: author.secretKey,
        body: {
          circuit_id: circuit.id,
          title,
          body: {
            it: 'Trenta ragazzi hanno visto la loro prima opera.\nDieci sono tornati con le famiglie.',
            en: 'Thirty pupils saw their first opera.\nTen came back with their families.',
            sq: 'Tridhjetë nxënës panë operën e tyre të parë.\nDhjetë u kthyen me familjet.',
          },
          photo_alt: { it: 'Il palco con il sipario rosso aperto', en: 'The stage with its red curtain open', sq: 'Skena me perden e kuqe të hapur' },
        },
      });
    for (let number = 1; number <= approved; number++) {
      const title = number === 1 ? { it: 'La prima volta all’opera', en: 'A first night at the opera', sq: 'Nata e parë në opera' } : { it: `Storia ${number}` };
      const story = await write(number === 1 ? theatre : school, title);
      if (number === 1) {
        const photo = readFileSync(new URL('../server/src/demo/photos/teatro-cagnoni.webp', import.meta.url));
        await api.upload(`/v1/stories/${story.id}/photo`, theatre.secretKey, photo, 'image/webp');
      }
      await api.call('POST', `/v1/stories/${story.id}/approve`, { key: operator.secretKey });
    }
    await write(school, { it: 'In attesa di approvazione' });
    return { circuitId: circuit.id };
  },
};
