// One POST of a webhook: bounded in time, never following a redirect, and for live endpoints only
// to public addresses, checked on the address the name resolves to when connecting (a name that
// was public when the endpoint was made can later point inside).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isLinkLocalAddress, isPrivateAddress } from './endpoint-url.js';

export interface Post {
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Refuse to connect to loopback, private and reserved addresses (live endpoints). */
  publicOnly: boolean;
  timeoutMs: number;
}

/** What one attempt gave; a 2xx is the only success. */
export interface PostResult {
  succeeded: boolean;
  status: number | null;
  durationMs: number;
  error: string | null;
}

/** Keep-alive connections for the deliveries of one worker; `destroy()` closes them. */
export class WebhookAgents {
  readonly http = new HttpAgent({ keepAlive: true, maxSockets: 50 });
  readonly https = new HttpsAgent({ keepAlive: true, maxSockets: 50 });

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}

export function post(agents: WebhookAgents, { url, body, headers, publicOnly, timeoutMs }: Post): Promise<PostResult> {
  const started = performance.now();
  const target = new URL(url);
  return new Promise((resolve) => {
    let done = false;
    const finish = (status: number | null, error: string | null) => {
      if (done) return;
      done = true;
      resolve({ succeeded: error === null, status, durationMs: Math.round(performance.now() - started), error });
    };
    const host = target.hostname.replace(/^\[|\]$/g, '');
    const refused = publicOnly ? isPrivateAddress : isLinkLocalAddress;
    if (isIP(host) !== 0 && refused(host)) {
      finish(null, `${host} is not an address webhooks are sent to`);
      return;
    }
    const https = target.protocol === 'https:';
    const request = (https ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        agent: https ? agents.https : agents.http,
        signal: AbortSignal.timeout(timeoutMs),
        lookup: publicOnly ? publicOnlyLookup : noLinkLocalLookup,
      },
      (response) => {
        const status = response.statusCode ?? null;
        // The receiver's answer is not read: only its status counts.
        response.resume();
        response.on('end', () => finish(status, failure(status)));
        response.on('error', (error) => finish(status, describe(error, timeoutMs)));
      },
    );
    request.on('error', (error) => finish(null, describe(error, timeoutMs)));
    request.end(body);
  });
}

function failure(status: number | null): string | null {
  if (status !== null && status >= 200 && status < 300) return null;
  if (status !== null && status >= 300 && status < 400) return `HTTP ${status}: redirects are not followed`;
  return `HTTP ${status}`;
}

function describe(error: Error & { code?: string }, timeoutMs: number): string {
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  return (error.code === undefined ? error.message : `${error.code}: ${error.message}`).slice(0, 500);
}

/** dns.lookup on a server that sends to public addresses only, and on one that allows private ones but never link-local. */
const publicOnlyLookup = lookupRefusing(isPrivateAddress);
const noLinkLocalLookup = lookupRefusing(isLinkLocalAddress);

/** dns.lookup, refusing names that resolve to an address `refused` says no to. */
function lookupRefusing(refused: (address: string) => boolean): LookupFunction {
  return ((hostname: string, options: object, callback: (...args: unknown[]) => void) => {
    dnsLookup(hostname, options, (error, address: string | LookupAddress[], family?: number) => {
      const addresses = typeof address === 'string' ? [address] : (address ?? []).map((entry) => entry.address);
      const found = error === null ? addresses.find(refused) : undefined;
      if (found !== undefined) {
        callback(Object.assign(new Error(`${hostname} resolves to ${found}, not an address webhooks are sent to`), { code: 'EPRIVATEADDRESS' }));
        return;
      }
      callback(error, address, family);
    });
  }) as LookupFunction;
}
