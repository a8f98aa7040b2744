import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { assertOk, assertProblem, call, createKey, createTestApi, type TestApi, type TestOrganization } from '../../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestCircuit } from '../../test/fixtures/catalog.js';
import { seedBeneficiary, seedReferrer, seedVoucher } from '../../test/fixtures/vouchers.js';
import { newId } from '../ids.js';
import { readImageHeader } from '../stories/image.js';

const photo = (name: string) => new Uint8Array(readFileSync(new URL(`../../test/fixtures/photos/${name}`, import.meta.url)));

let api: TestApi;
let vigevano: TestCircuit;
let pavia: TestCircuit;
let theatre: TestOrganization;
let school: TestOrganization;
before(async () => {
  api = await createTestApi();
  vigevano = await seedCircuit(api, { name: 'Vigevano', funded: 100_000n });
  pavia = await seedCircuit(api, { name: 'Pavia' });
  theatre = await seedProvider(api, vigevano, { name: 'Teatro Cagnoni' });
  school = await seedReferrer(api, vigevano, { name: 'Istituto Comprensivo Vigevano' });
});
after(() => api.close());

const story = {
  title: { it: 'La prima volta a teatro', en: 'A first night at the theatre', sq: 'Hera e parë në teatër' },
  body: {
    it: 'Trenta ragazzi della scuola media hanno visto La locandiera, e dieci sono tornati con le famiglie.',
    en: 'Thirty pupils of the middle school saw The Mistress of the Inn, and ten came back with their families.',
  },
  photo_alt: { it: 'Il palco del Teatro Cagnoni con il sipario rosso aperto', en: 'The stage of Teatro Cagnoni, its red curtain open' },
};

function write(author: TestOrganization, circuit = vigevano, body: Record<string, unknown> = story) {
  return call(api, 'POST', '/v1/stories', { key: author.secretKey, body: { circuit_id: circuit.id, ...body } });
}

async function upload(author: TestOrganization, storyId: string, bytes: Uint8Array, contentType: string) {
  const response = await api.app.request(`/v1/stories/${storyId}/photo`, {
    method: 'PUT',
    body: bytes,
    headers: { Authorization: `Bearer ${author.secretKey}`, 'Content-Type': contentType },
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, any> };
}

describe('the photo of a story', () => {
  it('is read for its type and size from its bytes: PNG, JPEG and WebP', () => {
    for (const [file, type] of [['tiny.png', 'image/png'], ['tiny.jpg', 'image/jpeg'], ['tiny.webp', 'image/webp']]) {
      assert.deepEqual(readImageHeader(photo(file!)), { type, width: 6, height: 4 });
    }
    assert.equal(readImageHeader(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>')), undefined);
    assert.equal(readImageHeader(photo('tiny.png').subarray(0, 12)), undefined);
  });

  it('is stored as sent, described by the alt text, and refused when it is not what it claims or too large', async () => {
    const written = assertOk(await write(theatre), 201);
    const refused = await upload(theatre, written.id, new TextEncoder().encode('<svg onload="alert(1)"/>'), 'image/png');
    assert.equal(refused.status, 415);
    assert.equal(refused.headers.get('content-type'), 'application/problem+json');
    assert.equal(refused.body.code, 'unsupported_image');
    const mislabelled = await upload(theatre, written.id, photo('tiny.jpg'), 'image/png');
    assert.equal(mislabelled.body.code, 'unsupported_image');
    assert.match(mislabelled.body.detail, /image\/jpeg/);

    const huge = new Uint8Array(2 * 1024 * 1024 + 1);
    huge.set(photo('tiny.png'));
    const tooLarge = await upload(theatre, written.id, huge, 'image/png');
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.code, 'payload_too_large');
    assert.equal(tooLarge.headers.get('content-type'), 'application/problem+json');
    const [stored] = await api.database.sql`select count(*)::int as photos from story_photos where story_id = ${written.id}`;
    assert.equal(stored!.photos, 0);

    const taken = assertOk(await upload(theatre, written.id, photo('tiny.webp'), 'image/webp'));
    assert.deepEqual({ ...taken.photo, url: undefined }, { url: undefined, content_type: 'image/webp', width: 6, height: 4 });
    const [bytes] = await api.database.sql<{ bytes: Buffer }[]>`select bytes from story_photos where story_id = ${written.id}`;
    assert.ok(bytes!.bytes.equals(photo('tiny.webp')));
    const audited = await api.database.sql<{ status: number; problem_code: string | null }[]>`
      select status, problem_code from audit_log where action = 'PUT /v1/stories/{id}/photo' and object_id = ${written.id} order by created_at, id`;
    assert.deepEqual(
      audited.map((entry) => [entry.status, entry.problem_code]),
      [
        [415, 'unsupported_image'],
        [415, 'unsupported_image'],
        [200, null],
      ],
      'the uploads are in the audit log (the one over 2 MiB was refused before it reached a key check)',
    );
  });

  it('needs its alt text first, and the story its author', async () => {
    const { photo_alt: _, ...withoutAlt } = story;
    const written = assertOk(await write(theatre, vigevano, withoutAlt), 201);
    const refused = await upload(theatre, written.id, photo('tiny.png'), 'image/png');
    assert.equal(refused.status, 409);
    assert.equal(refused.body.code, 'photo_alt_required');
    const other = await seedProvider(api, vigevano, { name: 'Museo della Calzatura' });
    assert.equal((await upload(other, written.id, photo('tiny.png'), 'image/png')).status, 404);
    assertOk(await call(api, 'POST', `/v1/stories/${written.id}`, { key: theatre.secretKey, body: { photo_alt: story.photo_alt } }));
    assertOk(await upload(theatre, written.id, photo('tiny.png'), 'image/png'));
  });
});

describe('moderating stories', () => {
  it('takes stories only from providers and referrers of the circuit', async () => {
    assertProblem(await write(vigevano.operator), 403, 'forbidden');
    assertProblem(await write(theatre, pavia), 403, 'forbidden');
    assertProblem(await write(theatre, vigevano, { title: { en: 'No Italian' }, body: story.body }), 400, 'invalid_request');
  });

  it("refuses a school's story that names one of its pupils by their reference, written or mended", async () => {
    await seedBeneficiary(api, school, { reference: '4A-01' });
    const naming = { ...story, body: { it: 'Marco della 4a-01 è andato al museo per la prima volta.' } };
    const refused = assertProblem(await write(school, vigevano, naming), 400, 'invalid_request');
    assert.match(refused.detail, /leave out your beneficiaries' references, such as 4A-01/);
    const written = assertOk(await write(school), 201);
    assertProblem(
      await call(api, 'POST', `/v1/stories/${written.id}`, { key: school.secretKey, body: { title: { it: 'La 4A-01 a teatro' } } }),
      400,
      'invalid_request',
    );
    await seedBeneficiary(api, school, { reference: '5C/07' });
    assertProblem(await write(school, vigevano, { ...story, body: { it: 'Con la 5c 07 abbiamo visto la mostra.' } }), 400, 'invalid_request');
    assertOk(await write(school, vigevano, { ...story, body: { it: 'La 4A è andata al museo: trenta ragazzi, in 3D, livello A1.' } }), 201);
  });

  it("lets only the circuit's operator approve, with numbers from the author's real data", async () => {
    const offer = await seedOffer(api, vigevano, theatre.id, { seats: 40 });
    const desk = await createKey(api, theatre.id, 'desk');
    const taken: { voucher: Awaited<ReturnType<typeof seedVoucher>>; redemptionId: string }[] = [];
    for (const seats of [2, 3]) {
      const voucher = await seedVoucher(api, vigevano, school);
      const redemption = assertOk(
        await call(api, 'POST', '/v1/redemptions', { key: desk, body: { code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats, capture: true } }),
        201,
      );
      taken.push({ voucher, redemptionId: redemption.id });
    }
    const unused = await seedVoucher(api, vigevano, school);
    assert.ok(unused.id);
    // One pupil completed a path with the seat taken at the theatre; another is halfway along one.
    for (const [index, completedAt] of [new Date(), null].entries()) {
      await api.database.sql`
        insert into path_progress (id, beneficiary_id, path_id, circuit_id, stamps, completed_at)
        values (${newId()}, ${taken[index]!.voucher.beneficiaryId}, ${newId()}, ${vigevano.id}, ${[taken[index]!.redemptionId, null]}, ${completedAt})`;
    }

    const written = assertOk(await write(theatre), 201);
    assert.equal(written.status, 'pending');
    assert.equal(written.numbers, null);
    assertProblem(await call(api, 'POST', `/v1/stories/${written.id}/approve`, { key: theatre.secretKey }), 403, 'forbidden');
    assertProblem(await call(api, 'POST', `/v1/stories/${written.id}/approve`, { key: pavia.operator.secretKey }), 404, 'not_found');
    const pending = assertOk(await call(api, 'GET', '/v1/stories?status=pending', { key: vigevano.operator.secretKey }));
    assert.ok(pending.data.some((entry: { id: string }) => entry.id === written.id));
    assert.equal(assertOk(await call(api, 'GET', '/v1/stories?status=pending', { key: pavia.operator.secretKey })).data.length, 0);

    const approved = assertOk(await call(api, 'POST', `/v1/stories/${written.id}/approve`, { key: vigevano.operator.secretKey }));
    assert.equal(approved.status, 'approved');
    const [review] = await api.database.sql<{ reviewed_by: string }[]>`select reviewed_by from stories where id = ${written.id} and reviewed_at is not null`;
    assert.equal(review?.reviewed_by, vigevano.operator.id, 'the story says which operator published it');
    assert.deepEqual({ ...approved.numbers, as_of: undefined }, { seats_redeemed: 5, offers: 1, paths_completed: 1, as_of: undefined });
    assertProblem(await call(api, 'POST', `/v1/stories/${written.id}/approve`, { key: vigevano.operator.secretKey }), 409, 'conflict');
    assertProblem(await call(api, 'POST', `/v1/stories/${written.id}`, { key: theatre.secretKey, body: { title: story.title } }), 409, 'conflict');

    const schools = assertOk(await write(school, vigevano, { ...story, title: { it: 'Il teatro entra in classe' } }), 201);
    const published = assertOk(await call(api, 'POST', `/v1/stories/${schools.id}/approve`, { key: vigevano.operator.secretKey }));
    assert.deepEqual({ ...published.numbers, as_of: undefined }, { seats_redeemed: 5, vouchers_issued: 3, paths_completed: 1, as_of: undefined });
  });

  it('tells the author why a story was rejected, and takes it back once mended', async () => {
    const written = assertOk(await write(school, vigevano, { ...story, title: { it: 'Una gita' } }), 201);
    assertProblem(await call(api, 'POST', `/v1/stories/${written.id}/reject`, { key: vigevano.operator.secretKey, body: {} }), 400, 'invalid_request');
    const reason = 'Il testo nomina un alunno: togliete il nome, per favore.';
    assertOk(await call(api, 'POST', `/v1/stories/${written.id}/reject`, { key: vigevano.operator.secretKey, body: { reason } }));
    const own = assertOk(await call(api, 'GET', '/v1/stories?status=rejected', { key: school.secretKey }));
    assert.deepEqual(own.data.map((entry: { id: string; rejection_reason: string }) => [entry.id, entry.rejection_reason]), [[written.id, reason]]);
    assertProblem(await call(api, 'GET', `/v1/stories/${written.id}`, { key: theatre.secretKey }), 404, 'not_found');
    const mended = assertOk(await call(api, 'POST', `/v1/stories/${written.id}`, { key: school.secretKey, body: { body: story.body } }));
    assert.deepEqual([mended.status, mended.rejection_reason], ['pending', null]);
    assert.deepEqual(mended.photo_alt, story.photo_alt, 'what the mend does not send stays as it was');
  });
});

describe('the public showcase', () => {
  let circuit: TestCircuit;
  let museum: TestOrganization;
  const published: string[] = [];
  before(async () => {
    circuit = await seedCircuit(api, { name: 'Milano' });
    museum = await seedProvider(api, circuit, { name: 'Slow Mill' });
    for (const title of ['Uno', 'Due', 'Tre']) {
      const written = assertOk(await write(museum, circuit, { ...story, title: { it: title } }), 201);
      if (title === 'Uno') assertOk(await upload(museum, written.id, photo('tiny.png'), 'image/png'));
      assertOk(await call(api, 'POST', `/v1/stories/${written.id}/approve`, { key: circuit.operator.secretKey }));
      published.push(written.id);
    }
    assertOk(await write(museum, circuit, { ...story, title: { it: 'In attesa' } }), 201);
  });

  it('shows approved stories only, newest first, page by page', async () => {
    const first = assertOk(await call(api, 'GET', `/v1/public/stories?circuit=${circuit.id}&limit=2`));
    assert.deepEqual(first.data.map((entry: { title: { it: string } }) => entry.title.it), ['Tre', 'Due']);
    assert.equal(first.has_more, true);
    const second = assertOk(await call(api, 'GET', `/v1/public/stories?circuit=${circuit.id}&limit=2&starting_after=${first.data[1].id}`));
    assert.deepEqual(second.data.map((entry: { title: { it: string } }) => entry.title.it), ['Uno']);
    assert.equal(second.has_more, false);
    const uno = second.data[0];
    assert.deepEqual({ ...uno.photo, url: undefined }, { url: undefined, width: 6, height: 4, alt: story.photo_alt });
    assert.deepEqual(uno.author, { id: museum.id, kind: 'provider', name: 'Slow Mill' });
    assert.equal(first.data[0].photo, null);
    assertProblem(await call(api, 'GET', `/v1/public/stories?circuit=${newId()}`), 404, 'not_found');
  });

  it('serves a published photo with its type, a long cache, an ETag and no sniffing; an unpublished one not at all', async () => {
    const page = assertOk(await call(api, 'GET', `/v1/public/stories?circuit=${circuit.id}&limit=3`));
    const url = page.data[2].photo.url as string;
    const response = await api.app.request(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('access-control-allow-origin'), '*');
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(photo('tiny.png')));
    const again = await api.app.request(url, { headers: { 'If-None-Match': response.headers.get('etag')! } });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get('cache-control'), 'public, max-age=31536000, immutable');

    const pending = assertOk(await write(museum, circuit), 201);
    assertOk(await upload(museum, pending.id, photo('tiny.jpg'), 'image/jpeg'));
    assertProblem(await call(api, 'GET', `/v1/public/stories/${pending.id}/photo`), 404, 'not_found');
    // The operator sees it before approving, with its key; no one else does, and nothing keeps it.
    const preview = await api.app.request(`/v1/stories/${pending.id}/photo`, { headers: { Authorization: `Bearer ${circuit.operator.secretKey}` } });
    assert.equal(preview.status, 200);
    assert.equal(preview.headers.get('content-type'), 'image/jpeg');
    assert.equal(preview.headers.get('cache-control'), 'private, no-store');
    assert.ok(Buffer.from(await preview.arrayBuffer()).equals(photo('tiny.jpg')));
    assertProblem(await call(api, 'GET', `/v1/stories/${pending.id}/photo`, { key: vigevano.operator.secretKey }), 404, 'not_found');
    assertProblem(await call(api, 'GET', `/v1/stories/${pending.id}/photo`), 401, 'unauthorized');
  });
});
