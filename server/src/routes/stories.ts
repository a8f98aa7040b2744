import { createHash } from 'node:crypto';
import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { PendingQuery, Row } from 'postgres';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { Sql } from '../db/connection.js';
import { takesPartIn } from '../directory/membership.js';
import type { BodyLimit } from '../http/body.js';
import type { Principal, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { localizedText } from '../http/schemas.js';
import { newId } from '../ids.js';
import { Problem } from '../problem.js';
import { photoTypes, readImageHeader } from '../stories/image.js';
import { storyNumbers, storyNumbersSchema, type StoryNumbers } from '../stories/numbers.js';
import { refuseBeneficiaryReference } from './beneficiaries.js';
import { notFoundUnlessValid, publicCircuit } from './public.js';

/** A story's photo: 2 MiB at most, far above what a good 1200 px WebP or JPEG weighs. */
export const storyPhotoLimit: BodyLimit = { path: /^\/v1\/stories\/[^/]+\/photo$/, maxBytes: 2 * 1024 * 1024 };

const statuses = ['pending', 'approved', 'rejected'] as const;

const photoSchema = z
  .object({
    url: z.string().openapi({ description: 'Path of the photo on this API, versioned by its content; served once the story is approved.' }),
    content_type: z.enum(photoTypes),
    width: z.number().int(),
    height: z.number().int(),
  })
  .openapi('StoryPhoto');

const storySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('story'),
    circuit_id: z.uuid(),
    author: z.object({ id: z.uuid(), kind: z.enum(['provider', 'referrer']), name: z.string() }),
    title: localizedText(120),
    body: localizedText(2000),
    photo_alt: localizedText(200).nullable(),
    photo: photoSchema.nullable(),
    status: z.enum(statuses),
    rejection_reason: z.string().nullable().openapi({ description: 'Why the operator refused it, for the author.' }),
    numbers: storyNumbersSchema.nullable().openapi({ description: "Computed from the author's data when the story is published." }),
    published_at: z.iso.datetime().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .openapi('Story');

const publicStorySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('public_story'),
    circuit: z.object({ id: z.uuid(), name: z.string() }),
    author: z.object({ id: z.uuid(), kind: z.enum(['provider', 'referrer']), name: z.string() }),
    title: localizedText(120),
    body: localizedText(2000),
    photo: photoSchema.omit({ content_type: true }).extend({ alt: localizedText(200) }).nullable(),
    numbers: storyNumbersSchema,
    published_at: z.iso.datetime(),
  })
  .openapi('PublicStory');

const storyText = {
  title: localizedText(120),
  body: localizedText(2000),
  photo_alt: localizedText(200)
    .optional()
    .openapi({ description: 'What the photo shows, for people who cannot see it; needed before a photo is uploaded.' }),
};

const newStorySchema = z.strictObject({ circuit_id: z.uuid(), ...storyText }).openapi('NewStory');
const storyUpdateSchema = z.strictObject(storyText).partial().openapi('StoryUpdate');
const rejectionSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500).openapi({ description: 'Shown to the author, so they can mend the story.' }) })
  .openapi('StoryRejection');

const idParam = z.object({ id: z.uuid() });

/** A photo as a body, in the OpenAPI document: the image itself, of one of the three types. */
const imageContent = Object.fromEntries(photoTypes.map((type) => [type, { schema: z.string().openapi({ format: 'binary' }) }]));

interface StoryRow {
  id: string;
  circuit_id: string;
  circuit_name: string;
  operator_id: string;
  author_id: string;
  author_kind: 'provider' | 'referrer';
  author_name: string;
  title: { it: string; en?: string; sq?: string };
  body: { it: string; en?: string; sq?: string };
  photo_alt: { it: string; en?: string; sq?: string } | null;
  status: (typeof statuses)[number];
  rejection_reason: string | null;
  numbers: StoryNumbers | null;
  published_at: Date | null;
  created_at: Date;
  updated_at: Date;
  photo_type: (typeof photoTypes)[number] | null;
  photo_width: number | null;
  photo_height: number | null;
  photo_digest: string | null;
}

/** Stories of good practice by providers and referrers, moderated by the circuit's operator, and the public showcase. */
export function storyRoutes({ sql }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/stories',
      tags: ['Stories'],
      summary: 'Write a story of good practice',
      description:
        "A provider or a referrer of the circuit writes it; it waits, `pending`, for the circuit's operator to approve it. " +
        'Add a photo with PUT /v1/stories/{id}/photo once `photo_alt` says what it shows.',
      security: bearer,
      request: { body: jsonBody(newStorySchema) },
      responses: { 201: jsonResponse(storySchema, 'The story, pending'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const author = requireAccess(principalOf(c), { organizations: ['provider', 'referrer'] });
      if (author === undefined) throw new Problem(403, 'forbidden', 'Stories are written by providers and referrers');
      const body = c.req.valid('json');
      const [circuit] = await sql<{ member: boolean }[]>`
        select ${takesPartIn(sql, author.id, author.kind, sql`c.id`)} as member from circuits c where c.id = ${body.circuit_id}`;
      if (circuit === undefined) throw new Problem(404, 'not_found', 'No such circuit', `No circuit ${body.circuit_id}.`);
      if (!circuit.member) {
        throw new Problem(403, 'forbidden', 'Not part of this circuit', 'Write about the circuits you take part in: where you offer seats or issue vouchers.');
      }
      await refuseBeneficiaryReferences(sql, author, [body.title, body.body, body.photo_alt]);
      const id = newId();
      await sql`
        insert into stories (id, circuit_id, author_id, title, body, photo_alt)
        values (${id}, ${body.circuit_id}, ${author.id}, ${sql.json(body.title)}, ${sql.json(body.body)},
                ${body.photo_alt === undefined ? null : sql.json(body.photo_alt)})`;
      return c.json(storyJson(await storyRow(sql, id)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stories',
      tags: ['Stories'],
      summary: 'List stories: an author its own, an operator those of its circuits',
      security: bearer,
      request: {
        query: pageQuery.extend({ status: z.enum(statuses).optional(), circuit_id: z.uuid().optional() }),
      },
      responses: { 200: jsonResponse(pageOf(storySchema), 'A page of stories, oldest first'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const organization = requireAccess(principal, { organizations: ['operator', 'provider', 'referrer'] });
      const query = c.req.valid('query');
      const rows = await sql<StoryRow[]>`
        ${storySelect(sql)}
        where s.id > ${after(query)}
          ${organization === undefined ? sql`` : sql`and (s.author_id = ${organization.id} or c.operator_id = ${organization.id})`}
          ${query.status === undefined ? sql`` : sql`and s.status = ${query.status}`}
          ${query.circuit_id === undefined ? sql`` : sql`and s.circuit_id = ${query.circuit_id}`}
        order by s.id limit ${query.limit + 1}`;
      return c.json(page(rows.map(storyJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stories/{id}',
      tags: ['Stories'],
      summary: 'Retrieve a story, as its author or its operator',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(storySchema, 'The story'), ...problems(401, 403, 404) },
    }),
    async (c) => c.json(storyJson(await visibleStory(sql, principalOf(c), c.req.valid('param').id)), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/stories/{id}',
      tags: ['Stories'],
      summary: 'Mend a story, as its author',
      description: 'Until it is approved. A rejected story mended goes back to the operator, `pending`.',
      security: bearer,
      request: { params: idParam, body: jsonBody(storyUpdateSchema) },
      responses: { 200: jsonResponse(storySchema, 'The story, pending'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const story = await authorsStory(sql, principal, c.req.valid('param').id);
      const body = c.req.valid('json');
      if (principal.type === 'key') await refuseBeneficiaryReferences(sql, principal.organization, [body.title, body.body, body.photo_alt]);
      await sql`
        update stories set
          title = ${sql.json(body.title ?? story.title)}, body = ${sql.json(body.body ?? story.body)},
          photo_alt = ${body.photo_alt === undefined ? sql`photo_alt` : sql.json(body.photo_alt)},
          status = 'pending', rejection_reason = null, updated_at = now()
        where id = ${story.id}`;
      return c.json(storyJson(await storyRow(sql, story.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'put',
      path: '/stories/{id}/photo',
      tags: ['Stories'],
      summary: "Upload the story's photo",
      description:
        'The body is the image itself: JPEG, PNG or WebP, at most 2 MiB (413 `payload_too_large` beyond). The type is read ' +
        'from the bytes: anything else, or bytes that are not the type the Content-Type says, is 415 `unsupported_image`. ' +
        'The story needs its `photo_alt` first (409 `photo_alt_required`). A new photo replaces the old one and sends a ' +
        'rejected story back to the operator.',
      security: bearer,
      request: {
        params: idParam,
        body: { required: true, content: imageContent },
      },
      responses: { 200: jsonResponse(storySchema, 'The story with its photo'), ...problems(401, 403, 404, 409, 413, 415) },
    }),
    async (c) => {
      const story = await authorsStory(sql, principalOf(c), c.req.valid('param').id);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const declared = c.req.header('Content-Type')?.split(';')[0]?.trim().toLowerCase();
      const image = readImageHeader(bytes);
      if (image === undefined || image.type !== declared) {
        throw new Problem(
          415,
          'unsupported_image',
          'Not a JPEG, PNG or WebP image',
          image === undefined
            ? 'The photo must be a JPEG, PNG or WebP image, sent as the body itself; these bytes are none of them.'
            : `These bytes are ${image.type}, but the Content-Type says ${declared ?? 'nothing'}: send the right one.`,
        );
      }
      if (story.photo_alt === null) {
        throw new Problem(
          409,
          'photo_alt_required',
          'Say what the photo shows first',
          'Set the story\'s photo_alt (POST /v1/stories/{id}) so people who cannot see the photo know what it shows.',
        );
      }
      await sql.begin(async (transaction) => {
        await transaction`
          insert into story_photos (story_id, content_type, bytes, width, height, digest)
          values (${story.id}, ${image.type}, ${bytes}, ${image.width}, ${image.height}, ${createHash('sha256').update(bytes).digest('hex')})
          on conflict (story_id) do update set
            content_type = excluded.content_type, bytes = excluded.bytes, width = excluded.width,
            height = excluded.height, digest = excluded.digest, uploaded_at = now()`;
        await transaction`update stories set status = 'pending', rejection_reason = null, updated_at = now() where id = ${story.id}`;
      });
      return c.json(storyJson(await storyRow(sql, story.id)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/stories/{id}/photo',
      tags: ['Stories'],
      summary: "A story's photo, for its author and its operator before it is published",
      description: 'With the key of the author or of the operator that moderates the story; never cached.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: { description: 'The image', content: imageContent }, ...problems(401, 403, 404) },
    }),
    async (c) => {
      const story = await visibleStory(sql, principalOf(c), c.req.valid('param').id);
      const photo = await storedPhoto(sql, story.id, { published: false });
      if (photo === undefined) throw new Problem(404, 'not_found', 'No photo yet', 'Upload it with PUT /v1/stories/{id}/photo.');
      return photoResponse(c, photo, 'private, no-store');
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/stories/{id}/approve',
      tags: ['Stories'],
      summary: 'Publish a pending story, as the operator of its circuit',
      description:
        "Its numbers are computed now from the author's data in the circuit, and stay as they were on the day it was published.",
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(storySchema, 'The story, approved'), ...problems(401, 403, 404, 409) },
    }),
    async (c) => {
      const story = await moderatedStory(sql, principalOf(c), c.req.valid('param').id);
      const numbers = await storyNumbers(sql, story);
      const approved = await decide(sql, principalOf(c), story.id, sql`status = 'approved', numbers = ${sql.json(numbers)}, published_at = now()`);
      return c.json(storyJson(approved), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/stories/{id}/reject',
      tags: ['Stories'],
      summary: 'Refuse a pending story, with a reason for its author',
      security: bearer,
      request: { params: idParam, body: jsonBody(rejectionSchema) },
      responses: { 200: jsonResponse(storySchema, 'The story, rejected'), ...problems(400, 401, 403, 404, 409) },
    }),
    async (c) => {
      const story = await moderatedStory(sql, principalOf(c), c.req.valid('param').id);
      const rejected = await decide(sql, principalOf(c), story.id, sql`status = 'rejected', rejection_reason = ${c.req.valid('json').reason}`);
      return c.json(storyJson(rejected), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/stories',
      tags: ['Public'],
      summary: "A circuit's published stories, newest first",
      description: 'No key needed. Approved stories only; localized texts come whole, every language given.',
      request: { query: pageQuery.extend({ circuit: z.uuid() }) },
      responses: { 200: jsonResponse(pageOf(publicStorySchema), 'A page of stories'), ...problems(400, 404) },
    }),
    async (c) => {
      const query = c.req.valid('query');
      const circuit = await publicCircuit(sql, query.circuit);
      const [cursor] =
        query.starting_after === undefined
          ? []
          : await sql<{ published_at: Date }[]>`
              select published_at from stories where id = ${query.starting_after} and circuit_id = ${circuit.id} and status = 'approved'`;
      if (query.starting_after !== undefined && cursor === undefined) {
        throw new Problem(400, 'invalid_request', 'Unknown starting_after', 'Give the id of the last story of the previous page.');
      }
      const rows = await sql<StoryRow[]>`
        ${storySelect(sql)}
        where s.circuit_id = ${circuit.id} and s.status = 'approved'
          ${cursor === undefined ? sql`` : sql`and (s.published_at, s.id) < (${cursor.published_at}, ${query.starting_after!})`}
        order by s.published_at desc, s.id desc limit ${query.limit + 1}`;
      return c.json(page(rows.map(publicStoryJson), query.limit), 200);
    },
    notFoundUnlessValid('No such circuit', 'Give the circuit as `?circuit=<uuid>`, as in the `circuit` attribute of the widget.'),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/public/stories/{id}/photo',
      tags: ['Public'],
      summary: "A published story's photo",
      description:
        'No key needed. The URL carries the version of the photo (`?v=`), so browsers and CDNs keep it for a year; ' +
        'the ETag lets them check it.',
      request: { params: idParam, query: z.object({ v: z.string().max(64).optional() }) },
      responses: {
        200: { description: 'The image', content: imageContent },
        304: { description: 'Not modified' },
        ...problems(404),
      },
    }),
    async (c) => {
      const photo = await storedPhoto(sql, c.req.valid('param').id, { published: true });
      if (photo === undefined) throw new Problem(404, 'not_found', 'No such photo', 'Only the photos of published stories are public.');
      return photoResponse(c, photo, 'public, max-age=31536000, immutable');
    },
    notFoundUnlessValid('No such photo', 'Photo paths are /v1/public/stories/{id}/photo.'),
  );

  return app;
}

interface StoredPhoto {
  content_type: string;
  bytes: Buffer;
  digest: string;
}

/** A story's photo; with `published`, only if the story is approved. */
async function storedPhoto(sql: Sql, storyId: string, { published }: { published: boolean }): Promise<StoredPhoto | undefined> {
  const [photo] = await sql<StoredPhoto[]>`
    select p.content_type, p.bytes, p.digest from story_photos p join stories s on s.id = p.story_id
    where p.story_id = ${storyId} ${published ? sql`and s.status = 'approved'` : sql``}`;
  return photo;
}

/** The image with its own type, never sniffed, any site may show it; 304 when the browser has this one. */
function photoResponse(c: Context, photo: StoredPhoto, cacheControl: string): Response {
  const headers = {
    'Cache-Control': cacheControl,
    ETag: `"${photo.digest}"`,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Resource-Policy': 'cross-origin',
  };
  if (c.req.header('If-None-Match')?.includes(`"${photo.digest}"`)) return c.body(null, 304, headers);
  return c.body(new Uint8Array(photo.bytes), 200, { ...headers, 'Content-Type': photo.content_type });
}

/** Stories with their circuit, author and photo's description (never its bytes). */
function storySelect(sql: Sql) {
  return sql`
    select s.*, c.name as circuit_name, c.operator_id, o.kind as author_kind,
           coalesce(profile.display_name, o.name) as author_name,
           p.content_type as photo_type, p.width as photo_width, p.height as photo_height, p.digest as photo_digest
    from stories s
      join circuits c on c.id = s.circuit_id
      join organizations o on o.id = s.author_id
      left join organization_profiles profile on profile.organization_id = s.author_id
      left join story_photos p on p.story_id = s.id`;
}

async function storyRow(sql: Sql, id: string): Promise<StoryRow> {
  const [row] = await sql<StoryRow[]>`${storySelect(sql)} where s.id = ${id}`;
  if (row === undefined) throw new Problem(404, 'not_found', 'No such story', `No story ${id}.`);
  return row;
}

/** The story, if the caller may read it: its author, its circuit's operator, the admin. */
async function visibleStory(sql: Sql, principal: Principal, id: string): Promise<StoryRow> {
  const organization = requireAccess(principal, { organizations: ['operator', 'provider', 'referrer'] });
  const story = await storyRow(sql, id);
  if (organization !== undefined && story.author_id !== organization.id && story.operator_id !== organization.id) {
    throw new Problem(404, 'not_found', 'No such story', `No story ${id} of yours or of a circuit you run.`);
  }
  return story;
}

/** The story, if the caller wrote it and it is not yet published. */
/**
 * Stories are public: a referrer's may not name one of its beneficiaries by their reference ("la 3B-02
 * è andata al museo"), which its community could read as a name. The operator reads the rest.
 */
async function refuseBeneficiaryReferences(
  sql: Sql,
  author: { id: string; kind: string },
  texts: readonly ({ [language: string]: string | undefined } | undefined)[],
): Promise<void> {
  if (author.kind !== 'referrer') return;
  const strings = texts.flatMap((text) => Object.values(text ?? {}).filter((value) => value !== undefined));
  await refuseBeneficiaryReference(sql, author.id, strings, {
    path: 'body',
    detail: (reference) => `Stories are public: leave out your beneficiaries' references, such as ${reference}.`,
  });
}

async function authorsStory(sql: Sql, principal: Principal, id: string): Promise<StoryRow> {
  const author = requireAccess(principal, { organizations: ['provider', 'referrer'] });
  const story = await storyRow(sql, id);
  if (author === undefined || story.author_id !== author.id) {
    throw new Problem(404, 'not_found', 'No such story', `No story ${id} of yours.`);
  }
  if (story.status === 'approved') {
    throw new Problem(409, 'conflict', 'The story is published', 'A published story stays as it was approved; write a new one.');
  }
  return story;
}

/** The story, if the caller moderates its circuit: its operator, or the admin. */
async function moderatedStory(sql: Sql, principal: Principal, id: string): Promise<StoryRow> {
  const operator = requireAccess(principal, { organizations: ['operator'] });
  const story = await storyRow(sql, id);
  if (operator !== undefined && story.operator_id !== operator.id) {
    throw new Problem(404, 'not_found', 'No such story', `No story ${id} in a circuit you run.`);
  }
  if (story.status !== 'pending') throw notPending();
  return story;
}

/** Sets the operator's `outcome` on a story still pending (another decision may have come first: 409), and who decided. */
async function decide(sql: Sql, principal: Principal, id: string, outcome: PendingQuery<Row[]>): Promise<StoryRow> {
  const [updated] = await sql<{ id: string }[]>`
    update stories set ${outcome}, reviewed_at = now(), updated_at = now(),
                       reviewed_by = ${principal.type === 'admin' ? null : principal.organization.id}
    where id = ${id} and status = 'pending' returning id`;
  if (updated === undefined) throw notPending();
  return storyRow(sql, id);
}

function notPending(): Problem {
  return new Problem(409, 'conflict', 'The story is not pending', 'Only a pending story is approved or rejected.');
}

function photoJson(row: StoryRow) {
  if (row.photo_type === null) return null;
  return {
    url: `/v1/public/stories/${row.id}/photo?v=${row.photo_digest!.slice(0, 16)}`,
    content_type: row.photo_type,
    width: row.photo_width!,
    height: row.photo_height!,
  };
}

function storyJson(row: StoryRow) {
  return {
    id: row.id,
    object: 'story' as const,
    circuit_id: row.circuit_id,
    author: { id: row.author_id, kind: row.author_kind, name: row.author_name },
    title: row.title,
    body: row.body,
    photo_alt: row.photo_alt,
    photo: photoJson(row),
    status: row.status,
    rejection_reason: row.rejection_reason,
    numbers: row.numbers,
    published_at: row.published_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

function publicStoryJson(row: StoryRow) {
  const photo = photoJson(row);
  return {
    id: row.id,
    object: 'public_story' as const,
    circuit: { id: row.circuit_id, name: row.circuit_name },
    author: { id: row.author_id, kind: row.author_kind, name: row.author_name },
    title: row.title,
    body: row.body,
    photo: photo === null ? null : { url: photo.url, width: photo.width, height: photo.height, alt: row.photo_alt! },
    numbers: row.numbers!,
    published_at: row.published_at!.toISOString(),
  };
}
