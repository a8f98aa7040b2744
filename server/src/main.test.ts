import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { createEmbeddedDataDir } from '../test/database.js';
import type { DemoData } from './demo/seed.js';
import { listeningPort, startScript, type Running } from '../test/process.js';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));

/** Starts the server as `npm start` does, on a free port; without the demo unless asked. */
function start(env: Record<string, string>): Running {
  return startScript(main, { PORT: '0', MENTORING_DEMO: 'false', ...env });
}

describe('the server process', () => {
  const dataDir = createEmbeddedDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on the embedded database, serves health and examples, and stops cleanly on SIGTERM', async () => {
    const server = start({ MENTORING_DATA_DIR: dataDir });
    const port = await listeningPort(server);
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    // Without the demo there are no keys and ids to put in the demo pages.
    const examples = await fetch(`${base}/examples/`);
    assert.equal(examples.status, 503);
    assert.equal(((await examples.json()) as { code: string }).code, 'service_unavailable');
    assert.ok(existsSync(join(dataDir, 'embedded.pid')));

    // An idle keep-alive connection, as a browser leaves one: it must not hold the shutdown up.
    await new Promise<void>((resolve) => {
      request(`${base}/healthz`, { agent: new Agent({ keepAlive: true }) }, (response) => {
        response.resume().on('end', () => resolve());
      }).end();
    });
    const stopping = performance.now();
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.output());
    assert.ok(performance.now() - stopping < 3_000, 'stopped without waiting out the 10 s drain limit');
    assert.match(server.output(), /SIGTERM: finishing open requests, then closing the database\nMentoring stopped/);
    assert.equal(existsSync(join(dataDir, 'embedded.pid')), false, 'the data folder is unlocked');
  });

  it('creates the demo on a new embedded database and prints the voucher cards to try', async () => {
    const demoDir = createEmbeddedDataDir();
    try {
      const server = start({ MENTORING_DATA_DIR: demoDir, MENTORING_DEMO: 'true' });
      const port = await listeningPort(server);
      for (let waited = 0; !/desk key/.test(server.output()) && waited < 60_000; waited += 100) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.match(server.output(), /demo {7}http:\/\/localhost:\d+\/examples\/ \(demo data created now/);
      const demo = JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8')) as DemoData;
      // Every card of the demo, and only those.
      assert.ok(demo.vouchers.length >= 6);
      assert.deepEqual(
        server.output().match(/MNT(-[0-9A-Z]{4}){3}-[0-9A-Z](?= {4}\d{6})/g)?.sort(),
        demo.vouchers.map((voucher) => voucher.code).sort(),
        server.output(),
      );
      const theatre = await fetch(`http://127.0.0.1:${port}/examples/teatro-cagnoni/`);
      assert.equal(theatre.status, 200);
      assert.ok((await theatre.text()).includes(`data-key="${demo.providers.teatroCagnoni.publishableKey}"`), 'the theatre page has its key');
      server.child.kill('SIGTERM');
      assert.equal(await server.exited, 0, server.output());
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
  });

  it('closes the database and unlocks the folder when stopped while still starting', async () => {
    const server = start({ MENTORING_DATA_DIR: dataDir });
    // The lock file appears as the database starts opening, which takes a while.
    while (!existsSync(join(dataDir, 'embedded.pid')) && server.child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    server.child.kill('SIGINT');
    assert.equal(await server.exited, 0, server.output());
    assert.doesNotMatch(server.output(), /listening/);
    assert.match(server.output(), /Mentoring stopped/);
    assert.equal(existsSync(join(dataDir, 'embedded.pid')), false);
  });

  it('exits with one readable line when a variable is wrong', async () => {
    const server = start({ MENTORING_DATA_DIR: dataDir, PORT: 'eighty' });
    assert.equal(await server.exited, 1);
    assert.equal(
      server.output(),
      'Mentoring could not start: Invalid environment:\n  PORT="eighty": must be a whole number from 0 to 65535\n',
    );
  });

  it('exits with one readable line when another server has the data folder', async () => {
    const first = start({ MENTORING_DATA_DIR: dataDir });
    await listeningPort(first);
    try {
      const second = start({ MENTORING_DATA_DIR: dataDir });
      assert.equal(await second.exited, 1);
      assert.match(second.output(), new RegExp(`^Mentoring could not start: the embedded database in .* is in use by process ${first.child.pid}\\.`));
    } finally {
      first.child.kill('SIGTERM');
      await first.exited;
    }
  });
});
