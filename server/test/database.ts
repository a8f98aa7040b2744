// A fresh database for each test file: a new database on the server at DATABASE_URL (dropped
// after), or a new embedded PGlite copied from the template the test runner prepared.
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { openDatabase, type Database } from '../src/db/connection.js';

const serverUrl = process.env.DATABASE_URL || undefined;

/** Pass as `skip` to tests that prove behaviour under real concurrency. */
export const needsRealPostgres: string | false =
  serverUrl === undefined
    ? 'skipped on the embedded database, which runs one statement at a time: set DATABASE_URL to run it'
    : false;

export interface TestDatabase extends Database {
  /** The URL of this test's own database (real PostgreSQL only), to open more connections to it. */
  url: string | undefined;
  /** The data folder of this test's embedded database (embedded only). */
  dataDir: string | undefined;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  return serverUrl === undefined ? createEmbedded() : createOnServer(serverUrl);
}

async function createOnServer(url: string): Promise<TestDatabase> {
  // The runner's id in the name lets it drop what a crashed test file left behind.
  const name = `mentoring_test_${process.env.MENTORING_TEST_RUN ?? 'adhoc'}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const testUrl = new URL(url);
  testUrl.pathname = `/${name}`;
  const database = await openDatabase({ url: testUrl.href, dataDir: '' });
  return {
    ...database,
    url: testUrl.href,
    dataDir: undefined,
    async close() {
      await database.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/**
 * A new data folder for the embedded database, in the temporary directory. Copying the
 * runner's initialised template takes milliseconds; PGlite initialising one takes seconds.
 */
export function createEmbeddedDataDir(): string {
  const dataDir = mkdtempSync(join(tmpdir(), 'mentoring-test-'));
  const template = process.env.MENTORING_TEST_PGLITE_TEMPLATE;
  if (template) cpSync(template, join(dataDir, 'pgdata'), { recursive: true });
  return dataDir;
}

async function createEmbedded(): Promise<TestDatabase> {
  const dataDir = createEmbeddedDataDir();
  const database = await openDatabase({ dataDir });
  return {
    ...database,
    url: undefined,
    dataDir,
    async close() {
      await database.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
