import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import { connectionOptions, type Database, type Sql } from './connection.js';
import { lockDataDir } from './data-dir-lock.js';

/**
 * The embedded database: PGlite (PostgreSQL compiled to WebAssembly) persisted in
 * `<dataDir>/pgdata`, served on a loopback port so that the app talks to it through
 * postgres.js exactly as it talks to a real server. PGlite runs one statement at a
 * time, so the pool has a single connection; tests that need real concurrency use
 * DATABASE_URL. The port is on 127.0.0.1 only and has no password: a local
 * development database, not one to expose.
 */
export async function openEmbeddedDatabase(dataDir: string): Promise<Database> {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Closed in reverse order of opening, each step even when an earlier one failed.
  const closers: Array<() => Promise<void> | void> = [lockDataDir(dataDir)];
  const closeAll = async () => {
    let failure: unknown;
    for (let close = closers.pop(); close !== undefined; close = closers.pop()) {
      try {
        await close();
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  };
  try {
    const pglite = await PGlite.create(join(dataDir, 'pgdata'));
    closers.push(() => pglite.close());
    // More slots than the one client connection, so a reconnect never meets "too many connections".
    const server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
    closers.push(() => server.stop());
    const [host, port] = server.getServerConn().split(':');
    const sql: Sql = postgres({ ...connectionOptions(1), host, port: Number(port), user: 'postgres', database: 'postgres' });
    closers.push(() => sql.end({ timeout: 5 }));
    let closing: Promise<void> | undefined;
    return { sql, writer: sql, kind: 'embedded', location: dataDir, close: () => (closing ??= closeAll()) };
  } catch (error) {
    await closeAll().catch(() => {});
    throw error;
  }
}
