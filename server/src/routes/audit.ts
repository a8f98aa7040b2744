import { createRoute, z } from '@hono/zod-openapi';
import { principalOf, requireAccess } from '../auth/authenticate.js';
import type { AuditRow } from '../audit/audit-log.js';
import type { Services } from '../http/context.js';
import { after, page, pageOf, pageQuery } from '../http/pagination.js';
import { apiRouter, bearer, jsonResponse, problems } from '../http/router.js';

const auditEntrySchema = z
  .object({
    id: z.uuid(),
    object: z.literal('audit_entry'),
    created_at: z.iso.datetime(),
    request_id: z.string().nullable().openapi({ description: 'The X-Request-Id of the request; null for a job.' }),
    actor: z.enum(['admin', 'key', 'payment_provider', 'job']),
    key_id: z.uuid().nullable(),
    organization_id: z.uuid().nullable().openapi({ description: "The key's organization." }),
    action: z.string().openapi({ example: 'POST /v1/redemptions/{id}/capture' }),
    object_id: z.uuid().nullable().openapi({ description: 'The id in the path, or of the object the request made.' }),
    status: z.number().int().nullable().openapi({ description: 'The HTTP status answered.' }),
    problem_code: z.string().nullable().openapi({ description: 'The problem code, when refused.' }),
    detail: z.record(z.string(), z.unknown()).nullable().openapi({ description: "What a job did, in figures." }),
  })
  .openapi('AuditEntry');

const listQuery = pageQuery.extend({
  organization_id: z.uuid().optional(),
  key_id: z.uuid().optional(),
  object_id: z.uuid().optional(),
});

/** `GET /v1/audit_log`: who did what, when, for the operator (its own keys and its organizations') and the admin (all, jobs included). */
export function auditRoutes({ sql }: Services) {
  const app = apiRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/audit_log',
      tags: ['Audit'],
      summary: 'Read the audit log',
      description:
        'One entry per write (every POST with a key, whatever its answer, and payment webhooks), per export of a ' +
        "beneficiary's data and per expiry run; oldest first. An operator reads the entries of its own keys and of the " +
        'organizations it manages; the admin reads all. Append-only: entries are never changed or deleted.',
      security: bearer,
      request: { query: listQuery },
      responses: { 200: jsonResponse(pageOf(auditEntrySchema), 'A page of entries'), ...problems(400, 401, 403) },
    }),
    async (c) => {
      const operator = requireAccess(principalOf(c), { organizations: ['operator'] });
      const query = c.req.valid('query');
      const rows = await sql<(AuditRow & { created_at: Date })[]>`
        select * from audit_log
        where id > ${after(query)}
          ${
            operator === undefined
              ? sql``
              : sql`and organization_id in (select ${operator.id}::uuid union all select id from organizations where managed_by = ${operator.id})`
          }
          ${query.organization_id === undefined ? sql`` : sql`and organization_id = ${query.organization_id}`}
          ${query.key_id === undefined ? sql`` : sql`and key_id = ${query.key_id}`}
          ${query.object_id === undefined ? sql`` : sql`and object_id = ${query.object_id}`}
        order by id limit ${query.limit + 1}`;
      return c.json(
        page(
          rows.map((row) => ({ ...row, object: 'audit_entry' as const, created_at: row.created_at.toISOString() })),
          query.limit,
        ),
        200,
      );
    },
  );
  return app;
}
