import postgres from 'postgres';
import { StartupError } from '../startup-error.js';

/** int8 columns arrive as JS bigint: money sums never pass through a float. */
export type Sql = postgres.Sql<{ bigint: bigint }>;

/** A connection pool or a transaction opened on it with `sql.begin()`: either runs queries. */
export type Queryable = Sql | postgres.TransactionSql<{ bigint: bigint }>;

export interface Database {
  sql: Sql;
  /**
   * A connection of its own for the redemption batches, which run one at a time: each batch then
   * runs in the same PostgreSQL backend, whose cached plans and catalog stay warm. Sent through
   * `sql`, a batch went to the next idle connection of the pool, ten backends in turn
   * (docs/performance.md). The embedded database has one connection: `writer` is `sql`.
   */
  writer: Sql;
  /** `postgres`: a server at DATABASE_URL. `embedded`: PGlite in the data folder, one connection. */
  kind: 'postgres' | 'embedded';
  /** Where the data lives, for logs: host and database, or the data folder. */
  location: string;
  close(): Promise<void>;
}

/** Another process has the embedded database open; PGlite's files allow one. */
export class DataDirInUseError extends StartupError {
  override name = 'DataDirInUseError';
}

export interface DatabaseOptions {
  /** A postgres:// URL; when absent the embedded database in `dataDir` is used. */
  url?: string | undefined;
  dataDir: string;
  /** Connection pool size for a real server; the embedded database always has one connection. */
  max?: number;
}

/**
 * Options shared by both kinds of database, so that code and tests see the same behaviour.
 * Timeouts bound every statement and every lock wait: a stuck request fails instead of piling up.
 */
export function connectionOptions(max: number): postgres.Options<{ bigint: postgres.PostgresType<bigint> }> {
  return {
    max,
    types: { bigint: postgres.BigInt },
    onnotice: () => {},
    connection: {
      application_name: 'mentoring',
      statement_timeout: 10_000,
      lock_timeout: 3_000,
      idle_in_transaction_session_timeout: 30_000,
    },
  };
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url === undefined) {
    const { openEmbeddedDatabase } = await import('./embedded.js');
    return openEmbeddedDatabase(options.dataDir);
  }
  const url = new URL(options.url);
  const sql: Sql = postgres(options.url, connectionOptions(options.max ?? 10));
  const writer: Sql = postgres(options.url, connectionOptions(1));
  return {
    sql,
    writer,
    kind: 'postgres',
    location: `${url.hostname}:${url.port || 5432}${url.pathname}`,
    close: async () => {
      await Promise.all([sql.end({ timeout: 5 }), writer.end({ timeout: 5 })]);
    },
  };
}
