import { resolve } from 'node:path';
import { z } from 'zod';
import { defaultRateLimits, type RateLimits } from './http/context.js';
import { StartupError } from './startup-error.js';

const boolean = z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }).transform((value) => value === 'true' || value === '1');

const perMinute = z
  .string()
  .regex(/^[1-9]\d{0,6}$/, 'must be a whole number of requests a minute, from 1')
  .transform(Number);

/** The environment variables the server reads; README.md documents each one. */
const environment = z.object({
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'must be a whole number from 0 to 65535')
    .transform(Number)
    .refine((port) => port <= 65535, 'must be a whole number from 0 to 65535')
    .default(8787),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  MENTORING_ADMIN_KEY: z
    .string()
    .regex(
      /^sk_(test|live)_[A-Za-z0-9]{32,64}$/,
      'must look like sk_test_… or sk_live_… followed by 32 to 64 random letters and digits',
    )
    .optional(),
  MENTORING_DATA_DIR: z.string().default('.data'),
  MENTORING_BANK_TRANSFER_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MENTORING_BANK_TRANSFER_IBAN: z.string().optional(),
  MENTORING_BANK_TRANSFER_ACCOUNT_HOLDER: z.string().optional(),
  TRUST_PROXY: boolean.default(false),
  MENTORING_DEMO: boolean.optional(),
  MENTORING_WEBHOOK_PRIVATE_ADDRESSES: boolean.optional(),
  MENTORING_RATE_LIMIT_PER_IP: perMinute.default(defaultRateLimits.perIp),
  MENTORING_RATE_LIMIT_PER_VOUCHER: perMinute.default(defaultRateLimits.perVoucher),
  PUBLIC_BASE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .refine((url) => !/[?#]/.test(url), 'must not contain a query or a fragment')
    .optional(),
});

const secrets = new Set(['DATABASE_URL', 'MENTORING_ADMIN_KEY', 'MENTORING_BANK_TRANSFER_WEBHOOK_SECRET']);

export interface Config {
  port: number;
  /** Unset means the embedded database (PGlite) persisted in `dataDir`. */
  databaseUrl: string | undefined;
  /** The platform operator's bootstrap secret key. */
  adminKey: string | undefined;
  /** Absolute path of the folder for the embedded database and demo files. */
  dataDir: string;
  /** Where browsers reach this server, without a trailing slash; unset means http://localhost:<port>. */
  publicBaseUrl: string | undefined;
  /** Take client IPs (for rate limits) from X-Forwarded-For: only behind a proxy that sets it. */
  trustProxy: boolean;
  /** Create the demo circuits when the database is empty: by default on the embedded database only. */
  demo: boolean;
  /** Test-mode webhook endpoints may be on loopback and private addresses (a developer's receiver); never live ones. */
  webhookPrivateAddresses: boolean;
  /** Voucher checks and redemptions a minute, per client IP (publishable keys) and per voucher. */
  rateLimits: RateLimits;
  /** The `bank_transfer` payment provider, when its three variables are set. */
  bankTransfer: { secret: string; iban: string; beneficiaryName: string } | undefined;
}

export class ConfigError extends StartupError {
  override name = 'ConfigError';
}

/** Reads and checks the environment; throws a ConfigError that names every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  // An empty value (`PORT=` in a .env file) means "not set", as most tools treat it.
  const present = Object.fromEntries(
    Object.keys(environment.shape)
      .filter((name) => env[name] !== undefined && env[name] !== '')
      .map((name) => [name, env[name]]),
  );
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      // Keys and database passwords must not end up in logs, even when malformed.
      const shown = secrets.has(name) ? '(value hidden)' : JSON.stringify(present[name]);
      return `  ${name}=${shown}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid environment:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  const bank = [values.MENTORING_BANK_TRANSFER_WEBHOOK_SECRET, values.MENTORING_BANK_TRANSFER_IBAN, values.MENTORING_BANK_TRANSFER_ACCOUNT_HOLDER];
  if (bank.some((value) => value !== undefined) && bank.some((value) => value === undefined)) {
    throw new ConfigError(
      'Invalid environment:\n  MENTORING_BANK_TRANSFER_WEBHOOK_SECRET, MENTORING_BANK_TRANSFER_IBAN and ' +
        'MENTORING_BANK_TRANSFER_ACCOUNT_HOLDER go together: set all three to offer bank transfers, or none',
    );
  }
  return {
    port: values.PORT,
    databaseUrl: values.DATABASE_URL,
    adminKey: values.MENTORING_ADMIN_KEY,
    dataDir: resolve(cwd, values.MENTORING_DATA_DIR),
    publicBaseUrl: values.PUBLIC_BASE_URL?.replace(/\/+$/, ''),
    trustProxy: values.TRUST_PROXY,
    demo: values.MENTORING_DEMO ?? values.DATABASE_URL === undefined,
    // On by default only where the database is embedded: a development machine, not a shared server.
    webhookPrivateAddresses: values.MENTORING_WEBHOOK_PRIVATE_ADDRESSES ?? values.DATABASE_URL === undefined,
    rateLimits: { perIp: values.MENTORING_RATE_LIMIT_PER_IP, perVoucher: values.MENTORING_RATE_LIMIT_PER_VOUCHER, windowSeconds: 60 },
    bankTransfer:
      bank[0] === undefined ? undefined : { secret: bank[0], iban: bank[1]!, beneficiaryName: bank[2]! },
  };
}
