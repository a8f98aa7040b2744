// Voucher codes (DESIGN §1): MNT-XXXX-XXXX-XXXX-C, twelve random characters of Crockford's
// base32 (60 bits) and a check character, so a mistyped code is caught before any request.
import { createHash, randomBytes, randomInt } from 'node:crypto';

/** Crockford's base32: no I, L, O or U, so nothing reads as another character. */
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const randomLength = 12;
const prefix = 'MNT';

/** What a person might type for each character: lowercase, and I/L for 1, O for 0. */
const lookalikes: Record<string, string> = { I: '1', L: '1', O: '0' };

export function generateCode(): string {
  const bytes = randomBytes(randomLength);
  // 256 is a multiple of 32: taking the low five bits of each byte is uniform.
  const body = Array.from(bytes, (byte) => alphabet[byte & 31]).join('');
  return format(body + checkCharacter(body));
}

/**
 * The canonical form of what someone typed or pasted (lowercase, the MNT prefix optional, and
 * anything between the characters ignored: spaces, dashes, the en and em dashes a phone's keyboard
 * makes of them), or undefined when it cannot be a code: wrong length, a stray character or a check
 * character that does not match.
 */
export function normalizeCode(input: string): string | undefined {
  let compact = input.toUpperCase().replace(/[^0-9A-Z]/g, '');
  if (compact.startsWith(prefix) && compact.length === prefix.length + randomLength + 1) {
    compact = compact.slice(prefix.length);
  }
  compact = [...compact].map((character) => lookalikes[character] ?? character).join('');
  if (compact.length !== randomLength + 1 || [...compact].some((character) => !alphabet.includes(character))) {
    return undefined;
  }
  const body = compact.slice(0, randomLength);
  if (checkCharacter(body) !== compact[randomLength]) return undefined;
  return format(compact);
}

/** The SHA-256 stored in place of the code: 60 random bits cannot be found from it. */
export function hashCode(normalized: string): Buffer {
  return createHash('sha256').update(normalized).digest();
}

/** The last group, printed on cards and shown in lists: never enough to redeem. */
export function codeHint(normalized: string): string {
  return normalized.slice(-6);
}

/** A 6-digit PIN, shown once with the code. */
export function generatePin(): string {
  return String(randomInt(1_000_000)).padStart(6, '0');
}

/** The PIN's hash, salted with the voucher id so equal PINs do not look equal. */
export function hashPin(voucherId: string, pin: string): Buffer {
  return createHash('sha256').update(`${voucherId}:${pin}`).digest();
}

/**
 * A weighted sum in GF(32) (weights x^12 … x^1, modulo x^5 + x^2 + 1), the check character taking
 * weight 1: a wrong character or two swapped neighbours always changes it. Luhn mod 32 missed 0↔Z swaps.
 */
function checkCharacter(body: string): string {
  let sum = 0;
  for (const character of body) sum = timesX(sum) ^ alphabet.indexOf(character);
  return alphabet[timesX(sum)]!;
}

function timesX(value: number): number {
  return value & 16 ? (value << 1) ^ 0b100101 : value << 1;
}

function format(compact: string): string {
  return `${prefix}-${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}-${compact.slice(12)}`;
}
