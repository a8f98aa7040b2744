import { expect } from '@open-wc/testing';
import { readQr } from '../../internal/testing.js';
import { encodeQr, qrSvgPath } from './qr-code.js';

/** The code drawn as the redeem form draws it: one unit a module, in a quiet zone of 4. */
function draw(text: string): SVGSVGElement {
  const code = encodeQr(text);
  const holder = document.createElement('div');
  holder.innerHTML = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 ${code.size + 8} ${code.size + 8}" shape-rendering="crispEdges"><path fill="#000000" d="${qrSvgPath(code)}"></path></svg>`;
  return holder.querySelector('svg')!;
}

describe('the QR encoder of the booking at the door', () => {
  it('fills each version it supports, 1 to 5, so that a scanner reads the payload back', async () => {
    for (const [length, size] of [[17, 21], [32, 25], [53, 29], [78, 33], [106, 37]] as const) {
      const payload = `MENTORING:BOOKING:BK-${'7QX4M'.repeat(30)}`.slice(0, length);
      expect(encodeQr(payload).size, `${length} bytes`).to.equal(size);
      expect(await readQr(draw(payload)), `${length} bytes`).to.equal(payload);
    }
  });

  it('refuses a payload longer than version 5 holds', () => {
    expect(() => encodeQr('x'.repeat(107))).to.throw(RangeError, 'at most 106 bytes');
  });
});
