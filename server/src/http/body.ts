import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { Problem } from '../problem.js';

/**
 * Reads a request's body once, at most `maxBytes` (else 413 `payload_too_large`, whether the
 * size is declared in Content-Length or only found while reading), and leaves it as text where
 * `c.req.text()` and `c.req.json()` find it (Hono's body cache).
 *
 * Behind @hono/node-server it reads the Node request directly: the web `Request` the adapter
 * would otherwise build (a web stream over the socket, an AbortController) was the largest
 * share of the API's CPU per redemption (docs/performance.md).
 */
export function readBody(maxBytes: number): MiddlewareHandler<{ Bindings: Partial<HttpBindings> }> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const declared = Number(c.req.header('Content-Length'));
    if (declared > maxBytes) throw tooLarge(maxBytes);
    // Only without the Node request: `c.req.raw.body` makes the adapter build the web Request.
    const incoming = c.env?.incoming;
    const text = incoming ? await readIncoming(incoming, maxBytes) : await readStream(c.req.raw.body, maxBytes);
    // Hono caches the promise (its type says the value): json() parses what text() resolves to.
    Object.assign(c.req.bodyCache, { text: Promise.resolve(text) });
    return next();
  };
}

// Events, not `for await`: a stream's async iterator cost more than the reading itself.
function readIncoming(incoming: HttpBindings['incoming'], maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) return void parts.push(chunk);
      incoming.off('data', onData);
      reject(tooLarge(maxBytes));
    };
    incoming.on('data', onData);
    incoming.once('end', () => resolve(Buffer.concat(parts, size).toString('utf8')));
    incoming.once('error', reject);
  });
}

/** The body of a web Request, as `app.request()` passes it in tests. */
async function readStream(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    parts.push(chunk);
  }
  return Buffer.concat(parts, size).toString('utf8');
}

function tooLarge(maxBytes: number): Problem {
  return new Problem(413, 'payload_too_large', 'Request body too large', `The API reads at most ${maxBytes} bytes.`);
}
