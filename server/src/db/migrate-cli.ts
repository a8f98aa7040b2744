// `npm run migrate`: applies pending migrations to DATABASE_URL, or to the embedded database in MENTORING_DATA_DIR.
import { loadConfig } from '../config.js';
import { openDatabase } from './connection.js';
import { StartupError } from '../startup-error.js';
import { migrate } from './migrate.js';

try {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, max: 1 });
  try {
    const { applied, version } = await migrate(database.sql);
    const what = applied.length === 0 ? 'nothing to apply' : `applied ${applied.join(', ')}`;
    console.log(`${database.location}: ${what}; schema version ${version}`);
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof StartupError ? `Migration failed: ${error.message}` : error);
  process.exitCode = 1;
}
