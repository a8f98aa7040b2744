// The audit log (012_audit_log.sql): one row per write the API answers, per read of a
// beneficiary's data, and per job run that moved money. Rows of concurrent requests go to the
// database together (a Batcher, as the Ledger's transfers), so a busy box office costs one INSERT
// per batch rather than one per request.
import type { Context, MiddlewareHandler } from 'hono';
import { isKeyless } from '../auth/authenticate.js';
import { Batcher } from '../db/batcher.js';
import type { Queryable, Sql } from '../db/connection.js';
import type { ApiEnv, Principal } from '../http/context.js';
import { newId } from '../ids.js';
import { Problem } from '../problem.js';

export type AuditActor = 'admin' | 'key' | 'payment_provider' | 'job';

export interface AuditEntry {
  /** X-Request-Id; null for a job. */
  requestId: string | null;
  actor: AuditActor;
  keyId: string | null;
  organizationId: string | null;
  /** `POST /v1/redemptions/{id}/capture`, or a job's name. */
  action: string;
  objectId: string | null;
  status: number | null;
  problemCode: string | null;
  /** Figures (a job's); never a request body. */
  detail?: Record<string, unknown>;
}

/** An entry as stored (the database adds `created_at`). */
export interface AuditRow {
  id: string;
  request_id: string | null;
  actor: AuditActor;
  key_id: string | null;
  organization_id: string | null;
  action: string;
  object_id: string | null;
  status: number | null;
  problem_code: string | null;
  detail: Record<string, unknown> | null;
}

export class AuditLog {
  readonly #batcher: Batcher<AuditRow, void>;

  constructor(sql: Sql, { batchSize = 256 } = {}) {
    this.#batcher = new Batcher(
      async (rows) => {
        await insertAuditRows(sql, rows);
        return rows.map(() => undefined);
      },
      { writers: 1, batchSize },
    );
  }

  /** Resolves once the entry is stored; a failure is logged with the entry, never thrown (the change it records stands). */
  async record(entry: AuditEntry): Promise<void> {
    const row = auditRow(entry);
    await this.#batcher.submit([row]).catch((error: unknown) => {
      console.error(`audit log: could not store ${JSON.stringify(row)}:`, error);
    });
  }
}

export function auditRow(entry: AuditEntry): AuditRow {
  return {
    id: newId(),
    request_id: entry.requestId,
    actor: entry.actor,
    key_id: entry.keyId,
    organization_id: entry.organizationId,
    action: entry.action,
    object_id: entry.objectId,
    status: entry.status,
    problem_code: entry.problemCode,
    detail: entry.detail ?? null,
  };
}

/** Stores rows in one INSERT: the AuditLog's batches, or a caller's own transaction. */
export async function insertAuditRows(sql: Queryable, rows: readonly AuditRow[]): Promise<void> {
  await sql`
    insert into audit_log (id, request_id, actor, key_id, organization_id, action, object_id, status, problem_code, detail)
    select * from jsonb_to_recordset(${JSON.stringify(rows)}::text::jsonb)
      as r (id uuid, request_id text, actor text, key_id uuid, organization_id uuid, action text, object_id uuid,
            status integer, problem_code text, detail jsonb)`;
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;
const uuids = new RegExp(uuid.source, 'gi');
const wholeUuid = new RegExp(`^${uuid.source}$`, 'i');

/** Marks a GET whose answer holds a beneficiary's data: the audit log records who read it. */
export function auditThisRead(c: Context<ApiEnv>): void {
  c.set('auditRead', true);
}

/** Who asks what in this request: its audit entry but for the answer. */
export type PendingAuditEntry = Omit<AuditEntry, 'status' | 'problemCode' | 'objectId'>;

/**
 * For a handler that stores its own entry in the transaction of its change (a redemption, with
 * its batch): the entry as far as the request tells. Once that transaction has committed, the
 * handler calls {@link markAudited}; until then a failure is still recorded by the middleware.
 */
export function pendingAuditEntry(c: Context<ApiEnv>): PendingAuditEntry {
  const principal = c.get('principal') as Principal | undefined;
  return {
    requestId: c.get('requestId'),
    actor: principal === undefined ? 'payment_provider' : principal.type,
    keyId: principal?.type === 'key' ? principal.id : null,
    organizationId: principal?.type === 'key' ? principal.organization.id : null,
    action: `${c.req.method} ${c.req.path.replaceAll(uuids, '{id}')}`,
  };
}

/** The handler's committed transaction holds this request's entry: the middleware adds none. */
export function markAudited(c: Context<ApiEnv>): void {
  c.set('audited', true);
}

/** How a refusal is answered, as the app's error handler answers it: a Problem's status and code, else 500. */
export function refusalAnswer(error: Error): Pick<AuditEntry, 'status' | 'problemCode'> {
  return error instanceof Problem ? { status: error.status, problemCode: error.code } : { status: 500, problemCode: 'internal_error' };
}

/**
 * Records every POST and PUT under /v1 that reached the API with a key (or a payment provider's signed
 * webhook), whatever its answer, and the GETs marked with {@link auditThisRead}, once the answer is
 * known and before it leaves: an answered write always has its entry. Replayed idempotent answers
 * changed nothing and are not recorded again.
 */
export function auditRequests(audit: AuditLog): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    // Writes are POSTs, and the PUTs of a public profile and a story's photo.
    if (c.req.method !== 'POST' && c.req.method !== 'PUT') {
      await next();
      if (c.get('auditRead') === true) await audit.record(entryFor(c, undefined));
      return;
    }
    // The object a POST made is in its JSON answer; noted as it is answered, since reading a
    // Response back costs more than the rest of a redemption's own work in Node.
    let answered: unknown;
    const json = c.json;
    c.json = ((object: unknown, ...rest: unknown[]) => {
      answered = object;
      return (json as (...args: unknown[]) => Response)(object, ...rest);
    }) as typeof c.json;
    await next();
    // Set by the handler, or by a replay of an Idempotency-Key (reading c.res.headers would build a web Headers).
    if (c.get('audited') === true) return;
    // Without a principal, only a keyless POST (a payment webhook) got as far as a handler.
    if (c.get('principal') === undefined && !isKeyless(c.req.method, c.req.path)) return;
    await audit.record(entryFor(c, answered));
  };
}

function entryFor(c: Context<ApiEnv>, answered: unknown): AuditEntry {
  const created = (answered as { id?: unknown } | undefined)?.id;
  const error = c.error;
  return {
    ...pendingAuditEntry(c),
    objectId: uuid.exec(c.req.path)?.[0] ?? (typeof created === 'string' && wholeUuid.test(created) ? created : null),
    status: c.res.status,
    problemCode: error instanceof Problem ? error.code : c.res.status >= 500 ? 'internal_error' : null,
  };
}
