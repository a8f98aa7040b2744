import { timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import type { ApiEnv, Organization, OrganizationKind, Principal, Services } from '../http/context.js';
import { Problem } from '../problem.js';
import { hashKey, parseKey, type KeyKind, type KeyMode } from './keys.js';

export interface KeyRecord {
  key_id: string;
  key_kind: KeyKind;
  mode: KeyMode;
  revoked: boolean;
  organization_id: string;
  organization_kind: OrganizationKind;
  name: string;
  allowed_origins: string[];
  managed_by: string | null;
  payable_account_id: string | null;
}

/**
 * Recently seen keys, so a busy widget does not cost a database lookup per request. Per process:
 * revoking a key or changing an organization clears this process's cache at once; other
 * replicas notice within {@link keyCacheSeconds} (docs/api.md says so).
 */
export class KeyCache {
  readonly #entries = new Map<string, { record: KeyRecord; until: number }>();
  /** Lookups on their way: the requests that arrive meanwhile with the same key wait for the same one. */
  readonly #loading = new Map<string, Promise<KeyRecord | undefined>>();
  /** Counts clear()s: a lookup begun before one keeps nothing, since it may have read a key before its revocation. */
  #generation = 0;

  /** The key's record while it is remembered; else undefined, and the caller {@link load}s it. */
  get(hash: Buffer): KeyRecord | undefined {
    const key = hash.toString('base64');
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > Date.now()) return entry.record;
    this.#entries.delete(key);
    return undefined;
  }

  /** Looks the key up with `lookUp`, once for every request that asks until the answer is in, and remembers it. */
  load(hash: Buffer, lookUp: () => Promise<KeyRecord | undefined>): Promise<KeyRecord | undefined> {
    const key = hash.toString('base64');
    const pending = this.#loading.get(key);
    if (pending !== undefined) return pending;
    const generation = this.#generation;
    const loading = lookUp()
      .then((record) => {
        if (record !== undefined && generation === this.#generation) this.#remember(key, record);
        return record;
      })
      .finally(() => {
        if (this.#loading.get(key) === loading) this.#loading.delete(key);
      });
    this.#loading.set(key, loading);
    return loading;
  }

  clear(): void {
    this.#generation += 1;
    this.#entries.clear();
    this.#loading.clear();
  }

  #remember(key: string, record: KeyRecord): void {
    // Bounded: a flood of distinct keys cannot grow it without limit.
    if (this.#entries.size >= 10_000) this.#entries.clear();
    this.#entries.set(key, { record, until: Date.now() + keyCacheSeconds * 1000 });
  }
}

export const keyCacheSeconds = 10;

/**
 * Requests that need no key: public counts for widgets (GETs), and payment webhooks (signed instead).
 * A public POST opens a voucher (POST /v1/public/path-progress): it takes a publishable key, as a check does.
 */
export function isKeyless(method: string, path: string): boolean {
  // OPTIONS only says which methods a path takes (a preflight is answered before this).
  return method === 'OPTIONS' || (path.startsWith('/v1/public/') && method !== 'POST') || /^\/v1\/payments\/[^/]+\/webhook$/.test(path);
}

/**
 * Resolves `Authorization: Bearer <key>` to a {@link Principal} and applies the origin rule: a
 * browser (a request with `Origin`) may use an organization's keys only from its allowed origins,
 * and then gets CORS headers for that origin alone. A refusal gets them too (a key missing,
 * mistyped, unknown or revoked, or used from an origin not allowed), so the page learns why.
 */
export function authenticate(services: Pick<Services, 'sql' | 'adminKey' | 'keyCache'>): MiddlewareHandler<ApiEnv> {
  const adminHash = services.adminKey === undefined ? undefined : hashKey(services.adminKey);
  return async (c, next) => {
    if (isKeyless(c.req.method, c.req.path)) return next();
    const origin = c.req.header('Origin');
    const header = c.req.header('Authorization');
    if (header === undefined) {
      throw unauthorized(c, origin, 'Missing API key', 'Send your key as `Authorization: Bearer <key>`.');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const key = match?.[1];
    const parsed = key === undefined ? undefined : parseKey(key);
    if (key === undefined || parsed === undefined) {
      throw unauthorized(c, origin, 'Malformed API key', 'Keys look like sk_test_…, pk_test_… or rk_test_….');
    }
    const hash = hashKey(key);
    let principal: Principal;
    if (adminHash !== undefined && timingSafeEqual(hash, adminHash)) {
      principal = { type: 'admin', id: 'admin', mode: parsed.mode };
    } else {
      const record = services.keyCache.get(hash) ?? (await services.keyCache.load(hash, () => lookUpKey(services.sql, hash)));
      if (record === undefined) throw unauthorized(c, origin, 'Unknown API key', 'No organization has this key.');
      // Before the origin rule: a revoked key tells nothing about its organization, from anywhere.
      if (record.revoked) throw unauthorized(c, origin, 'Revoked API key', 'This key was revoked; ask for a new one.');
      const organization: Organization = {
        id: record.organization_id,
        kind: record.organization_kind,
        name: record.name,
        allowedOrigins: record.allowed_origins,
        managedBy: record.managed_by,
        payableAccountId: record.payable_account_id,
      };
      principal = { type: 'key', id: record.key_id, keyKind: record.key_kind, mode: record.mode, organization };
      if (origin !== undefined) {
        // The answer is readable by the page, a refusal too: its widget says it is not set up rather than unreachable.
        allowOrigin(c, origin);
        if (!organization.allowedOrigins.includes(origin)) {
          throw new Problem(
            403,
            'forbidden_origin',
            'Origin not allowed',
            `${organization.name} has not allowed ${origin} to use its keys; add it to allowed_origins.`,
          );
        }
      }
    }
    c.set('principal', principal);
    // An answer for a key (vouchers, settlements, a beneficiary's data) is that key's alone: no cache keeps it.
    c.header('Cache-Control', 'no-store');
    return next();
  };
}

/** Lets the browser page at `origin` read the answer. */
function allowOrigin(c: Context<ApiEnv>, origin: string): void {
  c.header('Access-Control-Allow-Origin', origin);
  c.header('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After, Idempotent-Replayed, Allow');
  c.header('Vary', 'Origin', { append: true });
}

/**
 * A 401 that the page can read, so a widget says its key is wrong (mistyped into the tag, or
 * revoked) rather than that Mentoring is unreachable. Any origin may read it, and that is safe: its
 * body is a fixed text and a request id, about no organization, and a browser learns nothing from
 * it that the same request sent without a browser would not tell.
 */
function unauthorized(c: Context<ApiEnv>, origin: string | undefined, title: string, detail: string): Problem {
  if (origin !== undefined) allowOrigin(c, origin);
  return new Problem(401, 'unauthorized', title, detail);
}

async function lookUpKey(sql: Services['sql'], hash: Buffer): Promise<KeyRecord | undefined> {
  const [record] = await sql<KeyRecord[]>`
    select k.id as key_id, k.kind as key_kind, k.mode, k.revoked_at is not null as revoked,
           o.id as organization_id, o.kind as organization_kind, o.name, o.allowed_origins,
           o.managed_by, o.payable_account_id
    from api_keys k join organizations o on o.id = k.organization_id
    where k.hash = ${hash}`;
  return record;
}

/**
 * Answers CORS preflights, for any origin. A preflight carries no key, and the API's keys are
 * bearer tokens, never cookies: letting a page send a request lends it nothing it did not have. The
 * request that follows is checked against its key's organization, and a refusal there (403
 * `forbidden_origin`) is readable by the page, so a widget on a site its provider has not listed
 * says it is not set up instead of that Mentoring cannot be reached.
 */
export function preflight(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const origin = c.req.header('Origin');
    if (c.req.method !== 'OPTIONS' || origin === undefined) return next();
    return c.body(null, 204, {
      'Access-Control-Allow-Origin': c.req.path.startsWith('/v1/public/') ? '*' : origin,
      'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
      'Access-Control-Allow-Headers': 'Authorization, Content-Type, Idempotency-Key',
      'Access-Control-Max-Age': '600',
      Vary: 'Origin',
    });
  };
}

/** The principal of this request, which authenticate() has set. */
export function principalOf(c: { get(key: 'principal'): Principal }): Principal {
  return c.get('principal');
}

export interface AccessRule {
  /** Organization kinds whose keys may call; the admin key always may. */
  organizations: OrganizationKind[];
  /** Key kinds accepted; secret keys only when not given. */
  keys?: KeyKind[];
}

/** Throws 403 unless the caller is the admin or a key of an allowed kind of an allowed organization. */
export function requireAccess(principal: Principal, rule: AccessRule): Organization | undefined {
  if (principal.type === 'admin') return undefined;
  const keys = rule.keys ?? ['secret'];
  if (!keys.includes(principal.keyKind) || !rule.organizations.includes(principal.organization.kind)) {
    throw new Problem(
      403,
      'forbidden',
      'Not allowed with this key',
      `This needs ${withArticle(keys.join(' or '))} key of ${withArticle(rule.organizations.join(' or '))} organization; ` +
        `this is ${withArticle(principal.keyKind)} key of ${withArticle(principal.organization.kind)}.`,
    );
  }
  return principal.organization;
}

/** "a desk", "an operator". */
function withArticle(word: string): string {
  return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
}
