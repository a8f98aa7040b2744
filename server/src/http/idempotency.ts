import { createHash } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { markAudited } from '../audit/audit-log.js';
import type { Sql } from '../db/connection.js';
import { Problem } from '../problem.js';
import type { ApiEnv } from './context.js';

/** How long a stored response is replayed; after that the key may be used afresh. */
export const idempotencyWindowHours = 24;

interface StoredRequest {
  request_hash: Buffer;
  status: 'in_flight' | 'done';
  response_status: number | null;
  response_body: string | null;
  response_content_type: string | null;
}

/**
 * `Idempotency-Key` on a POST (DESIGN §3): the first request with a key runs and its response is
 * stored; the same key and body again get that response back (with `Idempotent-Replayed: true`),
 * a different body 422 `idempotency_conflict`, and a request while the first still runs 409.
 * Server errors, conflicts and rate limits are not stored, so a retry runs again.
 * Records live in PostgreSQL: every replica sees them.
 */
export function idempotency(sql: Sql): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const key = c.req.header('Idempotency-Key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new Problem(400, 'invalid_request', 'Invalid Idempotency-Key', 'Use 1 to 255 visible ASCII characters, e.g. a UUID.');
    }
    const principal = c.get('principal')?.id ?? 'public';
    const body = await c.req.text();
    const hash = createHash('sha256').update(`${c.req.method} ${c.req.path}\n${body}`).digest();
    const [claimed] = await sql<{ key: string }[]>`
      insert into idempotency_keys (principal, key, request_hash, status)
      values (${principal}, ${key}, ${hash}, 'in_flight')
      on conflict (principal, key) do update
        set request_hash = excluded.request_hash, status = 'in_flight', response_status = null,
            response_body = null, response_content_type = null, created_at = now()
        where idempotency_keys.created_at < now() - make_interval(hours => ${idempotencyWindowHours})
      returning key`;
    if (claimed === undefined) {
      const replayed = replay(c, await storedRequest(sql, principal, key), hash);
      // The first request's audit entry stands for its replays.
      markAudited(c);
      return replayed;
    }

    try {
      await next();
    } catch (error) {
      await forget(sql, principal, key);
      throw error;
    }
    const status = c.res.status;
    if (status >= 500 || status === 409 || status === 429) {
      await forget(sql, principal, key);
      return;
    }
    const responseBody = await c.res.clone().text();
    await sql`
      update idempotency_keys
      set status = 'done', response_status = ${status}, response_body = ${responseBody},
          response_content_type = ${c.res.headers.get('Content-Type')}
      where principal = ${principal} and key = ${key}`;
  };
}

async function storedRequest(sql: Sql, principal: string, key: string): Promise<StoredRequest | undefined> {
  const [stored] = await sql<StoredRequest[]>`
    select request_hash, status, response_status, response_body, response_content_type
    from idempotency_keys where principal = ${principal} and key = ${key}`;
  return stored;
}

/** The stored response again, with this request's own headers (its request id, CORS for its origin). */
function replay(c: Context<ApiEnv>, stored: StoredRequest | undefined, hash: Buffer): Response {
  if (stored === undefined || stored.status === 'in_flight') {
    throw new Problem(
      409,
      'idempotency_in_flight',
      'Request in progress',
      'A request with this Idempotency-Key is still being processed; retry in a moment.',
      undefined,
      { headers: { 'Retry-After': '1' } },
    );
  }
  if (!stored.request_hash.equals(hash)) {
    throw new Problem(
      422,
      'idempotency_conflict',
      'Idempotency-Key reused',
      'This Idempotency-Key was used with a different request; use a new key for a new request.',
    );
  }
  const headers: Record<string, string> = { 'Idempotent-Replayed': 'true' };
  if (stored.response_content_type !== null) headers['Content-Type'] = stored.response_content_type;
  // A stored response always has a body: no POST of the API answers 204.
  return c.body(stored.response_body ?? '', stored.response_status as ContentfulStatusCode, headers);
}

async function forget(sql: Sql, principal: string, key: string): Promise<void> {
  await sql`delete from idempotency_keys where principal = ${principal} and key = ${key} and status = 'in_flight'`;
}
