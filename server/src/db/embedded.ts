import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import postgres from 'postgres';
import { connectionOptions, DataDirInUseError, type Database, type Sql } from './connection.js';

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
  const releaseLock = lockDataDir(dataDir);
  let pglite: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  try {
    pglite = await PGlite.create(join(dataDir, 'pgdata'));
    // More slots than the one client connection, so a reconnect never meets "too many connections".
    server = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port: 0, maxConnections: 4 });
    await server.start();
  } catch (error) {
    await server?.stop();
    await pglite?.close();
    releaseLock();
    throw error;
  }
  const [host, port] = server.getServerConn().split(':');
  const sql: Sql = postgres({
    ...connectionOptions(1),
    host,
    port: Number(port),
    user: 'postgres',
    database: 'postgres',
  });
  const [openServer, openPglite] = [server, pglite];
  return {
    sql,
    kind: 'embedded',
    location: dataDir,
    async close() {
      await sql.end({ timeout: 5 });
      await openServer.stop();
      await openPglite.close();
      releaseLock();
    },
  };
}

/**
 * PGlite's files must have one writer. A pid file in the data folder stops a second
 * `npm start` or `npm run migrate` from opening it at the same time; a file left by a
 * process that died is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const path = join(dataDir, 'embedded.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8'));
      if (Number.isInteger(holder) && holder > 0 && isRunning(holder)) {
        throw new DataDirInUseError(
          `the embedded database in ${dataDir} is in use by process ${holder}. ` +
            'Stop that process, or set MENTORING_DATA_DIR to another folder.',
        );
      }
      rmSync(path, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}.`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
