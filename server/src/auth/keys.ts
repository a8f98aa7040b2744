import { createHash, randomInt } from 'node:crypto';

export type KeyKind = 'secret' | 'publishable' | 'desk';
export type KeyMode = 'test' | 'live';

/** sk_ secret keys (server to server), pk_ publishable keys (widgets), rk_ restricted desk keys (box office). */
export const keyPrefixes: Record<KeyKind, string> = { secret: 'sk', publishable: 'pk', desk: 'rk' };

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** 32 characters of 62: 190 bits, well above the 128 a key needs. */
const randomLength = 32;

export const keyPattern = /^(sk|pk|rk)_(test|live)_[A-Za-z0-9]{32,64}$/;

export interface NewKey {
  /** Shown once, to whoever created it; only its hash is stored. */
  key: string;
  hash: Buffer;
  /** Prefix and last four characters, to tell keys apart in lists. */
  hint: string;
}

/** `length` random letters and digits (5.95 bits each), for keys and webhook secrets. */
export function randomCharacters(length: number): string {
  let random = '';
  for (let index = 0; index < length; index += 1) random += alphabet[randomInt(alphabet.length)];
  return random;
}

export function generateKey(kind: KeyKind, mode: KeyMode): NewKey {
  const random = randomCharacters(randomLength);
  const key = `${keyPrefixes[kind]}_${mode}_${random}`;
  return { key, hash: hashKey(key), hint: `${keyPrefixes[kind]}_${mode}_…${random.slice(-4)}` };
}

/** Keys carry ≥ 128 random bits, so a plain SHA-256 is enough: no key can be guessed from its hash. */
export function hashKey(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}

/** What a key string says about itself; undefined for anything that is not a key. */
export function parseKey(key: string): { kind: KeyKind; mode: KeyMode } | undefined {
  const match = keyPattern.exec(key);
  if (match === null) return undefined;
  const kind = (Object.keys(keyPrefixes) as KeyKind[]).find((candidate) => keyPrefixes[candidate] === match[1])!;
  return { kind, mode: match[2] as KeyMode };
}
