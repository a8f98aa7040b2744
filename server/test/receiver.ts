// A webhook receiver on loopback, as an organization would run one: it records every delivery and
// verifies its signature with the endpoint's secret, the way docs/api.md tells receivers to.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Problem } from '../src/problem.js';
import { verifySignature } from '../src/webhooks/signature.js';
import { signatureHeaderName } from '../src/webhooks/worker.js';

export interface ReceivedEvent {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, any>;
}

export interface Delivery {
  headers: IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  event: ReceivedEvent;
}

export class Receiver {
  readonly received: Delivery[] = [];
  readonly #server: Server;
  /** The HTTP status it answers each delivery with. */
  status = 200;

  private constructor(server: Server) {
    this.#server = server;
    server.on('request', (request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        this.received.push({ headers: request.headers, body, event: JSON.parse(body) as ReceivedEvent });
        response.writeHead(this.status).end();
      });
    });
  }

  /** Listens on 127.0.0.1, on `port` (any free one by default). */
  static async start(port = 0): Promise<Receiver> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    return new Receiver(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/mentoring/webhooks`;
  }

  /** The events received, in order, of `type` if given. */
  events(type?: string): ReceivedEvent[] {
    return this.received.map((delivery) => delivery.event).filter((event) => type === undefined || event.type === type);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

/** Whether `delivery` is signed with `secret` and was signed within 5 minutes of `now`, as a receiver checks. */
export function signedWith(delivery: Pick<Delivery, 'body' | 'headers'>, secret: string, now = new Date()): boolean {
  try {
    verifySignature(secret, delivery.body, String(delivery.headers[signatureHeaderName.toLowerCase()]), now, signatureHeaderName);
    return true;
  } catch (error) {
    if (error instanceof Problem && error.code === 'invalid_signature') return false;
    throw error;
  }
}
