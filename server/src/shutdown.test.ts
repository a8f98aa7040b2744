import assert from 'node:assert/strict';
import { Agent, createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { prepareGracefulClose } from './shutdown.js';

function get(port: number, agent: Agent): Promise<IncomingMessage & { body: string }> {
  return new Promise((resolve, reject) => {
    request({ port, host: '127.0.0.1', path: '/', agent }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk));
      response.on('end', () => resolve(Object.assign(response, { body })));
    })
      .on('error', reject)
      .end();
  });
}

describe('prepareGracefulClose', () => {
  it('lets the request in flight finish, closes its keep-alive connection, and stops long before the time limit', async () => {
    const server = createServer((_request, response) => {
      setTimeout(() => response.end('seat booked'), 300);
    });
    const close = prepareGracefulClose(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true });

    const inFlight = get(port, agent);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    const closed = close(10_000);

    const response = await inFlight;
    assert.equal(response.body, 'seat booked');
    assert.equal(response.headers.connection, 'close');
    await closed;
    assert.ok(performance.now() - started < 2_000, `stopped in ${Math.round(performance.now() - started)} ms`);
    agent.destroy();
  });

  it('cuts a connection that is still busy at the time limit', async () => {
    const server = createServer(() => {}); // never answers
    const close = prepareGracefulClose(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true });
    const stuck = get(port, agent).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = performance.now();
    await close(200);
    assert.ok(performance.now() - started < 1_000);
    assert.ok((await stuck) instanceof Error, 'the client sees the connection end');
    agent.destroy();
  });
});
