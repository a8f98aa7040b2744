import type { AuditLog } from '../audit/audit-log.js';
import type { Sql } from '../db/connection.js';
import type { KeyCache } from '../auth/authenticate.js';
import type { KeyKind, KeyMode } from '../auth/keys.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Redeemer } from '../redemptions/redeemer.js';
import type { PaymentProviders } from '../payments/provider.js';

export type OrganizationKind = 'provider' | 'mentor' | 'referrer' | 'operator';

/** The organization a key belongs to, as every request sees it. */
export interface Organization {
  id: string;
  kind: OrganizationKind;
  name: string;
  allowedOrigins: string[];
  /** The operator that registered it; null when the platform admin did. */
  managedBy: string | null;
  /** A provider's provider_payable ledger account. */
  payableAccountId: string | null;
}

/** Who is calling: the platform admin (MENTORING_ADMIN_KEY) or one organization's key. */
export type Principal =
  | { type: 'admin'; id: 'admin'; mode: KeyMode }
  | { type: 'key'; id: string; keyKind: KeyKind; mode: KeyMode; organization: Organization };

export type ApiEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
    /** Set by a GET whose answer holds a beneficiary's data, for the audit log. */
    auditRead: boolean;
    /** Set by a handler that wrote its audit entry in its own transaction, and by an idempotent replay. */
    audited: boolean;
  };
};

/** Limits of the check and redeem endpoints (fixed windows, counted in PostgreSQL). */
export interface RateLimits {
  /** Requests per client IP and window to /vouchers/check and /redemptions with a publishable key. */
  perIp: number;
  /** Checks and redemptions per voucher and window, whatever the key. */
  perVoucher: number;
  windowSeconds: number;
}

export const defaultRateLimits: RateLimits = { perIp: 60, perVoucher: 20, windowSeconds: 60 };

/** What the routes work with; main.ts builds it once, tests build their own. */
export interface Services {
  sql: Sql;
  ledger: Ledger;
  /** Sends redemptions to the database in batches. */
  redeemer: Redeemer;
  adminKey: string | undefined;
  /** Keys seen in the last seconds; cleared when keys or organizations change. */
  keyCache: KeyCache;
  payments: PaymentProviders;
  rateLimits: RateLimits;
  /** Take the client IP from X-Forwarded-For (set when a trusted proxy is in front). */
  trustProxy: boolean;
  /** How long a hold made by POST /v1/redemptions without capture waits: 15 minutes by default. */
  holdTimeoutSeconds: number;
  /** Who did what: every write, in batches. */
  audit: AuditLog;
  /** Test-mode webhook endpoints may be on loopback and private addresses (see config.ts). */
  webhookPrivateAddresses: boolean;
}
