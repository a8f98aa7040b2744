import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, call, createTestApi, type TestApi } from '../../test/api.js';
import { demoFile, ensureDemo } from './demo-file.js';
import type { DemoData } from './seed.js';

const baseUrl = 'http://localhost:8787';
let api: TestApi;
let dataDir: string;
let demo: DemoData;

before(async () => {
  api = await createTestApi();
  dataDir = mkdtempSync(join(tmpdir(), 'mentoring-demo-'));
  const state = await ensureDemo(api.database.sql, (path, init) => api.app.request(path, init), { dataDir, adminKey, baseUrl });
  assert.ok(state.status === 'seeded', `expected a new demo, got ${state.status}`);
  demo = state.demo;
});
after(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  await api.close();
});

async function organizations(): Promise<number> {
  const [row] = await api.database.sql<{ count: number }[]>`select count(*)::int as count from organizations`;
  return row!.count;
}

describe('the demo of npm start', () => {
  it('is a working circuit: a pupil of the Liceo Cairoli books La locandiera on the theatre page with a printed card', async () => {
    const card = demo.vouchers.find((voucher) => voucher.beneficiary === '3B-01')!;
    const booked = assertOk(
      await call(api, 'POST', '/v1/redemptions', {
        key: demo.providers.teatroCagnoni.publishableKey,
        body: { code: card.code, pin: card.pin, offer_id: demo.offers.locandiera.id, seats: 1, capture: true },
        headers: { Origin: baseUrl },
      }),
      201,
    );
    assert.equal(booked.voucher_available, card.amount - 1500);
  });

  it('has campaigns partly funded by the bakery and an anonymous hardware shop, and music paths in order', async () => {
    const campaign = assertOk(await call(api, 'GET', `/v1/public/campaigns/${demo.campaigns.locandiera.id}`));
    assert.equal(campaign.seats_funded, 7);
    assert.equal(campaign.target_seats, 20);
    const circuit = assertOk(await call(api, 'GET', `/v1/circuits/${demo.circuits.vigevano.id}`, { key: demo.operator.secretKey }));
    assert.deepEqual(
      circuit.paths.map((path: { name: { en: string }; ordered: boolean; steps: unknown[] }) => [path.name.en, path.ordered, path.steps.length]),
      [
        ['Music path', true, 3],
        ['Discovering Vigevano', false, 2],
      ],
    );
    assert.deepEqual(circuit.paths[1].bonus, { amount: 1500, pool_id: demo.circuits.vigevano.generalPoolId, valid_days: 365 });
  });

  it("shows a pupil's museum visit as a stamp on Discovering Vigevano, from the card alone", async () => {
    const card = demo.vouchers.find((voucher) => voucher.beneficiary === '3B-02')!;
    const progress = assertOk(
      await call(api, 'POST', '/v1/public/path-progress', {
        key: demo.providers.museoCalzatura.publishableKey,
        body: { code: card.code, pin: card.pin },
        headers: { Origin: baseUrl },
      }),
    );
    const discovering = progress.paths.find((path: { name: { en: string } }) => path.name.en === 'Discovering Vigevano');
    assert.deepEqual(discovering.steps.map((step: { stamped: boolean }) => step.stamped), [false, true]);
    assert.deepEqual(discovering.bonus, { status: 'to_earn', amount: 1500, currency: 'EUR' });
  });

  it('speaks the three languages: Albanian pupils of the diaspora association, offers titled in it, en and sq', async () => {
    assert.deepEqual([...new Set(demo.vouchers.map((voucher) => voucher.language))].sort(), ['en', 'it', 'sq']);
    const concert = assertOk(await call(api, 'GET', `/v1/offers/${demo.offers.kenge.id}`, { key: demo.operator.secretKey }));
    assert.equal(concert.title.sq, 'Këngë nga Shqipëria');
    assert.ok(new Date(concert.starts_at).getTime() > Date.now(), 'the demo events are ahead');
  });

  it("has Vigevano's needs board: the Liceo's opera class partly adopted, the diaspora association's needs open", async () => {
    const board = assertOk(await call(api, 'GET', `/v1/public/needs?circuit=${demo.circuits.vigevano.id}`));
    assert.deepEqual(
      board.data.map((need: Record<string, any>) => [need.referrer_name, need.funded_amount, need.seats_funded, need.status]),
      [
        ['Liceo Benedetto Cairoli', 25_000, 10, 'open'],
        ['Associazione Albanesi della Diaspora', 0, 0, 'open'],
        ['Associazione Albanesi della Diaspora', 0, 0, 'open'],
      ],
    );
    const adopted = assertOk(await call(api, 'GET', '/v1/mentors/me/adoptions', { key: demo.mentors.pasticceriaColombo.secretKey }));
    assert.deepEqual(adopted.data.map((adoption: Record<string, any>) => [adoption.need.id, adoption.given_amount]), [[demo.needs.operaClass.id, 20_000]]);
  });

  it("shows Vigevano's open directory and its stories: public profiles, two approved stories with photos and numbers, one waiting", async () => {
    const directory = assertOk(await call(api, 'GET', `/v1/public/directory?circuit=${demo.circuits.vigevano.id}`));
    assert.deepEqual(
      directory.data.map((entry: { display_name: string }) => entry.display_name).sort(),
      [
        // The diaspora association posts needs on Vigevano's board; Shqiponja adopted the 3B's opera class.
        'Associazione Albanesi della Diaspora',
        'Civica Scuola di Musica Luigi Costa',
        'Istituto Comprensivo Vigevano',
        'Liceo Benedetto Cairoli',
        'Museo della Calzatura',
        'Pasticceria Colombo',
        'Shqiponja Import-Export',
        'Teatro Cagnoni',
      ],
      'the hardware shop and the foundation chose no public profile',
    );
    const milano = assertOk(await call(api, 'GET', `/v1/public/directory?circuit=${demo.circuits.milano.id}&language=sq`));
    assert.deepEqual(milano.data.map((entry: { display_name: string }) => entry.display_name).sort(), [
      'Associazione Albanesi della Diaspora',
      'Centro culturale Slow Mill',
      'Shqiponja Import-Export',
    ]);

    const stories = assertOk(await call(api, 'GET', `/v1/public/stories?circuit=${demo.circuits.vigevano.id}`));
    assert.deepEqual(
      stories.data.map((story: { title: { en: string }; numbers: { seats_redeemed: number } }) => [story.title.en, story.numbers.seats_redeemed]),
      [
        ['From the audience to the stage', 3],
        // The two pupils of the directory's seed and the three Locandiera bookings the bakery paid for.
        ['A first night at the theatre', 5],
      ],
    );
    for (const story of stories.data) {
      const image = await api.app.request(story.photo.url);
      assert.equal(image.headers.get('content-type'), 'image/webp');
      assert.ok((await image.arrayBuffer()).byteLength < 30 * 1024);
    }
    const pending = assertOk(await call(api, 'GET', '/v1/stories?status=pending', { key: demo.operator.secretKey }));
    assert.deepEqual(pending.data.map((story: { title: { it: string } }) => story.title.it), ['Il teatro entra in classe']);
  });

  it('keeps the ledger clean', async () => {
    const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key: adminKey }));
    assert.deepEqual(report.problems, []);
  });

  it("opens the staff pages' desks: the box office's and the Liceo's desk keys work from the demo's origin, for their own desk only", async () => {
    for (const [key, kind] of [
      [demo.providers.teatroCagnoni.deskKey, 'provider'],
      [demo.referrers.liceoCairoli.deskKey, 'referrer'],
      [demo.referrers.albanesiDiaspora.deskKey, 'referrer'],
    ] as const) {
      assert.match(key, /^rk_test_/);
      const me = assertOk(await call(api, 'GET', '/v1/organizations/me', { key, headers: { Origin: baseUrl } }));
      assert.equal(me.kind, kind);
    }
    const office = demo.referrers.liceoCairoli.deskKey;
    const beneficiaries = assertOk(await call(api, 'GET', '/v1/beneficiaries', { key: office, headers: { Origin: baseUrl } }));
    assert.deepEqual(beneficiaries.data.map((beneficiary: { reference: string }) => beneficiary.reference).sort(), ['3B-01', '3B-02', '3B-03', '4A-01']);
    const card = demo.vouchers[0]!;
    const refused = await call(api, 'POST', '/v1/vouchers/check', { key: office, body: { code: card.code, pin: card.pin }, headers: { Origin: baseUrl } });
    assert.equal(refused.status, 403);
  });

  it("shows Pasticceria Colombo what its money did on its impact key: seats booked, two approved notes, one still with the association", async () => {
    const key = demo.mentors.pasticceriaColombo.impactKey!;
    assert.match(key, /^rk_test_/);
    const impact = assertOk(await call(api, 'GET', '/v1/mentors/me/impact', { key, headers: { Origin: baseUrl } }));
    assert.equal(impact.mentor.name, 'Pasticceria Colombo');
    // 4 seats of the Locandiera campaign and 8 of the 3B's opera class it adopted on the needs board.
    assert.equal(impact.totals.seats_funded, 12);
    // 3 seats booked from the Locandiera campaign, which it funded 4/7 of (Ferramenta Bianchi the rest).
    assert.equal(impact.totals.seats_used, 1.7);
    assert.deepEqual(impact.thank_you_notes.map((note: { language: string }) => note.language).sort(), ['it', 'sq']);
    const pending = assertOk(await call(api, 'GET', '/v1/thanks?status=pending', { key: demo.referrers.albanesiDiaspora.deskKey, headers: { Origin: baseUrl } }));
    assert.equal(pending.data.length, 1);
    const redeem = await call(api, 'POST', '/v1/redemptions', { key, body: { code: demo.vouchers[0]!.code, pin: demo.vouchers[0]!.pin, offer_id: demo.offers.locandiera.id, seats: 1 }, headers: { Origin: baseUrl } });
    assert.equal(redeem.status, 403, 'an impact key only reads');
  });

  it('gives a demo.json written before the school offices had desks their desk keys, once, and keeps the rest', async () => {
    const file = demoFile(dataDir);
    const current = JSON.parse(readFileSync(file, 'utf8')) as DemoData;
    const old = structuredClone(current) as unknown as {
      referrers: Record<string, { deskKey?: string }>;
      mentors: Record<string, { impactKey?: string }>;
    };
    for (const referrer of Object.values(old.referrers)) delete referrer.deskKey;
    delete old.mentors.pasticceriaColombo!.impactKey;
    writeFileSync(file, JSON.stringify(old));
    // Before the desks the offices were registered without the demo's origin: the upgrade must add it.
    for (const { id } of Object.values(current.referrers)) {
      assertOk(await call(api, 'POST', `/v1/organizations/${id}`, { key: demo.operator.secretKey, body: { allowed_origins: [] } }));
    }
    const upgraded = await ensureDemo(api.database.sql, (path, init) => api.app.request(path, init), { dataDir, adminKey, baseUrl });
    assert.equal(upgraded.status, 'found');
    assert.ok(upgraded.status === 'found');
    const { liceoCairoli } = upgraded.demo.referrers;
    assert.match(liceoCairoli.deskKey, /^rk_test_/);
    assert.notEqual(liceoCairoli.deskKey, current.referrers.liceoCairoli.deskKey);
    assert.match(upgraded.demo.mentors.pasticceriaColombo.impactKey!, /^rk_test_/);
    assert.deepEqual(upgraded.demo.vouchers, current.vouchers);
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), upgraded.demo);
    const me = assertOk(await call(api, 'GET', '/v1/organizations/me', { key: liceoCairoli.deskKey, headers: { Origin: baseUrl } }));
    assert.equal(me.name, 'Liceo Benedetto Cairoli');
    const organization = assertOk(await call(api, 'GET', `/v1/organizations/${liceoCairoli.id}`, { key: demo.operator.secretKey }));
    assert.deepEqual(organization.allowed_origins, [baseUrl]);
    const again = await ensureDemo(api.database.sql, (path, init) => api.app.request(path, init), { dataDir, adminKey, baseUrl });
    assert.ok(again.status === 'found');
    assert.equal(again.demo.referrers.liceoCairoli.deskKey, liceoCairoli.deskKey);
  });

  it('is made once: starting again reads demo.json; without it, data already there is left alone', async () => {
    const before = await organizations();
    const again = await ensureDemo(api.database.sql, (path, init) => api.app.request(path, init), { dataDir, adminKey, baseUrl });
    assert.equal(again.status, 'found');
    assert.equal(await organizations(), before);
    rmSync(demoFile(dataDir));
    const lost = await ensureDemo(api.database.sql, (path, init) => api.app.request(path, init), { dataDir, adminKey, baseUrl });
    assert.equal(lost.status, 'lost');
    assert.equal(await organizations(), before);
    assert.equal(existsSync(demoFile(dataDir)), false);
  });
});
