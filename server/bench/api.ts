// `npm run bench:api`: captured redemptions per second end to end over HTTP, against the real
// server process on a real PostgreSQL, next to the ledger-only rate of the same money movements
// (a linked HOLD + CAPTURE) in the same run. Not a test: it prints a table; docs/performance.md
// keeps the measured one.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:api
//   npm run bench:api -- --duration 10 --warmup 2 --clients 64
//
// It works in a new database `mentoring_bench_<random>`, dropped at the end (also after Ctrl-C).
import { spawn, type ChildProcess } from 'node:child_process';
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import postgres from 'postgres';
import { createApp } from '../src/app.js';
import { openDatabase } from '../src/db/connection.js';
import { migrate } from '../src/db/migrate.js';
import { derivedId, newId } from '../src/ids.js';
import { Ledger } from '../src/ledger/ledger.js';
import { reconcile } from '../src/ledger/reconciliation.js';
import { adminKey, createKey, type TestApi } from '../test/api.js';
import { seedCircuit, seedOffer, seedProvider, type TestOffer } from '../test/fixtures/catalog.js';
import { seedReferrer, seedVoucher, type TestVoucher } from '../test/fixtures/vouchers.js';
import { machineShare, machineTicks, measure, processCpuSeconds, type Cell } from './measure.js';

const usage = `Usage: npm run bench:api [-- options]

Needs a PostgreSQL server at DATABASE_URL (a role that may create databases).

Options:
  --duration <s>   measured seconds (default 10)
  --warmup <s>     unmeasured seconds first (default 2)
  --clients <n>    concurrent HTTP clients (default 64)
  --vouchers <n>   vouchers redeemed round-robin (default 4000: each is used a few times, under its rate limit)
  --help`;

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    clients: { type: 'string', default: '64' },
    vouchers: { type: 'string', default: '4000' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  console.log(usage);
  process.exit(0);
}
const durationMs = Number(flags.duration) * 1000;
const warmupMs = Number(flags.warmup) * 1000;
const clients = Number(flags.clients);
const voucherCount = Number(flags.vouchers);
if (![durationMs, warmupMs, clients, voucherCount].every((value) => Number.isFinite(value) && value > 0)) {
  console.error(`bench:api: every option is a positive number\n\n${usage}`);
  process.exit(2);
}
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('bench:api measures against a real PostgreSQL server; set DATABASE_URL.\n\n' + usage);
  process.exit(2);
}

// The targets of issue 4, on the 2-core machine at 64 clients.
const targets = { rate: 1500, p99: 50, ratio: 0.4 };
// Each provider has this many offers; seat price and voucher value leave room for every redemption.
const providers = 8;
const offersPerProvider = 4;
const seatPrice = 1000n;
const voucherValue = 100_000n;

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const databaseName = `mentoring_bench_${randomBytes(4).toString('hex')}`;
let server: ChildProcess | undefined;
let interrupted = false;

async function cleanUp(): Promise<void> {
  server?.kill('SIGKILL');
  await admin.unsafe(`drop database if exists ${databaseName} with (force)`);
  await admin.end({ timeout: 1 });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    interrupted = true;
    void cleanUp().finally(() => process.exit(130));
  });
}

interface World {
  api: TestApi;
  offers: (TestOffer & { deskKey: string; payableAccountId: string })[];
  vouchers: TestVoucher[];
}

/** A circuit with 8 providers × 4 offers and thousands of vouchers, made through the app itself. */
async function setUp(url: string): Promise<World> {
  const database = await openDatabase({ url, dataDir: '', max: 8 });
  await migrate(database.sql);
  const ledger = new Ledger(database.sql);
  const api: TestApi = {
    app: createApp({ database, services: { adminKey, ledger } }),
    database: { ...database, url, dataDir: undefined },
    ledger,
    close: () => database.close(),
  };
  const circuit = await seedCircuit(api, { funded: voucherValue * BigInt(voucherCount) + 1n });
  const offers: World['offers'] = [];
  for (let index = 0; index < providers; index += 1) {
    const provider = await seedProvider(api, circuit, { name: `Provider ${index + 1}` });
    const deskKey = await createKey(api, provider.id, 'desk', circuit.operator.secretKey);
    const [row] = await database.sql<{ payable_account_id: string }[]>`
      select payable_account_id from organizations where id = ${provider.id}`;
    for (let offer = 0; offer < offersPerProvider; offer += 1) {
      const created = await seedOffer(api, circuit, provider.id, { seatPrice, seats: 100_000 });
      offers.push({ ...created, deskKey, payableAccountId: row!.payable_account_id });
    }
  }
  const school = await seedReferrer(api, circuit, { allocation: voucherValue * BigInt(voucherCount) });
  const vouchers: TestVoucher[] = [];
  for (let start = 0; start < voucherCount; start += 50) {
    const batch = Math.min(50, voucherCount - start);
    vouchers.push(...(await Promise.all(Array.from({ length: batch }, () => seedVoucher(api, circuit, school, { amount: voucherValue })))));
    process.stderr.write(`\rsetting up: ${vouchers.length}/${voucherCount} vouchers`);
  }
  process.stderr.write('\n');
  // Statistics as autovacuum would have them on a live database: plans made on a just-filled
  // table without them scan every voucher.
  await database.sql`vacuum analyze`;
  return { api, offers, vouchers };
}

/** The real server (server/src/main.ts) in its own process, as `npm start` runs it; resolves to its base URL. */
async function startServer(url: string): Promise<string> {
  const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
  server = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_OPTIONS?.split(' ').filter(Boolean) ?? []), '--import', 'tsx', main], {
    env: { ...process.env, DATABASE_URL: url, PORT: '0', MENTORING_ADMIN_KEY: adminKey },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    server!.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const port = /listening on port (\d+)/.exec(output)?.[1];
      if (port !== undefined) resolve(`http://127.0.0.1:${port}`);
    });
    server!.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening:\n${output}`)));
  });
}

/**
 * The HTTP clients are autocannon's: it costs the load generator, which shares the machine with the
 * server and PostgreSQL, about half the CPU a node:http client does. Each request takes the next
 * voucher and offer in turn; anything but 201 is an error. A warm-up run comes first.
 */
async function httpCell(base: string, world: World, serverPid: number): Promise<Cell & { serverCpu: number }> {
  let next = 0;
  const run = (seconds: number) =>
    autocannon({
      url: base,
      connections: clients,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          path: '/v1/redemptions',
          setupRequest: (request) => {
            const voucher = world.vouchers[next % world.vouchers.length]!;
            const offer = world.offers[next % world.offers.length]!;
            next += 1;
            return {
              ...request,
              headers: { authorization: `Bearer ${offer.deskKey}`, 'content-type': 'application/json' },
              body: JSON.stringify({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: true }),
            };
          },
        },
      ],
    });
  await run(warmupMs / 1000);
  const cpu0 = process.cpuUsage();
  const server0 = processCpuSeconds(serverPid);
  const machine0 = machineTicks();
  const result = await run(durationMs / 1000);
  const cpu = process.cpuUsage(cpu0);
  const elapsedSeconds = result.duration;
  const machine1 = machineTicks();
  const errors = new Map<string, number>();
  for (const [status, { count = 0 }] of Object.entries(result.statusCodeStats ?? {})) {
    if (status !== '201' && count > 0) errors.set(`HTTP ${status}`, Number(count));
  }
  if (result.errors > 0) errors.set('connection errors', result.errors);
  return {
    clients,
    rate: result.requests.total / elapsedSeconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors,
    callsPerSecond: undefined,
    nodeCpu: (cpu.user + cpu.system) / 1e6 / elapsedSeconds,
    machineCpu: machineShare(machine0, machine1),
    serverCpu: (processCpuSeconds(serverPid) - server0) / elapsedSeconds,
  };
}

/** The same money movement without HTTP: a linked HOLD + CAPTURE through the Ledger, with the server's pool size. */
async function ledgerCell(url: string, world: World): Promise<Cell> {
  const database = await openDatabase({ url, dataDir: '' });
  const ledger = new Ledger(database.sql);
  let next = 0;
  try {
    return await measure(
      clients,
      async () => {
        const voucher = world.vouchers[next % world.vouchers.length]!;
        const offer = world.offers[next % world.offers.length]!;
        next += 1;
        const id = newId();
        const outcomes = await ledger.createLinkedTransfers([
          { id, code: 'HOLD', debitAccountId: voucher.id, creditAccountId: offer.payableAccountId, amount: seatPrice, timeoutSeconds: 60 },
          { id: derivedId(id, 'capture'), code: 'CAPTURE', pendingId: id, amount: seatPrice },
        ]);
        const refused = outcomes.find((outcome) => outcome.result !== 'ok');
        return refused === undefined ? undefined : `result ${refused.result}`;
      },
      { warmupMs, durationMs, stopped: () => interrupted },
    );
  } finally {
    await database.close();
  }
}

function errors(cell: Cell): string {
  const entries = [...cell.errors].map(([kind, count]) => `${count} × ${kind}`);
  return entries.length === 0 ? 'none' : entries.join(', ');
}

async function main(): Promise<number> {
  await admin.unsafe(`create database ${databaseName}`);
  const url = new URL(serverUrl!);
  url.pathname = `/${databaseName}`;
  const [facts] = await admin<{ version: string; fsync: string }[]>`select version(), current_setting('fsync') as fsync`;
  console.log(`PostgreSQL: ${facts!.version.split(' on ')[0]} (fsync ${facts!.fsync})`);
  console.log(`Machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), Node ${process.version}`);
  console.log(`Run: ${clients} clients, ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured, ${voucherCount} vouchers, ${providers * offersPerProvider} offers of ${providers} providers`);

  const setupStart = performance.now();
  const world = await setUp(url.href);
  console.log(`Set-up: ${((performance.now() - setupStart) / 1000).toFixed(1)} s`);

  const base = await startServer(url.href);
  const http = await httpCell(base, world, server!.pid!);
  server!.kill('SIGTERM');
  await new Promise((resolve) => server!.once('exit', resolve));
  server = undefined;
  const ledgerOnly = await ledgerCell(url.href, world);
  const report = await reconcile(world.api.database.sql);
  await world.api.close();

  const ratio = http.rate / ledgerOnly.rate;
  const rows = [
    ['HTTP POST /v1/redemptions (capture)', http],
    ['ledger only (HOLD + CAPTURE linked)', ledgerOnly],
  ] as const;
  console.log('\n| path | redemptions/s | p50 ms | p99 ms | Node CPU (cores) | machine CPU | errors |');
  console.log('|---|---:|---:|---:|---:|---:|---|');
  for (const [label, cell] of rows) {
    console.log(
      `| ${label} | ${Math.round(cell.rate).toLocaleString('en')} | ${cell.p50.toFixed(2)} | ${cell.p99.toFixed(2)} | ` +
        `${cell.nodeCpu.toFixed(2)} | ${cell.machineCpu === undefined ? '—' : `${Math.round(cell.machineCpu * 100)} %`} | ${errors(cell)} |`,
    );
  }
  console.log(`(Node CPU of the HTTP row is the load generator only; the server process used ${http.serverCpu.toFixed(2)} cores.)`);
  console.log(`\nratio HTTP / ledger only: ${ratio.toFixed(2)}`);
  console.log(`reconciliation: ${report.clean ? 'clean' : `NOT CLEAN: ${report.problems.join('; ')}`} (${report.transfers} transfers)`);
  const checks = [
    [`≥ ${targets.rate} captured redemptions/s`, http.rate >= targets.rate],
    [`p99 ≤ ${targets.p99} ms`, http.p99 <= targets.p99],
    [`ratio ≥ ${targets.ratio}`, ratio >= targets.ratio],
    ['no errors', http.errors.size === 0 && ledgerOnly.errors.size === 0],
  ] as const;
  for (const [label, pass] of checks) console.log(`${pass ? 'PASS' : 'FAIL'}  ${label}`);
  return checks.every(([, pass]) => pass) && report.clean ? 0 : 1;
}

main()
  .then(async (code) => {
    await cleanUp();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error);
    await cleanUp();
    process.exit(1);
  });
