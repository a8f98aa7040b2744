// `npm run seed [-- --reset]`: the demo circuits of `npm start`, made through the API, into an
// empty database (the embedded one, or DATABASE_URL with MENTORING_ADMIN_KEY); `--reset` first
// deletes the embedded database and its demo.json, to start over.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app.js';
import { developmentAdminKey } from '../auth/development-admin-key.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { lockDataDir } from '../db/data-dir-lock.js';
import { migrate } from '../db/migrate.js';
import { StartupError } from '../startup-error.js';
import { demoFile, demoSummary, ensureDemo } from './demo-file.js';

try {
  const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false } } });
  const config = loadConfig();
  if (values.reset) {
    if (config.databaseUrl !== undefined) {
      throw new StartupError('--reset deletes the embedded database only; drop and recreate a DATABASE_URL database yourself');
    }
    // The lock refuses while `npm start` has the folder open.
    const release = lockDataDir(config.dataDir);
    rmSync(join(config.dataDir, 'pgdata'), { recursive: true, force: true });
    rmSync(demoFile(config.dataDir), { force: true });
    release();
  }
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, max: 1 });
  try {
    await migrate(database.sql);
    const adminKey = config.adminKey ?? (database.kind === 'embedded' ? developmentAdminKey(config.dataDir) : undefined);
    if (adminKey === undefined) throw new StartupError('set MENTORING_ADMIN_KEY: the demo is made through the API with the admin key');
    const app = createApp({ database, services: { adminKey } });
    const baseUrl = config.publicBaseUrl ?? `http://localhost:${config.port || 8787}`;
    const state = await ensureDemo(database.sql, (path, init) => app.request(path, init), { dataDir: config.dataDir, adminKey, baseUrl });
    console.log(demoSummary(state, baseUrl).join('\n'));
    if (state.status === 'lost') process.exitCode = 1;
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof StartupError ? `Seeding failed: ${error.message}` : error);
  process.exitCode = 1;
}
