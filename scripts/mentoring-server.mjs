// Starts the real Mentoring server (`node --import tsx server/src/main.ts`) for the browser and
// end-to-end tests, on a free port and a scratch database: a new database on the PostgreSQL at
// DATABASE_URL (dropped at the end), or an embedded PGlite in the temporary data folder.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';

/**
 * Resolves once the server listens. `env` goes on top of the process's (MENTORING_DEMO, say); the
 * data folder (demo.json, the embedded database) is always a new temporary one.
 */
export async function startServer(adminKey, { env: extra = {}, name = 'mentoring-test' } = {}) {
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = mkdtempSync(join(tmpdir(), `${name}-`));
  const env = { ...process.env, PORT: '0', MENTORING_ADMIN_KEY: adminKey, MENTORING_DATA_DIR: dataDir, ...extra };
  let dropDatabase = async () => {};
  if (url !== undefined) {
    const database = `${name.replaceAll('-', '_')}_${randomBytes(4).toString('hex')}`;
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${database}`);
    const scratch = new URL(url);
    scratch.pathname = `/${database}`;
    env.DATABASE_URL = scratch.href;
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${database} with (force)`);
      await admin.end();
    };
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/main.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const port = await new Promise((resolve, reject) => {
    const read = (chunk) => {
      output += chunk;
      const listening = /listening on port (\d+)/.exec(output);
      if (listening) resolve(Number(listening[1]));
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => reject(new Error(`The Mentoring server exited (${code}) before listening:\n${output}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    /** Everything the server printed so far. */
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await dropDatabase();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
