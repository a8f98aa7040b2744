import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Sql } from '../db/connection.js';
import { Problem } from '../problem.js';

/**
 * Counts one hit in a fixed window for `bucket` (e.g. `ip:203.0.113.9`) and throws 429
 * `rate_limited` with Retry-After once `limit` is passed. The counter is a PostgreSQL row, so
 * every replica counts together.
 */
export async function hitRateLimit(sql: Sql, bucket: string, limit: number, windowSeconds: number): Promise<void> {
  const [row] = await sql<{ hits: number; retry_after: number }[]>`
    insert into rate_limits as r (bucket, window_started_at, hits) values (${bucket}, now(), 1)
    on conflict (bucket) do update set
      hits = case when r.window_started_at <= now() - make_interval(secs => ${windowSeconds}) then 1 else r.hits + 1 end,
      window_started_at = case when r.window_started_at <= now() - make_interval(secs => ${windowSeconds})
                               then now() else r.window_started_at end
    returning hits,
      ceil(extract(epoch from (window_started_at + make_interval(secs => ${windowSeconds}) - now())))::int as retry_after`;
  if (row!.hits > limit) throw rateLimited(row!.retry_after);
}

export function rateLimited(retryAfterSeconds: number): Problem {
  const seconds = Math.max(1, retryAfterSeconds);
  return new Problem(
    429,
    'rate_limited',
    'Too many attempts',
    `Too many attempts in a short time; try again in ${seconds} seconds.`,
    undefined,
    { extensions: { retry_after: seconds }, headers: { 'Retry-After': String(seconds) } },
  );
}

/** The client's IP: the socket's, or the first X-Forwarded-For hop when a trusted proxy sets it. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('X-Forwarded-For')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}
