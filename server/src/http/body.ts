import type { HttpBindings } from '@hono/node-server';
import type { MiddlewareHandler } from 'hono';
import { Problem } from '../problem.js';

/** A route that takes a larger body than the rest of the API, such as a story's photo. */
export interface BodyLimit {
  path: RegExp;
  maxBytes: number;
}

/**
 * Reads a request's body once, at most `defaultMaxBytes` (else 413 `payload_too_large`, whether the
 * size is declared in Content-Length or only found while reading), and leaves it as text and as
 * bytes where `c.req.text()`, `c.req.json()` and `c.req.arrayBuffer()` find it (Hono's body cache).
 * A path matching one of `larger` may send up to that limit instead.
 *
 * Behind @hono/node-server it reads the Node request directly: the web `Request` the adapter
 * would otherwise build (a web stream over the socket, an AbortController) was the largest
 * share of the API's CPU per redemption (docs/performance.md).
 */
export function readBody(defaultMaxBytes: number, larger: readonly BodyLimit[] = []): MiddlewareHandler<{ Bindings: Partial<HttpBindings> }> {
  return async (c, next) => {
    if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'OPTIONS') return next();
    const maxBytes = larger.find((limit) => limit.path.test(c.req.path))?.maxBytes ?? defaultMaxBytes;
    const declared = Number(c.req.header('Content-Length'));
    if (declared > maxBytes) throw tooLarge(maxBytes);
    // Only without the Node request: `c.req.raw.body` makes the adapter build the web Request.
    const incoming = c.env?.incoming;
    const bytes = incoming ? await readIncoming(incoming, maxBytes) : await readStream(c.req.raw.body, maxBytes);
    // Hono caches the promise (its type says the value): json() parses what text() resolves to.
    // The bytes' own ArrayBuffer may be a shared pool's: the cache gets a copy of just them.
    Object.assign(c.req.bodyCache, {
      text: Promise.resolve(bytes.toString('utf8')),
      arrayBuffer: Promise.resolve(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    });
    return next();
  };
}

// Events, not `for await`: a stream's async iterator cost more than the reading itself.
function readIncoming(incoming: HttpBindings['incoming'], maxBytes: number): Promise<Buffer> {
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
    incoming.once('end', () => resolve(Buffer.concat(parts, size)));
    incoming.once('error', reject);
  });
}

/** The body of a web Request, as `app.request()` passes it in tests. */
async function readStream(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.byteLength;
    if (size > maxBytes) throw tooLarge(maxBytes);
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

function tooLarge(maxBytes: number): Problem {
  return new Problem(413, 'payload_too_large', 'Request body too large', `This endpoint reads at most ${maxBytes} bytes.`);
}
