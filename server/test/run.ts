// `npm run test:server`: runs every server/**/*.test.ts with node's test runner, against
// PostgreSQL at DATABASE_URL when set, else against embedded PGlite databases.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';

const serverDirectory = fileURLToPath(new URL('..', import.meta.url));
const files = readdirSync(serverDirectory, { recursive: true, encoding: 'utf8' })
  .filter((file) => file.endsWith('.test.ts') && !file.includes('node_modules'))
  .sort()
  .map((file) => join(serverDirectory, file));

// The embedded database is tested on every run (it is what `npm start` uses), so its
// initialised template is always prepared.
const template = mkdtempSync(join(tmpdir(), 'mentoring-pglite-template-'));
await (await PGlite.create(template)).close();
const run = randomBytes(4).toString('hex');
const env: NodeJS.ProcessEnv = { ...process.env, MENTORING_TEST_RUN: run, MENTORING_TEST_PGLITE_TEMPLATE: template };
let server: postgres.Sql | undefined;
if (env.DATABASE_URL) {
  server = postgres(env.DATABASE_URL, { max: 1, onnotice: () => {} });
  const [row] = await server<{ version: string }[]>`select version()`;
  const version = row?.version.split(' on ')[0];
  console.log(`Server tests on ${version} at DATABASE_URL: a fresh database per test file, dropped after.`);
} else {
  console.log(
    'Server tests on the embedded database (PGlite): tests that need real concurrency are skipped. ' +
      'Set DATABASE_URL to a PostgreSQL server to run them.',
  );
}

console.log(`${files.length} test files: ${files.map((file) => relative(serverDirectory, file)).join(', ')}`);
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  env,
});
const code = await new Promise<number>((resolve) => child.on('exit', (exitCode) => resolve(exitCode ?? 1)));
rmSync(template, { recursive: true, force: true });
if (server !== undefined) {
  // A test file that crashed did not drop its database: drop what this run left.
  const left = await server<{ datname: string }[]>`
    select datname from pg_database where starts_with(datname, ${`mentoring_test_${run}_`})`;
  for (const { datname } of left) await server.unsafe(`drop database if exists ${datname} with (force)`);
  await server.end();
}
process.exit(code);
