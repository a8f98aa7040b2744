import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { request, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { handleError } from '../problem.js';
import { readBody } from './body.js';

const maxBytes = 1024;

function echoApp() {
  const app = new Hono();
  app.onError(handleError);
  app.use(readBody(maxBytes, [{ path: /^\/photo$/, maxBytes: 4 * maxBytes }]));
  app.post('/echo', async (c) => c.json({ text: await c.req.text(), json: await c.req.json().catch(() => 'not json') }));
  app.put('/photo', async (c) => c.json({ bytes: [...new Uint8Array(await c.req.arrayBuffer())].slice(0, 4), size: (await c.req.arrayBuffer()).byteLength }));
  return app;
}

/** One POST over a real socket; `chunked` sends the body without Content-Length. */
function post(port: number, body: string, { chunked = false } = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json' };
    if (!chunked) headers['Content-Length'] = Buffer.byteLength(body);
    const sent = request({ host: '127.0.0.1', port, path: '/echo', method: 'POST', headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    sent.on('error', reject);
    if (chunked) {
      // Several writes, so the limit is found while reading, not from a header.
      for (let start = 0; start < body.length; start += 256) sent.write(body.slice(start, start + 256));
      sent.end();
    } else {
      sent.end(body);
    }
  });
}

describe('reading request bodies', () => {
  let server: Server;
  let port: number;
  before(async () => {
    server = serve({ fetch: echoApp().fetch, port: 0 }) as Server;
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  it('gives handlers the text and the JSON of a body read from the socket, multibyte characters intact', async () => {
    const body = JSON.stringify({ name: 'Shoqata Shqiptare «Besa» – Milano' });
    for (const chunked of [false, true]) {
      const answer = await post(port, body, { chunked });
      assert.equal(answer.status, 200);
      assert.deepEqual(answer.body, { text: body, json: JSON.parse(body) });
    }
  });

  it('refuses a body over the limit with 413, whether Content-Length says so or the bytes do', async () => {
    const huge = JSON.stringify({ name: 'x'.repeat(maxBytes) });
    for (const chunked of [false, true]) {
      const answer = await post(port, huge, { chunked });
      assert.equal(answer.status, 413, `chunked: ${chunked}`);
      assert.equal(answer.body.code, 'payload_too_large');
    }
  });

  it('reads bodies the same way through app.request(), as tests call the app', async () => {
    const response = await echoApp().request('/echo', { method: 'POST', body: '{"seats": 2}', headers: { 'Content-Type': 'application/json' } });
    assert.deepEqual(await response.json(), { text: '{"seats": 2}', json: { seats: 2 } });
    const tooLarge = await echoApp().request('/echo', { method: 'POST', body: 'x'.repeat(maxBytes + 1) });
    assert.equal(tooLarge.status, 413);
  });

  it('lets a route with its own limit take a larger body, as bytes, and still stops it at that limit', async () => {
    const photo = new Uint8Array(3 * maxBytes);
    photo.set([0x89, 0x50, 0x4e, 0x47]);
    const taken = await echoApp().request('/photo', { method: 'PUT', body: photo });
    assert.deepEqual(await taken.json(), { bytes: [0x89, 0x50, 0x4e, 0x47], size: 3 * maxBytes });
    const elsewhere = await echoApp().request('/echo', { method: 'POST', body: photo });
    assert.equal(elsewhere.status, 413);
    const tooLarge = await echoApp().request('/photo', { method: 'PUT', body: new Uint8Array(4 * maxBytes + 1) });
    assert.equal(tooLarge.status, 413);
  });
});
