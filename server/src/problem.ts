import type { Context, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { TrieRouter } from 'hono/router/trie-router';
import type { RouterRoute } from 'hono/types';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The stable error codes of DESIGN §3; clients branch on these, never on `title` or `detail`. */
export type ProblemCode =
  | 'invalid_request'
  | 'unauthorized'
  | 'forbidden'
  | 'forbidden_origin'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'unsupported_image'
  | 'photo_alt_required'
  | 'insufficient_funds'
  | 'allocation_exceeded'
  | 'voucher_expired'
  | 'voucher_locked'
  | 'wrong_pin'
  | 'restriction_mismatch'
  | 'sold_out'
  | 'hold_already_resolved'
  | 'hold_expired'
  | 'exceeds_hold'
  | 'exceeds_need'
  | 'cancellation_window_closed'
  | 'already_settled'
  | 'card_already_issued'
  | 'payment_failed'
  | 'invalid_signature'
  | 'idempotency_conflict'
  | 'idempotency_in_flight'
  | 'rate_limited'
  | 'service_unavailable'
  | 'internal_error';

export interface ProblemField {
  /** JSON pointer-like path of the bad field, e.g. `seats` or `restrictions.categories.0`. */
  path: string;
  message: string;
}

/** The one error type of the server: thrown anywhere, answered as RFC 9457 problem+json. */
export class Problem extends Error {
  override name = 'Problem';

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ProblemCode,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: ProblemField[],
    /** RFC 9457 extension members (e.g. `attempts_left`) and response headers (e.g. `Retry-After`). */
    readonly more: { extensions?: Record<string, unknown>; headers?: Record<string, string> } = {},
  ) {
    super(detail ?? title);
  }
}

export function problemResponse(c: Context, problem: Problem): Response {
  const body = {
    type: `urn:mentoring:problem:${problem.code}`,
    title: problem.title,
    status: problem.status,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    code: problem.code,
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
    ...problem.more.extensions,
    request_id: c.get('requestId') as string | undefined,
  };
  return c.body(JSON.stringify(body), problem.status, {
    ...problem.more.headers,
    'Content-Type': 'application/problem+json',
  });
}

const codeForStatus: Partial<Record<number, ProblemCode>> = {
  400: 'invalid_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  413: 'payload_too_large',
  429: 'rate_limited',
  503: 'service_unavailable',
};

/** Hono's onError: known problems as they are, anything unexpected as a logged 500 that hides internals. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof Problem) return problemResponse(c, error);
  // PostgreSQL stores no NUL character in text: a request that sends one (`\u0000` in JSON) is
  // refused by the statement that would store it, and with it the whole transaction.
  if ('code' in error && (error.code === '22021' || error.code === '22P05')) {
    return problemResponse(c, new Problem(400, 'invalid_request', 'Invalid text', 'Texts may not contain the NUL character (\\u0000).'));
  }
  if (error instanceof HTTPException && error.status < 500) {
    const code = codeForStatus[error.status] ?? 'invalid_request';
    // Hono's own refusals (a body that is not JSON, say) have a message, not a title and a detail: the message is both.
    const message = error.message || 'Invalid request';
    return problemResponse(c, new Problem(error.status, code, message, `${message}. Check the request against /docs.`));
  }
  console.error(`[${String(c.get('requestId'))}] ${c.req.method} ${c.req.path} failed:`, error);
  return problemResponse(
    c,
    new Problem(500, 'internal_error', 'Internal error', 'Something went wrong on our side. Quote the request id when you report it.'),
  );
}

/**
 * Hono's notFound for the app whose `routes` these are: a path that exists for other methods answers
 * 405 with `Allow` (RFC 9110 §15.5.6), so `GET /v1/redemptions/{id}/capture` says to POST, not
 * that there is nothing there; anything else 404.
 */
export function notFound(routes: () => readonly RouterRoute[]): NotFoundHandler {
  // Built at the first miss, when every route is in: each route's method under its path.
  let methodsByPath: TrieRouter<string> | undefined;
  return (c) => {
    if (methodsByPath === undefined) {
      methodsByPath = new TrieRouter();
      // 'ALL' are middleware (`app.use`), which answer nothing by themselves.
      for (const route of routes()) if (route.method !== 'ALL') methodsByPath.add('ALL', route.path, route.method);
    }
    // The path's own methods, as a person reads them; Allow adds HEAD (with GET) and OPTIONS, which every path answers.
    const methods = [...new Set(methodsByPath.match(c.req.method, c.req.path)[0].map(([method]) => method))].sort();
    if (methods.length > 0) {
      const allowed = [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'].sort();
      const headers = { Allow: allowed.join(', ') };
      // OPTIONS without a CORS preflight's Origin: what the path answers (RFC 9110 §9.3.7).
      if (c.req.method === 'OPTIONS') return c.body(null, 204, headers);
      // A method the path has (a file under a static route that is not there, say) is a plain 404.
      if (!allowed.includes(c.req.method)) {
        const detail = `${c.req.path} answers ${methods.join(', ')}, not ${c.req.method}.`;
        return problemResponse(c, new Problem(405, 'method_not_allowed', 'Method not allowed', detail, undefined, { headers }));
      }
    }
    return problemResponse(c, new Problem(404, 'not_found', 'Not found', `Nothing at ${c.req.method} ${c.req.path}.`));
  };
}
