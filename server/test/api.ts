// The API under test: a fresh migrated database, the app on it with an admin key, and helpers
// to call it as a browser or a server would. Tests go through app.request(), as Hono advises.
import assert from 'node:assert/strict';
import { createApp } from '../src/app.js';
import { migrate } from '../src/db/migrate.js';
import type { Services } from '../src/http/context.js';
import { Ledger } from '../src/ledger/ledger.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export const adminKey = 'sk_test_admin0000000000000000000000000000';

export interface TestApi {
  app: ReturnType<typeof createApp>;
  database: TestDatabase;
  ledger: Ledger;
  close(): Promise<void>;
}

export async function createTestApi(services: Partial<Omit<Services, 'sql' | 'ledger'>> = {}): Promise<TestApi> {
  const database = await createTestDatabase();
  await migrate(database.sql);
  const ledger = new Ledger(database.sql);
  // The tests' webhook receivers listen on loopback.
  const app = createApp({ database, services: { adminKey, webhookPrivateAddresses: true, ...services, ledger } });
  return { app, database, ledger, close: () => database.close() };
}

/** What `call` needs: the app in-process (`app.request()`), or a running server over HTTP ({@link overHttp}). */
export interface ApiCaller {
  app: { request(path: string, init: RequestInit): Response | Promise<Response> };
}

/** Calls a running server at `base` (e.g. the server process) the way tests call the app. */
export function overHttp(base: string): ApiCaller {
  return { app: { request: (path, init) => fetch(new URL(path, base), init) } };
}

export interface CallOptions {
  /** The bearer key; none when undefined. */
  key?: string | undefined;
  /** Sent as JSON unless it is a string (sent as it is). */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult<T = Record<string, any>> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls the API and reads the JSON answer (problem+json included). */
export async function call<T = Record<string, any>>(
  api: ApiCaller,
  method: string,
  path: string,
  { key, body, headers = {} }: CallOptions = {},
): Promise<CallResult<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  const sent = init.headers as Record<string, string>;
  if (key !== undefined) sent.Authorization = `Bearer ${key}`;
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    sent['Content-Type'] ??= 'application/json';
  }
  const response = await api.app.request(path, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? ({} as T) : (JSON.parse(text) as T) };
}

/** Asserts a problem+json answer with this status and code, and returns its body. */
export function assertProblem(result: CallResult, status: number, code: string): Record<string, any> {
  assert.equal(result.status, status, `expected ${status} ${code}, got ${result.status}: ${JSON.stringify(result.body)}`);
  assert.equal(result.headers.get('content-type'), 'application/problem+json');
  assert.equal(result.body.code, code);
  return result.body;
}

/** Asserts a successful answer with this status, and returns its body. */
export function assertOk<T = Record<string, any>>(result: CallResult<T>, status = 200): T {
  assert.equal(result.status, status, `expected ${status}, got ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

export interface TestOrganization {
  id: string;
  kind: string;
  /** A test-mode secret key. */
  secretKey: string;
}

/** Registers an organization (as `by`, the admin by default) and makes it a secret key. */
export async function createOrganization(
  api: ApiCaller,
  kind: 'provider' | 'mentor' | 'referrer' | 'operator',
  { name = `Test ${kind}`, allowedOrigins = [] as string[], by = adminKey } = {},
): Promise<TestOrganization> {
  const organization = assertOk(
    await call(api, 'POST', '/v1/organizations', { key: by, body: { kind, name, allowed_origins: allowedOrigins } }),
    201,
  );
  const key = await createKey(api, organization.id, 'secret', by);
  return { id: organization.id, kind, secretKey: key };
}

/** Makes a key of `kind` for the organization and returns the key itself. */
export async function createKey(
  api: ApiCaller,
  organizationId: string,
  kind: 'secret' | 'publishable' | 'desk',
  by = adminKey,
): Promise<string> {
  const created = assertOk(await call(api, 'POST', `/v1/organizations/${organizationId}/keys`, { key: by, body: { kind } }), 201);
  return created.key as string;
}
