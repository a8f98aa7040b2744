import { createHash, randomFillSync } from 'node:crypto';

// Random bytes for ids and references, drawn from the CSPRNG 4 KiB at a time (as Node's
// randomUUID does): one system call per request each was a measurable share of a redemption's CPU.
const pool = Buffer.alloc(4096);
let poolUsed = pool.length;

function randomBytes(size: number): Buffer {
  if (poolUsed + size > pool.length) {
    randomFillSync(pool);
    poolUsed = 0;
  }
  // A copy: callers change their bytes (newId sets the time and version bits).
  return Buffer.from(pool.subarray(poolUsed, (poolUsed += size)));
}

// The millisecond of the last id made, and its 12-bit counter (rand_a).
let lastMillisecond = -1;
let counter = 0;

/**
 * A new UUIDv7 (RFC 9562): 48 bits of milliseconds, then 74 bits that are random, except that ids
 * made in the same millisecond count up in their first 12 (the RFC's method 1): a batch of twenty
 * vouchers lists back in the order it was made. Ids sort by creation time, so `?starting_after=id`
 * pages in creation order and index inserts stay at the right edge.
 */
export function newId(now = Date.now()): string {
  const bytes = randomBytes(16);
  if (now === lastMillisecond && counter < 0xfff) {
    counter += 1;
  } else {
    lastMillisecond = now;
    // A random start in the lower half leaves room to count up.
    counter = bytes.readUInt16BE(6) & 0x7ff;
  }
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (counter >> 8);
  bytes[7] = counter & 0xff;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}

/** The lowest UUIDv7 of millisecond `time`: every id made at or after `time` sorts after it. */
export function firstIdAt(time: Date): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Math.max(0, time.getTime()), 0, 6);
  bytes[6] = 0x70;
  bytes[8] = 0x80;
  return format(bytes);
}

/**
 * The id of a step that follows from another object (a redemption's capture, a sponsorship's
 * funding), always the same for the same pair (a UUIDv8 from SHA-256): a retried step finds the
 * transfer its first attempt wrote instead of writing a second one.
 */
export function derivedId(parentId: string, step: string): string {
  const bytes = createHash('sha256').update(`${parentId}:${step}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return format(bytes);
}

function format(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The ledger's external EUR accounts, created by 002_api.sql. */
export const sponsorFundingAccountId = '00000000-0000-7000-8000-000000000001';
export const payoutsAccountId = '00000000-0000-7000-8000-000000000002';

/** Crockford's base32: no I, L, O or U, so nothing reads as another character. */
const referenceAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A random reference people read out or type (a receipt, a booking): Crockford base32 in groups,
 * e.g. `humanReference('SP', [4, 4])` is `SP-7K3Q-9XPA`, 40 random bits. Not a secret.
 */
export function humanReference(prefix: string, groups: readonly number[]): string {
  const characters = Array.from(randomBytes(groups.reduce((total, length) => total + length, 0)), (byte) => referenceAlphabet[byte & 31]);
  let start = 0;
  const parts = groups.map((length) => characters.slice(start, (start += length)).join(''));
  return [prefix, ...parts].join('-');
}

/** What a booking's QR code says before its reference. */
export const bookingPayloadPrefix = 'MENTORING:BOOKING:';

/**
 * A booking reference as stored (`BK-XXXXX-XXXXX`) from what a door scanner reads or a person types:
 * its QR code's payload (`MENTORING:BOOKING:BK-…`), any case, anything between the characters
 * ignored, I and L for 1, O for 0. What cannot be a reference comes back as typed, and finds nothing.
 */
export function readBookingReference(input: string): string {
  const text = input.trim().toUpperCase();
  const compact = (text.startsWith(bookingPayloadPrefix) ? text.slice(bookingPayloadPrefix.length) : text).replace(/[^0-9A-Z]/g, '');
  if (!/^BK[0-9A-Z]{10}$/.test(compact)) return text;
  const body = compact.slice(2).replace(/[IL]/g, '1').replace(/O/g, '0');
  return `BK-${body.slice(0, 5)}-${body.slice(5)}`;
}
