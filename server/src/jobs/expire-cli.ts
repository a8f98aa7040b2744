// `npm run jobs:expire`: one run of the expiry job (jobs/expiry.ts) for a cron, on DATABASE_URL or
// the embedded database. Servers run the same job on a timer; the lease keeps them and this apart.
import { AuditLog } from '../audit/audit-log.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { migrate } from '../db/migrate.js';
import { Ledger } from '../ledger/ledger.js';
import { StartupError } from '../startup-error.js';
import { describeExpiry, runExpiry } from './expiry.js';
import { JobLease } from './lease.js';

try {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, max: 2 });
  try {
    // As a server does at start: the job may be the first to meet a new release's schema.
    await migrate(database.sql);
    const lease = new JobLease(database.sql, 'expiry', { seconds: 5 * 60 });
    if (await lease.take()) {
      try {
        const result = await runExpiry(
          { sql: database.sql, ledger: new Ledger(database.sql), audit: new AuditLog(database.sql) },
          { keepGoing: () => lease.take() },
        );
        console.log(`expiry: ${describeExpiry(result)}`);
      } finally {
        await lease.release();
      }
    } else {
      console.log('expiry: another process is running it now; nothing done');
    }
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof StartupError ? `Expiry failed: ${error.message}` : error);
  process.exitCode = 1;
}
