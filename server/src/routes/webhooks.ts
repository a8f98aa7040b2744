import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import { randomCharacters, type KeyMode } from '../auth/keys.js';
import type { Queryable } from '../db/connection.js';
import type { Organization, Principal, Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonBody, jsonResponse, problems } from '../http/router.js';
import { newId } from '../ids.js';
import { Problem, type ProblemField } from '../problem.js';
import { endpointUrlProblem } from '../webhooks/endpoint-url.js';
import { eventTypesFor, webhookEventTypes, type WebhookEventType } from '../webhooks/events.js';
import { signatureHeaderName } from '../webhooks/worker.js';

/** The longest an old secret keeps signing after a rotation. */
const maxRotationOverlapSeconds = 7 * 24 * 3600;
/** Endpoints of one organization, disabled ones included: each event is one delivery per endpoint. */
export const maxEndpointsPerOrganization = 16;

const endpointSchema = z
  .object({
    id: z.uuid(),
    object: z.literal('webhook_endpoint'),
    organization_id: z.uuid(),
    url: z.string(),
    mode: z.enum(['test', 'live']).openapi({ description: 'The mode of the key that made it; only test endpoints may use http://.' }),
    event_types: z.array(z.enum(webhookEventTypes)),
    description: z.string().nullable(),
    status: z.enum(['enabled', 'disabled']),
    secret_hint: z.string().openapi({ example: 'whsec_…a1B2' }),
    previous_secret_expires_at: z.iso.datetime().nullable().openapi({
      description: 'After a rotation, the previous secret signs too (a second `v1=`) until then.',
    }),
    created_at: z.iso.datetime(),
  })
  .openapi('WebhookEndpoint');

const endpointWithSecretSchema = endpointSchema
  .extend({
    secret: z.string().openapi({
      description: `Shown only in this response. Verify the ${signatureHeaderName} header of every delivery with it.`,
      example: 'whsec_7K3Q9XPAW2DC8abcdEFGHijklMNOPqrs',
    }),
  })
  .openapi('WebhookEndpointWithSecret');

const eventTypesInput = z.array(z.enum(webhookEventTypes)).min(1).max(webhookEventTypes.length);

const newEndpointSchema = z
  .strictObject({
    url: z.string().max(2048).openapi({ description: 'https:// (http:// too with a test key).', example: 'https://teatro.example/mentoring/webhooks' }),
    event_types: eventTypesInput.openapi({ description: 'What to be told of; each kind of organization hears of its own objects, an operator of its circuits.' }),
    description: z.string().trim().min(1).max(200).optional(),
  })
  .openapi('NewWebhookEndpoint');

const endpointUpdateSchema = z
  .strictObject({
    url: z.string().max(2048).optional(),
    event_types: eventTypesInput.optional(),
    description: z.string().trim().min(1).max(200).optional(),
    disabled: z.boolean().optional().openapi({ description: 'A disabled endpoint gets no new events and no deliveries until enabled again.' }),
  })
  .openapi('WebhookEndpointUpdate');

const rotationSchema = z
  .strictObject({
    previous_secret_expires_in: z.number().int().min(0).max(maxRotationOverlapSeconds).default(24 * 3600).openapi({
      description: 'Seconds the old secret still signs beside the new one (a day by default; 0 stops it at once).',
    }),
  })
  .openapi('WebhookSecretRotation');

const attemptSchema = z.object({
  attempted_at: z.iso.datetime(),
  succeeded: z.boolean(),
  response_status: z.number().int().nullable(),
  duration_ms: z.number().int(),
  error: z.string().nullable(),
});

const deliverySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('webhook_delivery'),
    endpoint_id: z.uuid(),
    event: z.object({ id: z.uuid(), type: z.enum(webhookEventTypes), created_at: z.iso.datetime() }),
    status: z.enum(['pending', 'delivered', 'failed']),
    attempt_count: z.number().int(),
    next_attempt_at: z.iso.datetime().nullable().openapi({ description: 'While pending.' }),
    give_up_at: z.iso.datetime(),
    delivered_at: z.iso.datetime().nullable(),
    attempts: z.array(attemptSchema).openapi({ description: 'Every attempt, oldest first.' }),
  })
  .openapi('WebhookDelivery');

const deliveryQuery = pageQuery.extend({
  status: z.enum(['pending', 'delivered', 'failed']).optional(),
  event_type: z.enum(webhookEventTypes).optional(),
});

interface EndpointRow {
  id: string;
  organization_id: string;
  url: string;
  mode: KeyMode;
  event_types: WebhookEventType[];
  description: string | null;
  secret: string;
  previous_secret_expires_at: Date | null;
  disabled_at: Date | null;
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: WebhookEventType;
  event_created_at: Date;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: Date;
  give_up_at: Date;
  delivered_at: Date | null;
}

interface AttemptRow {
  delivery_id: string;
  attempted_at: Date;
  succeeded: boolean;
  response_status: number | null;
  duration_ms: number;
  error: string | null;
}

const idParam = z.object({ id: z.uuid() });

/**
 * Webhook endpoints: an organization chooses where and of what it is told. Events are queued in
 * the transaction of their change and sent by the worker (webhooks/worker.ts), signed as DESIGN §3
 * says; each delivery keeps a log of its attempts.
 */
export function webhookRoutes({ sql, webhookPrivateAddresses }: Services) {
  const app = apiRouter();

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook_endpoints',
      tags: ['Webhooks'],
      summary: 'Add a webhook endpoint',
      description:
        "With the organization's secret key. The answer carries the signing secret, shown only this once. Every " +
        `delivery is a POST of \`{id, type, created_at, data}\` (data: the object as the API shows it) with ` +
        `\`${signatureHeaderName}: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>\`; answer 2xx within 10 s. ` +
        'Failed deliveries are retried with exponential backoff for 3 days; redirects are not followed.',
      security: bearer,
      request: { body: jsonBody(newEndpointSchema) },
      responses: { 201: jsonResponse(endpointWithSecretSchema, 'The endpoint, with its secret'), ...problems(400, 401, 403, 409) },
    }),
    async (c) => {
      const principal = principalOf(c);
      const organization = requireOwner(principal);
      const body = c.req.valid('json');
      checkEndpoint(organization, principal.mode, body, webhookPrivateAddresses);
      const [existing] = await sql<{ count: number }[]>`
        select count(*)::int as count from webhook_endpoints where organization_id = ${organization.id}`;
      if (existing!.count >= maxEndpointsPerOrganization) {
        throw new Problem(409, 'conflict', 'Too many webhook endpoints', `An organization has at most ${maxEndpointsPerOrganization}; change or reuse one.`);
      }
      const secret = newSecret();
      const [row] = await sql<EndpointRow[]>`
        insert into webhook_endpoints (id, organization_id, url, mode, event_types, description, secret)
        values (${newId()}, ${organization.id}, ${body.url}, ${principal.mode}, ${body.event_types}, ${body.description ?? null}, ${secret})
        returning *`;
      return c.json({ ...endpointJson(row!), secret }, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhook_endpoints',
      tags: ['Webhooks'],
      summary: 'List your webhook endpoints',
      security: bearer,
      request: { query: pageQuery },
      responses: { 200: jsonResponse(pageOf(endpointSchema), 'A page of endpoints'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const organization = requireOwner(principalOf(c));
      const query = c.req.valid('query');
      const rows = await sql<EndpointRow[]>`
        select * from webhook_endpoints where organization_id = ${organization.id} and id > ${after(query)}
        order by id limit ${query.limit + 1}`;
      return c.json(page(rows.map(endpointJson), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhook_endpoints/{id}',
      tags: ['Webhooks'],
      summary: 'Retrieve a webhook endpoint',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(endpointSchema, 'The endpoint'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const endpoint = await ownEndpoint(sql, requireOwner(principalOf(c)), c.req.valid('param').id);
      return c.json(endpointJson(endpoint), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook_endpoints/{id}',
      tags: ['Webhooks'],
      summary: 'Change, disable or enable a webhook endpoint',
      description: 'Deliveries already queued go to the new URL. A disabled endpoint is queued nothing and sent nothing.',
      security: bearer,
      request: { params: idParam, body: jsonBody(endpointUpdateSchema) },
      responses: { 200: jsonResponse(endpointSchema, 'The endpoint'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const organization = requireOwner(principalOf(c));
      const endpoint = await ownEndpoint(sql, organization, c.req.valid('param').id);
      const body = c.req.valid('json');
      const changed = { url: body.url ?? endpoint.url, event_types: body.event_types ?? endpoint.event_types };
      checkEndpoint(organization, endpoint.mode, changed, webhookPrivateAddresses);
      const disabled = body.disabled === undefined ? sql`disabled_at` : body.disabled ? sql`coalesce(disabled_at, now())` : sql`null`;
      const [row] = await sql<EndpointRow[]>`
        update webhook_endpoints
        set url = ${changed.url}, event_types = ${changed.event_types}, description = ${body.description ?? endpoint.description},
            disabled_at = ${disabled}
        where id = ${endpoint.id} returning *`;
      return c.json(endpointJson(row!), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook_endpoints/{id}/rotate_secret',
      tags: ['Webhooks'],
      summary: "Rotate an endpoint's signing secret",
      description:
        'The answer carries the new secret, shown only this once. Until `previous_secret_expires_at` every delivery ' +
        'carries two `v1=` signatures, one per secret, so the receiver can switch without missing an event.',
      security: bearer,
      request: { params: idParam, body: jsonBody(rotationSchema) },
      responses: { 200: jsonResponse(endpointWithSecretSchema, 'The endpoint, with its new secret'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const endpoint = await ownEndpoint(sql, requireOwner(principalOf(c)), c.req.valid('param').id);
      const overlap = c.req.valid('json').previous_secret_expires_in;
      const secret = newSecret();
      const [row] = await sql<EndpointRow[]>`
        update webhook_endpoints
        set secret = ${secret},
            previous_secret = ${overlap === 0 ? null : endpoint.secret},
            previous_secret_expires_at = ${overlap === 0 ? null : sql`now() + make_interval(secs => ${overlap})`}
        where id = ${endpoint.id} returning *`;
      return c.json({ ...endpointJson(row!), secret }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/webhook_endpoints/{id}/deliveries',
      tags: ['Webhooks'],
      summary: "An endpoint's deliveries, with every attempt",
      description: 'Oldest first. Kept 30 days after their event once delivered or given up.',
      security: bearer,
      request: { params: idParam, query: deliveryQuery },
      responses: { 200: jsonResponse(pageOf(deliverySchema), 'A page of deliveries'), ...problems(400, 401, 403, 404) },
    }),
    async (c) => {
      const endpoint = await ownEndpoint(sql, requireOwner(principalOf(c)), c.req.valid('param').id);
      const query = c.req.valid('query');
      const rows = await sql<DeliveryRow[]>`
        select * from webhook_deliveries
        where endpoint_id = ${endpoint.id} and id > ${after(query)}
          ${query.status === undefined ? sql`` : sql`and status = ${query.status}`}
          ${query.event_type === undefined ? sql`` : sql`and event_type = ${query.event_type}`}
        order by id limit ${query.limit + 1}`;
      return c.json(page(await withAttempts(sql, rows), query.limit), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/webhook_deliveries/{id}/retry',
      tags: ['Webhooks'],
      summary: 'Send a delivery again',
      description: 'A failed delivery (or one the receiver lost) is sent again at once, and retried for 3 more days.',
      security: bearer,
      request: { params: idParam },
      responses: { 200: jsonResponse(deliverySchema, 'The delivery, pending'), ...problems(401, 403, 404) },
    }),
    async (c) => {
      const organization = requireOwner(principalOf(c));
      const [row] = await sql<DeliveryRow[]>`
        update webhook_deliveries d
        set status = 'pending', next_attempt_at = now(), give_up_at = now() + interval '3 days'
        from webhook_endpoints e
        where d.id = ${c.req.valid('param').id} and e.id = d.endpoint_id and e.organization_id = ${organization.id}
        returning d.*`;
      if (row === undefined) throw new Problem(404, 'not_found', 'Delivery not found', 'No delivery to an endpoint of yours has this id.');
      const [delivery] = await withAttempts(sql, [row]);
      return c.json(delivery!, 200);
    },
  );

  return app;
}

/** Endpoints belong to an organization: its secret key manages them (not the admin's, which has no events). */
function requireOwner(principal: Principal): Organization {
  const organization = requireAccess(principal, { organizations: ['operator', 'provider', 'mentor', 'referrer'] });
  if (organization === undefined) {
    throw new Problem(403, 'forbidden', 'Only an organization', "Webhook endpoints belong to an organization: use its secret key.");
  }
  return organization;
}

/** The URL fits the endpoint's mode and the organization hears of every event type asked for. */
function checkEndpoint(
  organization: Organization,
  mode: KeyMode,
  endpoint: { url: string; event_types: readonly WebhookEventType[] },
  privateAddresses: boolean,
): void {
  const allowed = eventTypesFor[organization.kind];
  const errors: ProblemField[] = endpoint.event_types.flatMap((type, index) =>
    allowed.includes(type) ? [] : [{ path: `event_types.${index}`, message: `a ${organization.kind} hears only of ${allowed.join(', ')}` }],
  );
  const urlProblem = endpointUrlProblem(endpoint.url, mode, privateAddresses);
  if (urlProblem !== undefined) errors.unshift({ path: 'url', message: urlProblem });
  if (errors.length > 0) {
    throw new Problem(400, 'invalid_request', 'Invalid webhook endpoint', `Check these fields: ${errors.map((error) => error.path).join(', ')}.`, errors);
  }
}

/** 32 random letters and digits after `whsec_`: 190 bits. */
function newSecret(): string {
  return `whsec_${randomCharacters(32)}`;
}

async function ownEndpoint(sql: Queryable, organization: Organization, id: string): Promise<EndpointRow> {
  const [row] = await sql<EndpointRow[]>`select * from webhook_endpoints where id = ${id} and organization_id = ${organization.id}`;
  if (row === undefined) throw new Problem(404, 'not_found', 'Webhook endpoint not found', `You have no webhook endpoint ${id}.`);
  return row;
}

async function withAttempts(sql: Queryable, deliveries: DeliveryRow[]) {
  const attempts = await sql<AttemptRow[]>`
    select delivery_id, attempted_at, succeeded, response_status, duration_ms, error from webhook_attempts
    where delivery_id = any(${deliveries.map((delivery) => delivery.id)}::uuid[]) order by id`;
  return deliveries.map((delivery) => ({
    id: delivery.id,
    object: 'webhook_delivery' as const,
    endpoint_id: delivery.endpoint_id,
    event: { id: delivery.event_id, type: delivery.event_type, created_at: delivery.event_created_at.toISOString() },
    status: delivery.status,
    attempt_count: delivery.attempts,
    next_attempt_at: delivery.status === 'pending' ? delivery.next_attempt_at.toISOString() : null,
    give_up_at: delivery.give_up_at.toISOString(),
    delivered_at: delivery.delivered_at?.toISOString() ?? null,
    attempts: attempts
      .filter((attempt) => attempt.delivery_id === delivery.id)
      .map((attempt) => ({
        attempted_at: attempt.attempted_at.toISOString(),
        succeeded: attempt.succeeded,
        response_status: attempt.response_status,
        duration_ms: attempt.duration_ms,
        error: attempt.error,
      })),
  }));
}

function endpointJson(row: EndpointRow) {
  return {
    id: row.id,
    object: 'webhook_endpoint' as const,
    organization_id: row.organization_id,
    url: row.url,
    mode: row.mode,
    event_types: row.event_types,
    description: row.description,
    status: row.disabled_at === null ? ('enabled' as const) : ('disabled' as const),
    secret_hint: `whsec_…${row.secret.slice(-4)}`,
    previous_secret_expires_at: row.previous_secret_expires_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}
