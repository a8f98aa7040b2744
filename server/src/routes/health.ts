import { Hono } from 'hono';
import type { Database } from '../db/connection.js';
import { Problem } from '../problem.js';

/** How long the health check waits for the database before it reports the service unavailable. */
const databaseTimeoutMs = 2_000;

/** `GET /healthz`: 200 when the database answers, 503 problem+json when it does not. For load balancers. */
export function healthRoutes(database: Database): Hono {
  return new Hono().get('/', async (c) => {
    c.header('Cache-Control', 'no-store');
    const started = performance.now();
    try {
      await withTimeout(database.sql`select 1`, databaseTimeoutMs);
    } catch (error) {
      console.error(`[${String(c.get('requestId'))}] health check: database unreachable:`, error);
      throw new Problem(503, 'service_unavailable', 'Database unavailable', 'The database did not answer.');
    }
    const latencyMs = Math.round((performance.now() - started) * 10) / 10;
    return c.json({ status: 'ok', database: { status: 'ok', kind: database.kind, latency_ms: latencyMs } });
  });
}

function withTimeout<T>(promise: PromiseLike<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
