import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { AuditLog } from './audit/audit-log.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase, type Database } from './db/connection.js';
import { migrate } from './db/migrate.js';
import { developmentAdminKey } from './auth/development-admin-key.js';
import { demoSummary, ensureDemo } from './demo/demo-file.js';
import type { DemoData } from './demo/seed.js';
import { startExpiryJob } from './jobs/expiry.js';
import { startSweeper } from './jobs/sweeper.js';
import { Ledger } from './ledger/ledger.js';
import { defaultPaymentProviders } from './payments/providers.js';
import { embedDirectory, examplesDirectory } from './routes/assets.js';
import { prepareGracefulClose } from './shutdown.js';
import { StartupError } from './startup-error.js';
import { startWebhookWorker } from './webhooks/worker.js';

/** In-flight requests get this long to finish after SIGTERM before their connections are cut. */
const drainTimeoutMs = 10_000;

// Set when a signal arrives; startup checks it between steps, so that a Ctrl-C during the
// first start (seconds of PGlite initialisation) still closes the database and its lock.
let stopSignal: NodeJS.Signals | undefined;
let stopRunning: (() => Promise<void>) | undefined;

function onSignal(signal: NodeJS.Signals): void {
  if (stopSignal !== undefined) {
    console.log(`${signal} again: exiting now`);
    process.exit(1);
  }
  stopSignal = signal;
  console.log(`${signal}: finishing open requests, then closing the database`);
  if (stopRunning !== undefined) void stopRunning().then(() => exit(0), fail);
}

async function main(): Promise<void> {
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir });
  if (stopSignal !== undefined) return closeAndExit(database);
  const migration = await migrate(database.sql).catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  if (stopSignal !== undefined) return closeAndExit(database);

  const ledger = new Ledger(database.sql);
  const adminKey = config.adminKey ?? (database.kind === 'embedded' ? developmentAdminKey(config.dataDir) : undefined);
  let payments;
  try {
    payments = defaultPaymentProviders({ bankTransfer: config.bankTransfer });
  } catch (error) {
    await database.close();
    throw new ConfigError(`Invalid bank transfer settings: ${(error as Error).message}`);
  }
  const audit = new AuditLog(database.sql);
  // The demo pages fill in their keys and ids from the demo data once ensureDemo has it.
  let demo: DemoData | undefined;
  const app = createApp({
    database,
    assets: { embed: embedDirectory, examples: examplesDirectory, demo: () => demo },
    services: {
      ledger,
      adminKey,
      payments,
      trustProxy: config.trustProxy,
      rateLimits: config.rateLimits,
      audit,
      webhookPrivateAddresses: config.webhookPrivateAddresses,
    },
  });
  const background = [
    startSweeper({ sql: database.sql, ledger }),
    startExpiryJob({ sql: database.sql, ledger, audit }),
    startWebhookWorker({ sql: database.sql, privateAddresses: config.webhookPrivateAddresses }),
  ];
  let demoReady: Promise<unknown> = Promise.resolve();
  const server = serve({ fetch: app.fetch, port: config.port }, ({ port }) => {
    const base = config.publicBaseUrl ?? `http://localhost:${port}`;
    const where = database.kind === 'embedded' ? `embedded PostgreSQL in ${database.location}` : database.location;
    const applied = migration.applied.length > 0 ? `, applied ${migration.applied.join(', ')}` : '';
    console.log(`Mentoring is listening on port ${port}`);
    console.log(`  database   ${where} (schema version ${migration.version}${applied})`);
    console.log(`  health     ${base}/healthz`);
    console.log(`  embed      ${base}/embed/v1/mentoring.js`);
    console.log(`  examples   ${base}/examples/`);
    console.log(`  api docs   ${base}/docs`);
    if (config.adminKey === undefined && adminKey !== undefined) {
      console.log(`  admin key  ${adminKey} (development only: kept in ${config.dataDir}/admin-key)`);
    } else if (adminKey === undefined) {
      console.log('  admin      MENTORING_ADMIN_KEY is not set: nobody can register operators');
    }
    if (!existsSync(join(embedDirectory, 'mentoring.js'))) {
      console.warn('  warning: the widgets are not built; run `npm run build` (npm start does it for you)');
    }
    if (config.demo && adminKey !== undefined) {
      demoReady = ensureDemo(database.sql, (path, init) => app.request(path, init), { dataDir: config.dataDir, adminKey, baseUrl: base })
        .then((state) => {
          if (state.status !== 'lost') demo = state.demo;
          console.log(demoSummary(state, base).join('\n'));
        })
        .catch((error: unknown) => console.error('  demo       could not be created:', error));
    }
  }) as Server; // plain HTTP/1.1: serve() was given no http2 option
  const closeServer = prepareGracefulClose(server);
  server.on('error', (error: NodeJS.ErrnoException) => {
    const reason = error.code === 'EADDRINUSE' ? `port ${config.port} is in use; set PORT to another one` : error.message;
    console.error(`Mentoring could not start: ${reason}`);
    void database.close().then(() => exit(1), fail);
  });

  stopRunning = async () => {
    // A stop during the first start lets the demo finish: half a demo would have lost its keys.
    await demoReady;
    await closeServer(drainTimeoutMs);
    await Promise.all(background.map((job) => job.stop()));
    await database.close();
  };
  if (stopSignal !== undefined) await stopRunning().then(() => exit(0));
}

async function closeAndExit(database: Database): Promise<void> {
  await database.close();
  exit(0);
}

function exit(code: number): never {
  if (code === 0 && stopSignal !== undefined) console.log('Mentoring stopped');
  process.exit(code);
}

function fail(error: unknown): never {
  // Errors the operator fixes (configuration, migrations, a busy data folder) get one line; others their stack.
  console.error(error instanceof StartupError ? `Mentoring could not start: ${error.message}` : error);
  process.exit(1);
}

main().catch(fail);
