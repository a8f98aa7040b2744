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
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
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
import { measure, type Cell } from './measure.js';

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
 * The HTTP clients: `clients` loops of {@link measure}, as in the ledger-only cell, each on a
 * keep-alive connection of its own, sending its next request when the answer to the last one is in.
 * Each request takes the next voucher and offer in turn; anything but 201 is an error.
 */
async function httpCell(base: string, world: World, serverPid: number): Promise<Cell & { created: number }> {
  const { hostname, port } = new URL(base);
  let created = 0;
  const connections = Array.from({ length: clients }, () => new HttpConnection(hostname, Number(port)));
  let next = 0;
  try {
    const cell = await measure(
      clients,
      async (loop) => {
        const voucher = world.vouchers[next % world.vouchers.length]!;
        const offer = world.offers[next % world.offers.length]!;
        next += 1;
        const body = JSON.stringify({ code: voucher.code, pin: voucher.pin, offer_id: offer.id, seats: 1, capture: true });
        const status = await connections[loop]!.request(
          `POST /v1/redemptions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${offer.deskKey}\r\n` +
            `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        if (status !== 201) return `HTTP ${status}`;
        created += 1;
        return undefined;
      },
      { warmupMs, durationMs, stopped: () => interrupted, watchPid: serverPid },
    );
    return { ...cell, created };
  } finally {
    for (const connection of connections) connection.close();
  }
}

/**
 * A keep-alive HTTP/1.1 connection that sends one request at a time and reads its answer's status,
 * which is all the benchmark needs: no pipelining, and answers with a Content-Length (the API's).
 * The load generator shares the two cores with the server and PostgreSQL: autocannon, used before,
 * spent about 80 µs of CPU a request on this machine, this client about half (docs/performance.md).
 */
class HttpConnection {
  readonly #host: string;
  readonly #port: number;
  #socket: Socket | undefined;
  #received: Buffer = Buffer.alloc(0);
  #waiting: { resolve(status: number): void; reject(error: Error): void; timer: NodeJS.Timeout } | undefined;

  constructor(host: string, port: number) {
    this.#host = host;
    this.#port = port;
  }

  /**
   * Sends `request` (head and body) and resolves to the answer's status once all of it is read. A
   * connection that broke (closed, refused, an answer it could not read, no answer in time) fails
   * its request and is opened again for the next.
   */
  request(request: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error(`no answer in ${answerTimeoutMs / 1000} s`)), answerTimeoutMs);
      this.#waiting = { resolve, reject, timer };
      (this.#socket ??= this.#open()).write(request);
    });
  }

  close(): void {
    this.#socket?.destroy();
  }

  #open(): Socket {
    const socket = connect({ host: this.#host, port: this.#port, noDelay: true });
    socket.on('data', (chunk: Buffer) => this.#read(chunk));
    socket.on('error', (error) => this.#fail(error));
    socket.on('close', () => this.#fail(new Error('the server closed the connection')));
    this.#received = Buffer.alloc(0);
    return socket;
  }

  #read(chunk: Buffer): void {
    this.#received = this.#received.length === 0 ? chunk : Buffer.concat([this.#received, chunk]);
    const headEnd = this.#received.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.#received.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
    if (length === undefined) return this.#fail(new Error(`an answer without Content-Length: ${head.split('\r\n')[0]}`));
    const end = headEnd + 4 + Number(length);
    if (this.#received.length < end) return;
    this.#received = this.#received.subarray(end);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    clearTimeout(waiting?.timer);
    // "HTTP/1.1 201 Created": the status is characters 9 to 11.
    waiting?.resolve(Number(head.slice(9, 12)));
  }

  /** Fails the request in flight, if any, and drops the socket: the next request opens another. */
  #fail(error: Error): void {
    const waiting = this.#waiting;
    this.#waiting = undefined;
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.removeAllListeners('close').destroy();
    if (waiting === undefined) return;
    clearTimeout(waiting.timer);
    waiting.reject(error);
  }
}

/** How long a client waits for an answer before it counts an error and opens a new connection. */
const answerTimeoutMs = 10_000;

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
  // A server that died during the cell (its errors are counted) has no exit left to wait for.
  if (server!.exitCode === null && server!.signalCode === null) {
    server!.kill('SIGTERM');
    await new Promise((resolve) => server!.once('exit', resolve));
  }
  server = undefined;
  // The client's own count, checked against the database: every 201 it counted is a captured redemption there.
  const [stored] = await world.api.database.sql<{ count: bigint }[]>`select count(*) from redemptions where status = 'captured'`;
  const storedRedemptions = Number(stored!.count);
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
  console.log(`(Node CPU of the HTTP row is the load generator only; the server process used ${http.watchedCpu?.toFixed(2) ?? '—'} cores.)`);
  console.log(`\ncaptured redemptions in the database: ${storedRedemptions.toLocaleString('en')}; answers 201 counted by the clients: ${http.created.toLocaleString('en')}`);
  console.log(`ratio HTTP / ledger only: ${ratio.toFixed(2)}`);
  console.log(`reconciliation: ${report.clean ? 'clean' : `NOT CLEAN: ${report.problems.join('; ')}`} (${report.transfers} transfers)`);
  const checks = [
    [`≥ ${targets.rate} captured redemptions/s`, http.rate >= targets.rate],
    [`p99 ≤ ${targets.p99} ms`, http.p99 <= targets.p99],
    [`ratio ≥ ${targets.ratio}`, ratio >= targets.ratio],
    ['no errors', http.errors.size === 0 && ledgerOnly.errors.size === 0],
    ['every 201 counted is a redemption in the database', http.created === storedRedemptions],
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
