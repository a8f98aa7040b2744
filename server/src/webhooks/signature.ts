// Webhook signatures of DESIGN §3, both ways: the events Mentoring sends, and the payment
// events it receives. `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Problem } from '../problem.js';

/** How far a signature's time may be from now: a captured request cannot be replayed later. */
export const signatureToleranceSeconds = 300;

/** The header value for `body` sent at `timestamp` (unix seconds): one `v1` per secret, so a receiver rotating its secret accepts either. */
export function signatureHeader(secrets: readonly string[], body: string, timestamp: number): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmac(secret, timestamp, body).toString('hex')}`)].join(',');
}

/**
 * Throws `invalid_signature` unless `header` (as {@link signatureHeader} writes it) signs `body`
 * with `secret` in one of its `v1` values, at most {@link signatureToleranceSeconds} from `now`.
 * Compared in constant time.
 */
export function verifySignature(secret: string, body: string, header: string | null, now: Date, headerName: string): void {
  if (header === null) throw invalidSignature(`No ${headerName} header.`);
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [name, value = ''] = part.trim().split('=', 2);
    if (name === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (name === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) {
    throw invalidSignature(`${headerName} must be t=<unix seconds>,v1=<hex HMAC-SHA256>.`);
  }
  if (Math.abs(now.getTime() / 1000 - timestamp) > signatureToleranceSeconds) {
    throw invalidSignature(`The signature is more than ${signatureToleranceSeconds} seconds old or ahead; sign each delivery when sending it.`);
  }
  const expected = hmac(secret, timestamp, body);
  if (!signatures.some((signature) => timingSafeEqual(signature, expected))) {
    throw invalidSignature('No v1 signature matches this body and timestamp.');
  }
}

function hmac(secret: string, timestamp: number, body: string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest();
}

function invalidSignature(detail: string): Problem {
  return new Problem(400, 'invalid_signature', 'Invalid webhook signature', detail);
}
