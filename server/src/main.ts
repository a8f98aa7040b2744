import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { openDatabase } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { embedDirectory } from './routes/assets.js';
import { StartupError } from './startup-error.js';

/** In-flight requests get this long to finish after SIGTERM before their connections are cut. */
const drainTimeoutMs = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  const migration = await migrate(database.sql).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const app = createApp({ database });

  const server = serve({ fetch: app.fetch, port: config.port }, ({ port }) => {
    const base = config.publicBaseUrl ?? `http://localhost:${port}`;
    const where = database.kind === 'embedded' ? `embedded PostgreSQL in ${database.location}` : database.location;
    const applied = migration.applied.length > 0 ? `, applied ${migration.applied.join(', ')}` : '';
    console.log(`Mentoring is listening on port ${port}`);
    console.log(`  database   ${where} (schema version ${migration.version}${applied})`);
    console.log(`  health     ${base}/healthz`);
    console.log(`  embed      ${base}/embed/v1/mentoring.js`);
    console.log(`  examples   ${base}/examples/`);
    if (!existsSync(join(embedDirectory, 'mentoring.js'))) {
      console.warn('  warning: the widgets are not built; run `npm run build` (npm start does it for you)');
    }
  }) as Server; // plain HTTP/1.1: serve() was given no http2 option

  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${config.port} is in use; set PORT to another one` : error.message;
    console.error(`Mentoring could not start: ${reason}`);
    void database.close().finally(() => process.exit(1));
  });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      console.log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    console.log(`${signal}: finishing open requests, then closing the database`);
    const cut = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(cut);
    await database.close();
    console.log('Mentoring stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}

main().catch((error: unknown) => {
  console.error(error instanceof StartupError ? `Mentoring could not start: ${error.message}` : error);
  process.exit(1);
});
