import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import { generateKey } from '../auth/keys.js';
import type { Sql } from '../db/connection.js';
import type { Principal, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { newId } from '../ids.js';
import { Problem } from '../problem.js';

// Scheme and host are case-insensitive and browsers send them in lower case: "https://Teatro.it" is stored as they send it.
const origin = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/, 'an origin is scheme://host[:port], without a path or a trailing slash');

const organizationSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('organization'),
    kind: z.enum(['provider', 'mentor', 'referrer', 'operator']),
    name: z.string(),
    allowed_origins: z.array(z.string()),
    managed_by: z.uuid().nullable(),
    created_at: z.iso.datetime(),
  })
  .openapi('Organization');

const newOrganizationSchema = z
  .strictObject({
    kind: z.enum(['provider', 'mentor', 'referrer', 'operator']),
    name: z.string().trim().min(1).max(200),
    allowed_origins: z.array(origin).max(20).default([]),
  })
  .openapi('NewOrganization');

const organizationUpdateSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    allowed_origins: z.array(origin).max(20).optional(),
  })
  .openapi('OrganizationUpdate');

const apiKeySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('api_key'),
    organization_id: z.uuid(),
    kind: z.enum(['secret', 'publishable', 'desk']),
    mode: z.enum(['test', 'live']),
    hint: z.string().openapi({ description: 'Prefix and last four characters, e.g. `sk_test_…a1B2`.' }),
    label: z.string().nullable(),
    created_at: z.iso.datetime(),
    revoked_at: z.iso.datetime().nullable(),
  })
  .openapi('ApiKey');

const createdKeySchema = apiKeySchema
  .extend({ key: z.string().openapi({ description: 'The key itself. Shown only in this response: store it now.' }) })
  .openapi('CreatedApiKey');

const newKeySchema = z
  .strictObject({
    kind: z.enum(['secret', 'publishable', 'desk']).openapi({
      description:
        "secret: server to server. publishable: widgets on allowed origins. desk: a provider's box office (redemptions " +
        "and settlements), a referrer's office (beneficiaries, vouchers, thank-you notes) or a mentor's impact page (read " +
        'only), for the staff widgets.',
    }),
    mode: z.enum(['test', 'live']).optional().openapi({ description: 'Defaults to the mode of the calling key.' }),
    label: z.string().trim().min(1).max(200).optional(),
  })
  .openapi('NewApiKey');

interface OrganizationRow {
  id: string;
  kind: 'provider' | 'mentor' | 'referrer' | 'operator';
  name: string;
  allowed_origins: string[];
  managed_by: string | null;
  created_at: Date;
}

interface KeyRow {
  id: string;
  organization_id: string;
  kind: 'secret' | 'publishable' | 'desk';
  mode: 'test' | 'live';
  hint: string;
  label: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const idParam = z.object({ id: z.uuid() });

/** Organizations and their keys. The admin registers operators; operators register the rest. */
export function organizationRoutes({ sql, ledger, keyCache }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations',
      tags: ['Organizations'],
      summary: 'Register an organization',
      description:
        'The admin key registers any kind; an operator registers the providers, mentors and referrers of its circuits. ' +
        'A provider gets its ledger account (what its redemptions captured, until settled).',
      security: bearer,
      request: { body: jsonBody(newOrganizationSchema) },
      responses: { 201: jsonResponse(organizationSchema, 'The new organization'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const operator = requireAccess(principal, { organizations: ['operator'] });
      const body = c.req.valid('json');
      if (operator !== undefined && body.kind === 'operator') {
        throw new Problem(403, 'forbidden', 'Only the platform admin registers operators');
      }
      const id = newId();
      const payableAccountId = body.kind === 'provider' ? newId() : null;
      if (payableAccountId !== null) {
        await ledger.createAccounts([
          { id: payableAccountId, kind: 'provider_payable', currency: 'EUR', reference: `provider:${id}` },
        ]);
      }
      const [row] = await sql<OrganizationRow[]>`
        insert into organizations (id, kind, name, allowed_origins, managed_by, payable_account_id)
        values (${id}, ${body.kind}, ${body.name}, ${body.allowed_origins}, ${operator?.id ?? null}, ${payableAccountId})
        returning *`;
      return c.json(organizationJson(row!), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations',
      tags: ['Organizations'],
      summary: 'List the organizations you manage',
      security: bearer,
      request: { query: pageQuery },
      responses: { 200: jsonResponse(pageOf(organizationSchema), 'A page of organizations'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const query = c.req.valid('query');
      const rows = await sql<OrganizationRow[]>`
        select * from organizations
        where id > ${after(query)} ${operator === undefined ? sql`` : sql`and managed_by = ${operator.id}`}
        order by id limit ${query.limit + 1}`;
      return c.json(page(rows.map(organizationJson), query.limit), 200);
    },
  );

  // Before /organizations/{id}, which would take `me` for an id.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/me',
      tags: ['Organizations'],
      summary: 'The organization of the calling key',
      description:
        "With a secret or desk key: the staff desk widgets show whose box office or school office the key opens, and a " +
        "provider's desk lists its own offers by this id.",
      security: bearer,
      responses: { 200: jsonResponse(organizationSchema, "The key's organization"), ...problems(401, 403) },
    }),
    async (c) => {
      const own = requireAccess(principalOf(c), { organizations: ['operator', 'provider', 'mentor', 'referrer'], keys: ['secret', 'desk'] });
      if (own === undefined) throw new Problem(403, 'forbidden', 'The admin key has no organization');
      const [row] = await sql<OrganizationRow[]>`select * from organizations where id = ${own.id}`;
      return c.json(organizationJson(row!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{id}',
      tags: ['Organizations'],
      summary: 'Retrieve an organization',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(organizationSchema, 'The organization'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const row = await managedOrganization(sql, principalOf(c), c.req.valid('param').id);
      return c.json(organizationJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{id}',
      tags: ['Organizations'],
      summary: 'Update an organization (name, allowed origins)',
      security: bearer,
      request: { params: idParam, body: jsonBody(organizationUpdateSchema) },
      responses: { 200: jsonResponse(organizationSchema, 'The updated organization'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const existing = await managedOrganization(sql, principalOf(c), c.req.valid('param').id);
      const body = c.req.valid('json');
      const [row] = await sql<OrganizationRow[]>`
        update organizations
        set name = ${body.name ?? existing.name}, allowed_origins = ${body.allowed_origins ?? existing.allowed_origins}
        where id = ${existing.id} returning *`;
      keyCache.clear();
      return c.json(organizationJson(row!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/organizations/{id}/keys',
      tags: ['Organizations'],
      summary: 'Create an API key',
      description:
        "The key is in this response only; Mentoring stores its SHA-256. Desk keys are for a provider's box office " +
        '(check vouchers, make, capture, void or reverse redemptions, read its redemptions and settlements) or a ' +
        "referrer's office (nominate beneficiaries, issue vouchers within its allocations, read and unlock them, moderate " +
        "thank-you notes) or a mentor's impact page (read its impact, nothing else). " +
        'A test-mode key cannot create live keys.',
      security: bearer,
      request: { params: idParam, body: jsonBody(newKeySchema) },
      responses: { 201: jsonResponse(createdKeySchema, 'The new key, shown once'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const organization = await managedOrganization(sql, principal, c.req.valid('param').id);
      const body = c.req.valid('json');
      const mode = body.mode ?? principal.mode;
      if (mode === 'live' && principal.mode === 'test') {
        throw new Problem(403, 'forbidden', 'A test key cannot create live keys');
      }
      if (body.kind === 'desk' && organization.kind === 'operator') {
        throw new Problem(
          400,
          'invalid_request',
          'Desk keys are for providers, referrers and mentors',
          "A box office, a school office or a mentor's impact page uses them.",
        );
      }
      const created = generateKey(body.kind, mode);
      const [row] = await sql<KeyRow[]>`
        insert into api_keys (id, organization_id, kind, mode, hash, hint, label)
        values (${newId()}, ${organization.id}, ${body.kind}, ${mode}, ${created.hash}, ${created.hint}, ${body.label ?? null})
        returning *`;
      return c.json({ ...keyJson(row!), key: created.key }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/organizations/{id}/keys',
      tags: ['Organizations'],
      summary: "List an organization's keys (hints only)",
      security: bearer,
      request: { params: idParam, query: pageQuery },
      responses: { 200: jsonResponse(pageOf(apiKeySchema), 'A page of keys'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const organization = await managedOrganization(sql, principalOf(c), c.req.valid('param').id);
      const query = c.req.valid('query');
      const rows = await sql<KeyRow[]>`
        select * from api_keys where organization_id = ${organization.id} and id > ${after(query)}
        order by id limit ${query.limit + 1}`;
      return c.json(page(rows.map(keyJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/keys/{id}/revoke',
      tags: ['Organizations'],
      summary: 'Revoke an API key',
      description: 'From the next request on, the key gets 401. Revoking twice is harmless.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(apiKeySchema, 'The revoked key'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const [key] = await sql<KeyRow[]>`select * from api_keys where id = ${c.req.valid('param').id}`;
      if (key === undefined) throw new Problem(404, 'not_found', 'No such key');
      await managedOrganization(sql, principal, key.organization_id);
      const [row] = await sql<KeyRow[]>`
        update api_keys set revoked_at = coalesce(revoked_at, now()) where id = ${key.id} returning *`;
      keyCache.clear();
      return c.json(keyJson(row!), 200);
    },
  );

  return app;
}

/**
 * The organization `id`, if the caller may manage it: the admin any, an operator those it
 * registered and itself, any other organization's secret key only itself.
 */
async function managedOrganization(sql: Sql, principal: Principal, id: string): Promise<OrganizationRow> {
  const own = requireAccess(principal, { organizations: ['operator', 'provider', 'mentor', 'referrer'] });
  const [row] = await sql<OrganizationRow[]>`select * from organizations where id = ${id}`;
  const allowed = row !== undefined && (own === undefined || row.id === own.id || row.managed_by === own.id);
  if (!allowed) throw new Problem(404, 'not_found', 'No such organization', `No organization ${id} that you manage.`);
  return row;
}

function organizationJson(row: OrganizationRow) {
  return {
    id: row.id,
    object: 'organization' as const,
    kind: row.kind,
    name: row.name,
    allowed_origins: row.allowed_origins,
    managed_by: row.managed_by,
    created_at: row.created_at.toISOString(),
  };
}

function keyJson(row: KeyRow) {
  return {
    id: row.id,
    object: 'api_key' as const,
    organization_id: row.organization_id,
    kind: row.kind,
    mode: row.mode,
    hint: row.hint,
    label: row.label,
    created_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}
