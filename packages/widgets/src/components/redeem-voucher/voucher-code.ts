// Voucher codes as printed on the card: MNT-XXXX-XXXX-XXXX-C, twelve characters of Crockford's
// base32 and a check character. The same check as the server's (server/src/vouchers/code.ts),
// so a typo is caught before any request, and no wrong PIN is counted against a mistyped code.

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const bodyLength = 12;
const prefix = 'MNT';

/** Why what was typed is not a code: too short or long, or a character that is wrong. */
export type CodeProblem = 'incomplete' | 'typo';

/**
 * The canonical code from what a beneficiary typed or pasted: lowercase is fine, anything between
 * the characters is ignored (spaces, dashes, the en and em dashes of a phone's keyboard), the MNT
 * prefix is optional, and I, L and O are read as 1, 1 and 0.
 */
export function readVoucherCode(input: string): { code: string } | { problem: CodeProblem } {
  // Keeps letters and digits alone, as the server's /[^0-9A-Z]/ does, in fewer bytes (the widget's budget).
  let compact = input.toUpperCase().replace(/\W|_/g, '');
  if (compact.startsWith(prefix) && compact.length === prefix.length + bodyLength + 1) compact = compact.slice(prefix.length);
  compact = compact.replace(/[ILO]/g, (character) => (character === 'O' ? '0' : '1'));
  if (compact.length !== bodyLength + 1) return { problem: 'incomplete' };
  if ([...compact].some((character) => !alphabet.includes(character))) return { problem: 'typo' };
  if (checkCharacter(compact.slice(0, bodyLength)) !== compact[bodyLength]) return { problem: 'typo' };
  return { code: `${prefix}-${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8, 12)}-${compact[bodyLength]}` };
}

/** A weighted sum in GF(32), modulo x^5 + x^2 + 1: a wrong character or two swapped neighbours change it. */
function checkCharacter(body: string): string {
  let sum = 0;
  for (const character of body) sum = timesX(sum) ^ alphabet.indexOf(character);
  return alphabet[timesX(sum)]!;
}

function timesX(value: number): number {
  return value & 16 ? (value << 1) ^ 0b100101 : value << 1;
}
