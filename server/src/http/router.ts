import { OpenAPIHono, z } from '@hono/zod-openapi';
import { Problem, type ProblemField } from '../problem.js';
import type { ApiEnv } from './context.js';

/**
 * A sub-app of the API. Its routes are declared with zod schemas (createRoute), which both
 * validate requests and produce /openapi.json; a request that fails them gets one 400
 * `invalid_request` naming every bad field.
 */
export function apiRouter(): OpenAPIHono<ApiEnv> {
  return new OpenAPIHono<ApiEnv>({
    defaultHook: (result) => {
      if (!result.success) throw invalidRequest(result.error);
    },
  });
}

/**
 * One error per bad field, named by its path: an unknown field by its own (`vouchers.0.note`, where
 * zod names the object that holds it), and a field that fails two checks (1e20 cents: not a safe
 * integer, over 10^11) once, with its first message.
 */
export function invalidRequest(error: z.ZodError, where = ''): Problem {
  const pathOf = (path: readonly PropertyKey[]) => [where, ...path.map(String)].filter(Boolean).join('.');
  const errors = new Map<string, ProblemField>();
  for (const issue of error.issues) {
    const fields =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({ path: pathOf([...issue.path, key]), message: 'Unknown field: this endpoint does not take it.' }))
        : [{ path: pathOf(issue.path), message: issue.message }];
    for (const field of fields) if (!errors.has(field.path)) errors.set(field.path, field);
  }
  const fields = [...errors.keys()].map((path) => path || '(body)').join(', ');
  return new Problem(400, 'invalid_request', 'Invalid request', `Check these fields: ${fields}.`, [...errors.values()]);
}

/** The problem+json body, for the responses each route declares. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().openapi({ description: 'Stable error code; branch on this, never on title or detail.' }),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    request_id: z.string().optional(),
    // Extension members some codes carry (docs/api.md, Errors).
    attempts_left: z.number().int().optional().openapi({ description: '`wrong_pin`: wrong PINs left before the voucher locks.' }),
    seats_left: z.number().int().optional().openapi({ description: '`sold_out`: seats left for vouchers.' }),
    available: z.number().int().optional().openapi({ description: '`insufficient_funds`: cents left on the voucher or in the pool.' }),
    amount: z.number().int().optional().openapi({ description: '`insufficient_funds`: cents asked for.' }),
    restriction: z.string().optional().openapi({ description: '`restriction_mismatch`: circuit, category, offer or provider.' }),
    retry_after: z.number().int().optional().openapi({ description: '`rate_limited`: seconds to wait (also the `Retry-After` header).' }),
    allocation_left: z.number().int().optional().openapi({ description: '`allocation_exceeded`: cents left to issue.' }),
    open_amount: z.number().int().optional().openapi({ description: '`exceeds_need`: cents the need has left to adopt.' }),
    expired_at: z.string().optional().openapi({ description: '`voucher_expired`: when.' }),
    reversible_until: z.string().optional().openapi({ description: '`cancellation_window_closed`: until when it could be reversed.' }),
    settlement_id: z.string().optional().openapi({ description: '`already_settled`: the settlement that paid for it.' }),
  })
  .openapi('Problem');

/** The error responses most routes can give, for the OpenAPI document. */
export function problems(...statuses: number[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid request (`invalid_request`)',
    401: 'Missing, unknown or revoked key (`unauthorized`)',
    403: 'Key not allowed here (`forbidden`, `forbidden_origin`)',
    404: 'Not found (`not_found`)',
    409: 'Conflict (`conflict`, `idempotency_in_flight`, `hold_already_resolved`, …)',
    413: 'Body over the size limit (`payload_too_large`)',
    415: 'Not a type this endpoint takes (`unsupported_image`)',
    410: 'Voucher expired (`voucher_expired`)',
    422: 'Refused by the rules (`insufficient_funds`, `idempotency_conflict`, …)',
    423: 'Voucher locked after too many wrong PINs (`voucher_locked`)',
    429: 'Too many attempts (`rate_limited`)',
  };
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: descriptions[status] ?? 'Error', content: { 'application/problem+json': { schema: problemSchema } } },
    ]),
  );
}

/** A JSON request body that must be present (without `required`, a non-JSON body skips validation). */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

/** Bearer auth, as declared in the OpenAPI document. */
export const bearer = [{ bearer: [] }];
