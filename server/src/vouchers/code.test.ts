import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeHint, generateCode, generatePin, hashCode, hashPin, normalizeCode } from './code.js';

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The code of a 12-character body: the one check character that normalizeCode accepts. */
function withCheck(body: string): string {
  const accepted = [...alphabet].filter((check) => normalizeCode(body + check) !== undefined);
  assert.equal(accepted.length, 1, `exactly one check character for ${body}`);
  return body + accepted[0]!;
}

function randomBody(): string {
  return generateCode().replaceAll('-', '').slice(3, 15);
}

describe('voucher codes', () => {
  it('look like MNT-XXXX-XXXX-XXXX-C and are already in canonical form', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateCode();
      assert.match(code, /^MNT-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]$/);
      assert.equal(normalizeCode(code), code);
    }
  });

  it('accept what people paste or type: lowercase, spaces, dashes (en and em dashes too), no prefix, I L O for 1 1 0', () => {
    const code = normalizeCode('MNT-' + withCheck('1100ABCDEFGH'))!;
    for (const typed of [
      code.toLowerCase(),
      code.replaceAll('-', ' '),
      `  ${code.replaceAll('-', '')}  `,
      code.slice(4),
      code.slice(4).replaceAll('-', ''),
      code.replace('1100', 'IlOo'),
      code.replaceAll('-', '.'),
      code.replaceAll('-', '\u2013'),
      code.replaceAll('-', ' \u2014 '),
    ]) {
      assert.equal(normalizeCode(typed), code, typed);
    }
  });

  it('refuse wrong lengths and characters outside the alphabet', () => {
    const code = generateCode();
    for (const typed of ['', 'MNT', code.slice(0, -2), `${code}7`, code.replace(/.$/, 'U'), code.replace(/-(.)/, '-*')]) {
      assert.equal(normalizeCode(typed), undefined, typed);
    }
  });

  it('catch every single wrong character, the check character included', () => {
    for (let round = 0; round < 40; round++) {
      const compact = withCheck(randomBody());
      for (let position = 0; position < compact.length; position++) {
        for (const wrong of alphabet) {
          if (wrong === compact[position]) continue;
          const typed = compact.slice(0, position) + wrong + compact.slice(position + 1);
          assert.equal(normalizeCode(typed), undefined, `${compact} → ${typed}`);
        }
      }
    }
  });

  it('catch every swap of two neighbours, whatever the two characters', () => {
    for (let position = 0; position < 12; position++) {
      for (const first of alphabet) {
        for (const second of alphabet) {
          if (first === second) continue;
          const body = randomBody();
          // A pair inside the body, or the last body character next to the check character.
          const compact =
            position < 11
              ? withCheck(body.slice(0, position) + first + second + body.slice(position + 2))
              : withCheck(body.slice(0, 11) + first);
          if (compact[position] === compact[position + 1]) continue;
          const swapped = compact.slice(0, position) + compact[position + 1] + compact[position] + compact.slice(position + 2);
          assert.equal(normalizeCode(swapped), undefined, `${compact} → ${swapped}`);
        }
      }
    }
  });

  it('are stored as a hash, and shown by their last group only', () => {
    const code = generateCode();
    assert.equal(hashCode(code).length, 32);
    assert.deepEqual(hashCode(normalizeCode(code.toLowerCase())!), hashCode(code));
    assert.equal(codeHint(code), code.slice(-6));
  });
});

describe('PINs', () => {
  it('have 6 digits and are hashed with the voucher id, so equal PINs look different', () => {
    for (let i = 0; i < 100; i++) assert.match(generatePin(), /^\d{6}$/);
    assert.notDeepEqual(hashPin('01a2013b-f3f6-790c-bbe7-8cc7473d0c06', '123456'), hashPin('01a2013b-f3f6-790c-bbe7-8cc7473d0c07', '123456'));
    assert.deepEqual(hashPin('01a2013b-f3f6-790c-bbe7-8cc7473d0c06', '123456'), hashPin('01a2013b-f3f6-790c-bbe7-8cc7473d0c06', '123456'));
  });
});
