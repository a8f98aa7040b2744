// `npm run bench:ledger`: the ledger's throughput and latency on a real PostgreSQL server, next
// to the rate of a bare one-row UPDATE on the same server (the physical reference). Not a test:
// it prints a table (docs/performance.md explains it and keeps the measured one).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ledger
//   npm run bench:ledger -- --duration 5 --warmup 1 --clients 1,8,32,64 --writers 1 --batch-size 512
//   npm run bench:ledger -- --sweep     (tries writers 1, 2, 4 × batch size 128, 512)
//   npm run bench:ledger -- --sweep --writers 1,2 --batch-size 512
//
// Each run works in a new database `mentoring_bench_<random>` on that server, dropped at the end,
// also after a failure or Ctrl-C.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { connectionOptions, type Sql } from '../src/db/connection.js';
import { migrate, migrationsDirectory, readMigrations } from '../src/db/migrate.js';
import { Ledger, ledgerDefaults, type LedgerOptions, type NewTransfer } from '../src/ledger/ledger.js';
import { reconcile, type Reconciliation } from '../src/ledger/reconciliation.js';
import { measure as measureCell, type Cell } from './measure.js';

// ---------------------------------------------------------------------------------------------
// Options

const usage = `Usage: npm run bench:ledger [-- options]

Needs a PostgreSQL server at DATABASE_URL (a role that may create databases), e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ledger

Options (environment variable in brackets):
  --duration <s>     measured seconds per cell (BENCH_DURATION, default 5)
  --warmup <s>       unmeasured seconds before each cell (BENCH_WARMUP, default 1)
  --clients <list>   concurrent clients, comma-separated (BENCH_CLIENTS, default 1,8,32,64)
  --writers <n>      Ledger option writers (BENCH_WRITERS, default: the Ledger's default)
  --batch-size <n>   Ledger option batchSize (BENCH_BATCH_SIZE, default: the Ledger's default)
  --sweep            try every writers × batch size, each in a fresh database; with --sweep,
                     --writers and --batch-size take lists (default 1,2,4 and 128,512)
  --migrations <dir> apply the migrations of this folder instead of server/src/db/migrations,
                     e.g. an older version of the ledger to compare with
  --help`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string' },
    warmup: { type: 'string' },
    clients: { type: 'string' },
    writers: { type: 'string' },
    'batch-size': { type: 'string' },
    sweep: { type: 'boolean', default: false },
    migrations: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: false,
});

if (flags.help) {
  console.log(usage);
  process.exit(0);
}

function numberOption(name: string, value: string | undefined, fallback: number, minimum: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < minimum) {
    console.error(`bench:ledger: ${name} must be a number ≥ ${minimum}, not ${JSON.stringify(value)}\n\n${usage}`);
    process.exit(2);
  }
  return parsed;
}

const durationMs =
  numberOption('--duration', flags.duration ?? process.env.BENCH_DURATION, 5, 0.1) * 1000;
const warmupMs = numberOption('--warmup', flags.warmup ?? process.env.BENCH_WARMUP, 1, 0) * 1000;
const clientCounts = (flags.clients ?? process.env.BENCH_CLIENTS ?? '1,8,32,64')
  .split(',')
  .map((part) => Math.trunc(numberOption('--clients', part.trim(), 1, 1)));
const writersOption = flags.writers ?? process.env.BENCH_WRITERS;
const batchSizeOption = flags['batch-size'] ?? process.env.BENCH_BATCH_SIZE;
const listOption = (name: string, value: string): number[] =>
  value.split(',').map((part) => Math.trunc(numberOption(name, part.trim(), 1, 1)));
const writersList = listOption('--writers', writersOption ?? '1,2,4');
const batchSizeList = listOption('--batch-size', batchSizeOption ?? '128,512');
const chosen: LedgerOptions = {};
if (!flags.sweep && writersOption !== undefined) chosen.writers = Math.trunc(numberOption('--writers', writersOption, 1, 1));
if (!flags.sweep && batchSizeOption !== undefined) {
  chosen.batchSize = Math.trunc(numberOption('--batch-size', batchSizeOption, 512, 1));
}

const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error(
    'bench:ledger measures the ledger on a real PostgreSQL server; DATABASE_URL is not set.\n' +
      'Set it to a server where this role may create databases, e.g.\n\n' +
      '  DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:ledger\n\n' +
      'The benchmark creates a database mentoring_bench_<random> there and drops it at the end.',
  );
  process.exit(2);
}

const migrationsFolder = flags.migrations ?? migrationsDirectory;

// The targets of the issue, checked at this many clients.
const targetClients = 32;
const targets = { spread: 4000, hot: 2000, ratio: 0.5 };

// The accounts: 5,000 pools each with one voucher (spread), one hot pool with 10,000 vouchers.
const spreadPools = 5000;
const hotVouchers = 10_000;
const counterRows = 10_000;
const spreadFunding = 1_000_000_000n; // per pool, in minor units: far more than a run issues
const hotFunding = 100_000_000_000n; // the largest single transfer; FUNDed 10 times

// ---------------------------------------------------------------------------------------------
// Databases: created here, dropped on the way out whatever happens

const admin = postgres(serverUrl, { max: 1, onnotice: () => {}, connection: { application_name: 'mentoring-bench' } });
const liveDatabases = new Set<string>();
const openPools = new Set<Sql>();

async function createDatabase(): Promise<{ name: string; url: string }> {
  const name = `mentoring_bench_${randomBytes(4).toString('hex')}`;
  await admin.unsafe(`create database ${name}`);
  liveDatabases.add(name);
  const url = new URL(serverUrl!);
  url.pathname = `/${name}`;
  return { name, url: url.href };
}

async function dropDatabase(name: string): Promise<void> {
  await admin.unsafe(`drop database if exists ${name} with (force)`);
  liveDatabases.delete(name);
}

async function cleanUp(): Promise<void> {
  await Promise.allSettled([...openPools].map((pool) => pool.end({ timeout: 1 })));
  for (const name of [...liveDatabases]) {
    try {
      await dropDatabase(name);
    } catch (error) {
      console.error(`could not drop database ${name}: ${describe(error)}; drop it by hand`);
    }
  }
  await admin.end({ timeout: 1 });
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    if (interrupted) return;
    interrupted = true;
    console.error(`\n${signal}: stopping, dropping ${[...liveDatabases].join(', ') || 'nothing'}…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

/** A pool on the bench database with the server's own connection settings (timeouts included). */
function openPool(url: string, max: number, overrides: Record<string, string | number> = {}): Sql {
  const options = connectionOptions(max);
  const pool: Sql = postgres(url, {
    ...options,
    connection: { ...options.connection, application_name: 'mentoring-bench', ...overrides },
  });
  openPools.add(pool);
  return pool;
}

/** Connections the pools may open: the server's max_connections less a few for others. */
let connectionCap = 90;

function poolSize(wanted: number): number {
  return Math.min(wanted, connectionCap);
}

async function closePool(pool: Sql): Promise<void> {
  await pool.end({ timeout: 5 });
  openPools.delete(pool);
}

function measure(clients: number, operation: () => Promise<string | undefined>, countCalls?: () => number): Promise<Cell> {
  return measureCell(clients, operation, { warmupMs, durationMs, stopped: () => interrupted }, countCalls);
}

// ---------------------------------------------------------------------------------------------
// Measuring one cell: N client loops for warm-up + duration

// ---------------------------------------------------------------------------------------------
// One suite: a fresh database, its accounts, every client count, the reconciliation

interface Row {
  clients: number;
  spread: Cell;
  hot: Cell;
  bare: Cell | undefined;
}

interface Suite {
  options: Required<LedgerOptions>;
  rows: Row[];
  /** The report, or why it could not be made. */
  reconciliation: Reconciliation | { failed: string };
  reconcileMs: number;
  setupMs: number;
}

interface Accounts {
  pools: string[];
  vouchers: string[];
  hotPool: string;
  hotVouchers: string[];
}

async function setUp(sql: Sql): Promise<Accounts> {
  await migrate(sql, migrationsFolder);
  const ledger = new Ledger(sql);
  const expectOk = (outcomes: { id: string; result: string }[]): void => {
    const bad = outcomes.find((outcome) => outcome.result !== 'ok');
    if (bad !== undefined) throw new Error(`setting up: ${bad.id} answered ${bad.result}`);
  };
  const funding = randomUUID();
  const pools = Array.from({ length: spreadPools }, () => randomUUID());
  const vouchers = Array.from({ length: spreadPools }, () => randomUUID());
  const hotPool = randomUUID();
  const hot = Array.from({ length: hotVouchers }, () => randomUUID());

  expectOk(await ledger.createAccounts([{ id: funding, kind: 'sponsor_funding', currency: 'EUR' }]));
  for (const chunk of chunks([...pools, hotPool], 2000)) {
    expectOk(await ledger.createAccounts(chunk.map((id) => ({ id, kind: 'pool', currency: 'EUR' }))));
  }
  const voucherRows = [
    ...vouchers.map((id, index) => ({ id, pool: pools[index]! })),
    ...hot.map((id) => ({ id, pool: hotPool })),
  ];
  for (const chunk of chunks(voucherRows, 2000)) {
    expectOk(
      await ledger.createAccounts(
        chunk.map(({ id, pool }) => ({ id, kind: 'voucher', currency: 'EUR', poolAccountId: pool })),
      ),
    );
  }
  const funds: NewTransfer[] = [
    ...pools.map((pool) => fund(funding, pool, spreadFunding)),
    ...Array.from({ length: 10 }, () => fund(funding, hotPool, hotFunding)),
  ];
  for (const chunk of chunks(funds, 2000)) expectOk(await ledger.createTransfers(chunk));

  await sql`create table bench_counter (id integer primary key, n bigint not null default 0)`;
  await sql`insert into bench_counter (id) select generate_series(1, ${counterRows}::int)`;
  await sql`vacuum analyze`;
  return { pools, vouchers, hotPool, hotVouchers: hot };
}

function fund(funding: string, pool: string, amount: bigint): NewTransfer {
  return { id: randomUUID(), code: 'FUND', debitAccountId: funding, creditAccountId: pool, amount };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

function randomIndex(length: number): number {
  return Math.floor(Math.random() * length);
}

/** A Ledger on its own pool, with a count of the database calls (its batches) it makes. */
function countingLedger(url: string, clients: number, options: LedgerOptions): {
  ledger: Ledger;
  pool: Sql;
  calls: () => number;
} {
  const pool = openPool(url, poolSize(Math.max(clients, options.writers ?? 1)));
  let calls = 0;
  const counted = new Proxy(pool, {
    apply(target, thisArgument, args: unknown[]) {
      calls += 1;
      return Reflect.apply(target, thisArgument, args);
    },
  });
  return { ledger: new Ledger(counted, options), pool, calls: () => calls };
}

async function ledgerCell(
  url: string,
  clients: number,
  options: LedgerOptions,
  next: () => NewTransfer,
): Promise<Cell> {
  const { ledger, pool, calls } = countingLedger(url, clients, options);
  try {
    return await measure(
      clients,
      async () => {
        const outcome = await ledger.createTransfer(next());
        return outcome.result === 'ok' ? undefined : `result ${outcome.result}`;
      },
      calls,
    );
  } finally {
    await closePool(pool);
  }
}

async function bareCell(url: string, clients: number): Promise<Cell> {
  const pool = openPool(url, poolSize(clients));
  try {
    return await measure(clients, async () => {
      const [row] = await pool<{ n: bigint }[]>`
        update bench_counter set n = n + 1 where id = ${randomIndex(counterRows) + 1} returning n`;
      return row === undefined ? 'bare update found no row' : undefined;
    });
  } finally {
    await closePool(pool);
  }
}

async function runSuite(options: LedgerOptions, withBare: boolean, label: string): Promise<Suite> {
  const setupStart = performance.now();
  const database = await createDatabase();
  const setupPool = openPool(database.url, 4);
  try {
    const accounts = await setUp(setupPool);
    const setupMs = performance.now() - setupStart;
    const rows: Row[] = [];
    for (const clients of clientCounts) {
      if (interrupted) break;
      progress(`${label}${clients} clients: spread…`);
      const spread = await ledgerCell(database.url, clients, options, () => {
        const index = randomIndex(spreadPools);
        return issue(accounts.pools[index]!, accounts.vouchers[index]!);
      });
      progress(`${label}${clients} clients: hot…`);
      const hot = await ledgerCell(database.url, clients, options, () =>
        issue(accounts.hotPool, accounts.hotVouchers[randomIndex(hotVouchers)]!),
      );
      let bare: Cell | undefined;
      if (withBare) {
        progress(`${label}${clients} clients: bare UPDATE…`);
        bare = await bareCell(database.url, clients);
      }
      rows.push({ clients, spread, hot, bare });
    }
    progress(`${label}reconciling…`);
    // The reconciliation reads every transfer several times; a big run may take longer than the
    // server's 10 s statement_timeout, which is meant for requests, not for this report.
    const reconcilePool = openPool(database.url, 1, { statement_timeout: 0 });
    const reconcileStart = performance.now();
    let reconciliation: Suite['reconciliation'];
    try {
      reconciliation = await reconcile(reconcilePool);
    } catch (error) {
      reconciliation = { failed: describe(error) };
    }
    const reconcileMs = performance.now() - reconcileStart;
    await closePool(reconcilePool);
    progress('');
    return { options: resolveOptions(options), rows, reconciliation, reconcileMs, setupMs };
  } finally {
    await closePool(setupPool);
    await dropDatabase(database.name);
  }
}

function issue(pool: string, voucher: string): NewTransfer {
  return { id: randomUUID(), code: 'ISSUE', debitAccountId: pool, creditAccountId: voucher, amount: 1n };
}

/** The options the Ledger runs with, for the report: what was asked for, else its defaults. */
function resolveOptions(options: LedgerOptions): Required<LedgerOptions> {
  return { writers: options.writers ?? ledgerDefaults.writers, batchSize: options.batchSize ?? ledgerDefaults.batchSize };
}


// ---------------------------------------------------------------------------------------------
// Printing

function progress(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${text}`);
}

function rate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function ms(value: number): string {
  if (!Number.isFinite(value)) return '–';
  return value < 10 ? value.toFixed(2) : value < 100 ? value.toFixed(1) : value.toFixed(0);
}

function ratio(numerator: number, denominator: number | undefined): string {
  return denominator === undefined || denominator === 0 ? '–' : (numerator / denominator).toFixed(2);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? `-${'-'.repeat(width)}-` : `-${'-'.repeat(width)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function mainTable(rows: Row[]): string {
  return table(
    [
      'clients',
      'spread tr/s',
      'p50 ms',
      'p99 ms',
      'hot tr/s',
      'p50 ms',
      'p99 ms',
      'bare UPDATE/s',
      'p50 ms',
      'p99 ms',
      'spread/bare',
      'hot/bare',
    ],
    rows.map(({ clients, spread, hot, bare }) => [
      String(clients),
      rate(spread.rate),
      ms(spread.p50),
      ms(spread.p99),
      rate(hot.rate),
      ms(hot.p50),
      ms(hot.p99),
      bare === undefined ? '–' : rate(bare.rate),
      bare === undefined ? '–' : ms(bare.p50),
      bare === undefined ? '–' : ms(bare.p99),
      ratio(spread.rate, bare?.rate),
      ratio(hot.rate, bare?.rate),
    ]),
  );
}

function cpuTable(rows: Row[]): string {
  const batch = (cell: Cell): string =>
    cell.callsPerSecond === undefined || cell.callsPerSecond === 0 ? '–' : (cell.rate / cell.callsPerSecond).toFixed(1);
  const cpu = (cell: Cell | undefined): string =>
    cell === undefined
      ? '–'
      : `${(cell.nodeCpu * 100).toFixed(0)}% / ${cell.machineCpu === undefined ? '?' : (cell.machineCpu * 100).toFixed(0)}%`;
  return table(
    ['clients', 'spread calls/s', 'tr/call', 'hot calls/s', 'tr/call', 'CPU spread', 'CPU hot', 'CPU bare'],
    rows.map(({ clients, spread, hot, bare }) => [
      String(clients),
      rate(spread.callsPerSecond ?? 0),
      batch(spread),
      rate(hot.callsPerSecond ?? 0),
      batch(hot),
      cpu(spread),
      cpu(hot),
      cpu(bare),
    ]),
  );
}

function errorLines(rows: Row[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    for (const [name, cell] of [
      ['spread', row.spread],
      ['hot', row.hot],
      ['bare', row.bare],
    ] as const) {
      for (const [error, count] of cell?.errors ?? []) lines.push(`  ${name} at ${row.clients} clients: ${count} × ${error}`);
    }
  }
  return lines;
}

function isClean(suite: Suite): boolean {
  return !('failed' in suite.reconciliation) && suite.reconciliation.clean;
}

function reconciliationLine(suite: Suite): string {
  const { reconciliation: report } = suite;
  if ('failed' in report) return `FAILED: ${report.failed}`;
  const issued = report.byCode.find((code) => code.code === 'ISSUE');
  return (
    `${report.clean ? 'clean' : 'NOT CLEAN'}: ${report.accounts.toLocaleString('en-US')} accounts, ` +
    `${report.transfers.toLocaleString('en-US')} transfers (${(issued?.count ?? 0).toLocaleString('en-US')} ISSUE), ` +
    `checked in ${(suite.reconcileMs / 1000).toFixed(1)} s` +
    (report.problems.length > 0 ? `\n  ${report.problems.join('\n  ')}` : '')
  );
}

async function serverFacts(): Promise<string> {
  const [row] = await admin<{ version: string; fsync: string; synchronous_commit: string; shared_buffers: string }[]>`
    select version(), current_setting('fsync') as fsync, current_setting('synchronous_commit') as synchronous_commit,
           current_setting('shared_buffers') as shared_buffers`;
  const url = new URL(serverUrl!);
  return (
    `${row!.version.split(' on ')[0]} at ${url.hostname}:${url.port || 5432} ` +
    `(fsync ${row!.fsync}, synchronous_commit ${row!.synchronous_commit}, shared_buffers ${row!.shared_buffers})`
  );
}

/** Which ledger was measured: the migrations' checksums, and whether they differ from git's HEAD. */
async function schemaFacts(): Promise<string> {
  const migrations = await readMigrations(migrationsFolder);
  const files = migrations.map((migration) => `${migration.file} ${migration.checksum.slice(0, 12)}`).join(', ');
  let state = '';
  try {
    const changed = execFileSync('git', ['status', '--porcelain', '--', migrationsFolder], {
      cwd: migrationsFolder,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: migrationsFolder,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    state = changed.trim() === '' ? ` (as in ${head})` : ` (uncommitted changes on ${head})`;
  } catch {
    // Not a git checkout (or no git): the checksums say enough.
  }
  return `${files}${state}${flags.migrations === undefined ? '' : ` from ${flags.migrations}`}`;
}

function machineFacts(): string {
  const cpus = os.cpus();
  return `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, load ${os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')}`;
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'FAIL';
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  try {
    await admin`select 1`;
  } catch (error) {
    console.error(`bench:ledger: cannot reach PostgreSQL at DATABASE_URL: ${describe(error)}`);
    return 2;
  }
  const [limits] = await admin<{ max_connections: number }[]>`
    select current_setting('max_connections')::int as max_connections`;
  connectionCap = Math.max(1, limits!.max_connections - 10);
  console.log(`Ledger benchmark — ${new Date().toISOString()}`);
  console.log(`Server:  ${await serverFacts()}`);
  console.log(`Machine: ${machineFacts()}`);
  console.log(`Schema:  ${await schemaFacts()}`);
  console.log(
    `Cells:   ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured, clients ${clientCounts.join(', ')}; ` +
      `spread = ISSUE pool_i → voucher_i over ${spreadPools.toLocaleString('en-US')} pools, ` +
      `hot = ISSUE one pool → 1 of ${hotVouchers.toLocaleString('en-US')} vouchers, amount 1`,
  );

  if (flags.sweep) return sweep();

  const suite = await runSuite(chosen, true, '');
  if (interrupted) return 130;
  console.log(
    `Ledger:  writers ${suite.options.writers}, batchSize ${suite.options.batchSize}; ` +
      `one shared Ledger, pool max = max(clients, writers); setup ${(suite.setupMs / 1000).toFixed(1)} s` +
      `${clientCounts.some((clients) => clients > connectionCap) ? `\nPools:   at most ${connectionCap} connections (the server's max_connections less 10)` : ''}\n`,
  );
  console.log(mainTable(suite.rows));
  console.log('\nDatabase calls made by the Ledger (its batches) and CPU (this Node process / whole machine):\n');
  console.log(cpuTable(suite.rows));

  const errors = errorLines(suite.rows);
  console.log(`\nErrors: ${errors.length === 0 ? 'none (every transfer answered ok)' : `\n${errors.join('\n')}`}`);
  console.log(`Reconciliation: ${reconciliationLine(suite)}`);

  const at = suite.rows.find((row) => row.clients === targetClients);
  console.log(`\nTargets (at ${targetClients} clients):`);
  if (at === undefined || at.bare === undefined) {
    console.log(`  not checked: run with ${targetClients} among --clients`);
  } else {
    const spreadRatio = at.spread.rate / at.bare.rate;
    const hotRatio = at.hot.rate / at.bare.rate;
    console.log(`  spread ≥ ${rate(targets.spread)} tr/s: ${rate(at.spread.rate)} ${verdict(at.spread.rate >= targets.spread)}`);
    console.log(`  hot    ≥ ${rate(targets.hot)} tr/s: ${rate(at.hot.rate)} ${verdict(at.hot.rate >= targets.hot)}`);
    console.log(`  spread / bare UPDATE ≥ ${targets.ratio}: ${spreadRatio.toFixed(2)} ${verdict(spreadRatio >= targets.ratio)}`);
    console.log(`  hot / bare UPDATE    ≥ ${targets.ratio}: ${hotRatio.toFixed(2)} ${verdict(hotRatio >= targets.ratio)}`);
  }
  console.log(`  every transfer ok: ${verdict(errors.length === 0)}`);
  console.log(`  reconciliation clean: ${verdict(isClean(suite))}`);
  return errors.length === 0 && isClean(suite) ? 0 : 1;
}

async function sweep(): Promise<number> {
  const configs: Required<LedgerOptions>[] = [];
  for (const writers of writersList) for (const batchSize of batchSizeList) configs.push({ writers, batchSize });
  const suites: Suite[] = [];
  for (const [index, config] of configs.entries()) {
    if (interrupted) return 130;
    suites.push(await runSuite(config, index === 0, `writers ${config.writers}, batchSize ${config.batchSize}: `));
  }
  if (interrupted) return 130;
  const bare = suites[0]!.rows;
  const header = ['writers', 'batchSize'];
  for (const kind of ['spread', 'hot']) for (const row of bare) header.push(`${kind} @${row.clients}`);
  console.log('\nTransfers/s (p99 ms) by Ledger options, each in a fresh database:\n');
  console.log(
    table(
      header,
      suites.map((suite) => [
        String(suite.options.writers),
        String(suite.options.batchSize),
        ...suite.rows.map((row) => `${rate(row.spread.rate)} (${ms(row.spread.p99)})`),
        ...suite.rows.map((row) => `${rate(row.hot.rate)} (${ms(row.hot.p99)})`),
      ]),
    ),
  );
  console.log(`\nBare UPDATE/s: ${bare.map((row) => `${row.clients}: ${rate(row.bare?.rate ?? 0)}`).join(', ')}`);
  if (clientCounts.some((clients) => clients > connectionCap)) {
    console.log(`Pools: at most ${connectionCap} connections (the server's max_connections less 10)`);
  }

  const score = (suite: Suite, pick: (row: Row) => Cell): number =>
    suite.rows.reduce((sum, row) => sum + Math.log(Math.max(1, pick(row).rate)), 0);
  const best = (pick: (row: Row) => Cell): Suite =>
    suites.reduce((winner, suite) => (score(suite, pick) > score(winner, pick) ? suite : winner));
  const name = (suite: Suite): string => `writers ${suite.options.writers}, batchSize ${suite.options.batchSize}`;
  console.log(`Best for spread (geometric mean over client counts): ${name(best((row) => row.spread))}`);
  console.log(`Best for hot    (geometric mean over client counts): ${name(best((row) => row.hot))}`);

  let failed = false;
  for (const suite of suites) {
    const errors = errorLines(suite.rows);
    if (errors.length > 0 || !isClean(suite)) failed = true;
    console.log(`${name(suite)}: errors ${errors.length === 0 ? 'none' : `\n${errors.join('\n')}`}; reconciliation ${reconciliationLine(suite)}`);
  }
  return failed ? 1 : 0;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.message}${'code' in error ? ` (${String(error.code)})` : ''}` : String(error);
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (error) {
  console.error(`bench:ledger failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  exitCode = 1;
} finally {
  if (!interrupted) await cleanUp();
}
if (!interrupted) process.exit(exitCode);
