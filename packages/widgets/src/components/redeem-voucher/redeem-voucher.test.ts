import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Redemption } from '../../internal/api.js';
import { focusedIn, inside, readQr, seed, testWorld, textOf, untilText, type SeededVoucher } from '../../internal/testing.js';
import type { MentoringRedeemVoucher } from './redeem-voucher.js';
import { readVoucherCode } from './voucher-code.js';
import './redeem-voucher.js';

interface Seeded {
  offerId: string;
  voucher: SeededVoucher;
}

async function redeemWidget(offerId: string, { lang = 'en', apiOrigin, publishableKey }: { lang?: string; apiOrigin?: string; publishableKey?: string } = {}) {
  const world = await testWorld();
  const element = await fixture<MentoringRedeemVoucher>(
    html`<mentoring-redeem-voucher
      offer=${offerId}
      lang=${lang}
      api-origin=${apiOrigin ?? world.apiOrigin}
      publishable-key=${publishableKey ?? world.publishableKey}
    ></mentoring-redeem-voucher>`,
  );
  return element;
}

async function ready(element: MentoringRedeemVoucher): Promise<void> {
  await untilText(element, 'Check my voucher');
}

function type(element: MentoringRedeemVoucher, selector: string, text: string): void {
  const input = inside<HTMLInputElement>(element, selector)!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
  input.dispatchEvent(new Event('change'));
}

async function submitCode(element: MentoringRedeemVoucher, voucher: { code: string; pin: string }): Promise<void> {
  type(element, '#code', voucher.code);
  type(element, '#pin', voucher.pin);
  inside<HTMLButtonElement>(element, 'button[type=submit]')!.click();
}

/** A widget for a new offer, with the new voucher's code and PIN sent. */
async function checkedVoucher(options: object = {}): Promise<Seeded & { element: MentoringRedeemVoucher }> {
  const seeded = await seed<Seeded>('redemption', options);
  const element = await redeemWidget(seeded.offerId);
  await ready(element);
  await submitCode(element, seeded.voucher);
  return { ...seeded, element };
}

function click(element: MentoringRedeemVoucher, label: string): void {
  const button = [...element.shadowRoot!.querySelectorAll('button')].find((candidate) => candidate.textContent!.includes(label));
  if (button === undefined) throw new Error(`no button "${label}" in: ${textOf(element)}`);
  button.click();
}

describe('<mentoring-redeem-voucher>', () => {
  it('books two seats keyboard-only, fires mentoring-redeemed, and shows a scannable QR code and what is left', async () => {
    const { offerId, voucher } = await seed<Seeded>('redemption', { voucher: { amount: 5000 } });
    const element = await redeemWidget(offerId);
    await ready(element);
    expect(textOf(element)).to.contain('The Mistress of the Inn').and.contain('€15.00 a seat');
    await expect(element).to.be.accessible();

    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('code');
    // Typed as a teenager would: lowercase, spaces instead of dashes.
    await sendKeys({ type: voucher.code.toLowerCase().replaceAll('-', ' ') });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('pin');
    await sendKeys({ type: voucher.pin });
    await sendKeys({ press: 'Enter' });

    await untilText(element, 'On your voucher');
    expect(textOf(element)).to.contain('€50.00');
    await expect(element).to.be.accessible();
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('seats');
    await sendKeys({ press: 'ArrowUp' });
    await untilText(element, 'Book 2 seats for €30.00');
    expect(textOf(element)).to.contain('€20.00 left afterwards');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.textContent).to.contain('Book 2 seats');
    const redeemed = oneEvent(element, 'mentoring-redeemed');
    await sendKeys({ press: 'Enter' });

    const event = (await redeemed) as CustomEvent<{ redemption: Redemption }>;
    expect(event.bubbles && event.composed).to.equal(true);
    const { redemption } = event.detail;
    expect(redemption).to.include({ status: 'captured', seats: 2, amount: 3000, voucher_available: 2000 });
    await untilText(element, redemption.booking_reference);
    expect(textOf(element)).to.contain('Booked: 2 seats.').and.contain('Left on the voucher €20.00');
    expect(focusedIn(element)?.tagName).to.equal('H2');
    // The QR encoder is its own chunk, fetched after the booking.
    await waitUntil(() => inside(element, 'svg[part=qr]') !== null, 'no QR code');
    expect(await readQr(inside<SVGSVGElement>(element, 'svg[part=qr]')!)).to.equal(redemption.qr_payload);
    await expect(element).to.be.accessible();
  });
});

describe('readVoucherCode', () => {
  it("reads a code typed with the en or em dashes a phone's keyboard makes, as the server does", () => {
    const code = 'MNT-7K3Q-9XPA-W2DC-' + checkFor('7K3Q9XPAW2DC');
    for (const typed of [code.replaceAll('-', '\u2013'), code.toLowerCase().replaceAll('-', ' \u2014 ')]) {
      expect(readVoucherCode(typed)).to.deep.equal({ code });
    }
  });
});

/** The check character that makes `body` a code. */
function checkFor(body: string): string {
  for (const check of '0123456789ABCDEFGHJKMNPQRSTVWXYZ') {
    if (readVoucherCode(`${body}${check}`).hasOwnProperty('code')) return check;
  }
  throw new Error('no check character fits');
}

/** A code with a right check character that no card has: one character of `code` changed, check character recomputed. */
function unknownCode(code: string): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const body = code.replaceAll('-', '').slice(3, 15);
  const changed = (body[0] === '0' ? '1' : '0') + body.slice(1);
  for (const check of alphabet) {
    const candidate = `MNT-${changed.slice(0, 4)}-${changed.slice(4, 8)}-${changed.slice(8)}-${check}`;
    if (readVoucherCode(candidate).hasOwnProperty('code')) return candidate;
  }
  throw new Error('no check character fits');
}

/** Counts the requests the page sends to `path` while the test runs. */
function watchRequests(path: string): { count: () => number; restore: () => void } {
  const original = window.fetch;
  let count = 0;
  window.fetch = (input, init) => {
    if (String(input).includes(path)) count++;
    return original(input, init);
  };
  return { count: () => count, restore: () => (window.fetch = original) };
}

describe('<mentoring-redeem-voucher> refusals, each with a way forward', () => {
  it('catches a typo or a missing character in the code before sending anything', async () => {
    const { offerId, voucher } = await seed<Seeded>('redemption');
    const element = await redeemWidget(offerId);
    await ready(element);
    const checks = watchRequests('/v1/vouchers/check');
    try {
      const last = voucher.code.at(-1)!;
      await submitCode(element, { code: voucher.code.slice(0, -1) + (last === 'A' ? 'B' : 'A'), pin: voucher.pin });
      await untilText(element, 'This code has a typo');
      const code = inside<HTMLInputElement>(element, '#code')!;
      expect(code.getAttribute('aria-invalid')).to.equal('true');
      expect(inside(element, `#${code.getAttribute('aria-describedby')}`)!.textContent).to.contain('typo');
      expect(focusedIn(element)).to.equal(code);
      await expect(element).to.be.accessible();

      await submitCode(element, { code: voucher.code.slice(0, 12), pin: voucher.pin });
      await untilText(element, 'Check that none is missing');
      expect(checks.count()).to.equal(0);
    } finally {
      checks.restore();
    }
  });

  it('says how many PIN attempts are left, then lets the right PIN through', async () => {
    const { offerId, voucher } = await seed<Seeded>('redemption');
    const element = await redeemWidget(offerId);
    await ready(element);
    const wrong = voucher.pin.replace(/^./, (digit) => String((Number(digit) + 1) % 10));
    const refused = oneEvent(element, 'mentoring-error');
    await submitCode(element, { code: voucher.code, pin: wrong });
    expect(((await refused) as CustomEvent).detail.code).to.equal('wrong_pin');
    await untilText(element, 'Wrong PIN. 4 attempts left before the voucher locks.');
    const pin = inside<HTMLInputElement>(element, '#pin')!;
    expect(pin.getAttribute('aria-invalid')).to.equal('true');
    expect(pin.value).to.equal('');
    expect(focusedIn(element)).to.equal(pin);
    await expect(element).to.be.accessible();

    type(element, '#pin', voucher.pin);
    click(element, 'Check my voucher');
    await untilText(element, 'On your voucher');
  });

  it('tells a locked voucher to go back to its school, and an expired one when it expired', async () => {
    const { offerId } = await seed<Seeded>('redemption', { voucher: false });
    const element = await redeemWidget(offerId);
    await ready(element);
    await submitCode(element, await seed<SeededVoucher>('lockedVoucher'));
    await untilText(element, 'This voucher is locked after too many wrong PINs. The school or association that gave it to you can unlock it.');
    await expect(element).to.be.accessible();

    const expired = await seed<SeededVoucher>('expiredVoucher');
    await submitCode(element, expired);
    const day = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date(expired.expiresAt));
    await untilText(element, `This voucher expired on ${day}.`);
  });

  it('says a code no card has is not found, and marks the code field', async () => {
    const { offerId, voucher } = await seed<Seeded>('redemption');
    const element = await redeemWidget(offerId);
    await ready(element);
    await submitCode(element, { code: unknownCode(voucher.code), pin: voucher.pin });
    await untilText(element, 'No voucher has this code. Check it against your card.');
    expect(inside(element, '#code')!.getAttribute('aria-invalid')).to.equal('true');
  });

  it('refuses a music voucher for a play before any booking', async () => {
    const { element } = await checkedVoucher({ voucher: { categories: ['music'] } });
    await untilText(element, 'This voucher is for another kind of event');
    expect(inside(element, '#code')).to.not.equal(null);
  });

  it('a beneficiary with €10 left cannot book a €15 seat, and is told so', async () => {
    const { element } = await checkedVoucher({ voucher: { amount: 1000 } });
    await untilText(element, 'A seat costs €15.00 and the voucher has €10.00 left: not enough for this event.');
    expect(textOf(element)).to.not.contain('Book ');
    await expect(element).to.be.accessible();
  });

  it('never offers more seats than the seats left or the balance pays for', async () => {
    const { element } = await checkedVoucher({ offer: { seats: 3 }, voucher: { amount: 100_000 } });
    await untilText(element, 'At most 3 seats with this voucher.');
    type(element, '#seats', '9');
    await untilText(element, 'Book 3 seats for €45.00');
    expect(inside<HTMLButtonElement>(element, 'button[aria-label="One seat more"]')!.disabled).to.equal(true);
  });

  it('shows a sold-out event without a form', async () => {
    const { offerId } = await seed<Seeded>('redemption', { offer: { seats: 0 }, voucher: false });
    const element = await redeemWidget(offerId);
    await untilText(element, 'Sold out: no seats for vouchers are left for this event.');
    expect(inside(element, 'form')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('when someone takes the last seats meanwhile, offers the seats still left', async () => {
    const { element, offerId } = await checkedVoucher({ offer: { seats: 2 } });
    await untilText(element, 'At most 2 seats');
    type(element, '#seats', '2');
    await seed('takeSeats', { offerId, seats: 1 });
    click(element, 'Book 2 seats');
    await untilText(element, 'Only 1 seat is left: choose fewer seats.');
    await untilText(element, 'Book 1 seat for €15.00');
    click(element, 'Book 1 seat');
    await untilText(element, 'Booked: 1 seat.');
  });

  it('when the card was used elsewhere meanwhile, shows what is left and books what it pays for', async () => {
    const { element, offerId, voucher } = await checkedVoucher({ voucher: { amount: 3000 } });
    await untilText(element, 'At most 2 seats');
    type(element, '#seats', '2');
    await seed('spend', { ...voucher, offerId, seats: 1 });
    click(element, 'Book 2 seats');
    await untilText(element, 'Not enough left on the voucher: €15.00 left, and this costs €30.00.');
    await untilText(element, 'Book 1 seat for €15.00');
  });

  it('says when there were too many attempts, and for how long to wait', async () => {
    const { offerId } = await seed<Seeded>('redemption', { voucher: false });
    const element = await redeemWidget(offerId);
    await ready(element);
    await submitCode(element, await seed<SeededVoucher>('busyVoucher'));
    await untilText(element, /Too many attempts in a short time\. Try again in \d+ seconds\./);
  });

  it('without a connection, offers to try again, and a retried booking is made once', async () => {
    const world = await testWorld();
    const unreachable = 'http://127.0.0.1:9';
    const { offerId, voucher } = await seed<Seeded>('redemption');
    const element = await redeemWidget(offerId, { apiOrigin: unreachable });
    await untilText(element, 'No connection to Mentoring. Check your internet connection, then try again.');
    await expect(element).to.be.accessible();
    element.apiOrigin = world.apiOrigin;
    click(element, 'Try again');
    await ready(element);

    await submitCode(element, voucher);
    await untilText(element, 'Book 1 seat');
    element.apiOrigin = unreachable;
    click(element, 'Book 1 seat');
    await untilText(element, 'No connection to Mentoring');
    element.apiOrigin = world.apiOrigin;
    const redeemed = oneEvent(element, 'mentoring-redeemed');
    click(element, 'Try again');
    const { redemption } = ((await redeemed) as CustomEvent<{ redemption: Redemption }>).detail;
    expect(redemption.voucher_available).to.equal(3500);
  });

  it('when the answer of a booking is lost, trying again shows that booking: the server replays it to the page, never books twice', async () => {
    const { offerId, voucher } = await seed<Seeded>('redemption');
    const element = await redeemWidget(offerId);
    await ready(element);
    await submitCode(element, voucher);
    await untilText(element, 'Book 1 seat');
    // The booking reaches the server and is made; its answer never reaches the page.
    const original = window.fetch;
    let booked: Redemption | undefined;
    window.fetch = async (input, init) => {
      if (booked !== undefined || !String(input).endsWith('/v1/redemptions')) return original(input, init);
      booked = (await (await original(input, init)).json()) as Redemption;
      throw new TypeError('Failed to fetch');
    };
    try {
      click(element, 'Book 1 seat');
      await untilText(element, 'No connection to Mentoring');
      const redeemed = oneEvent(element, 'mentoring-redeemed');
      click(element, 'Try again');
      const { redemption } = ((await redeemed) as CustomEvent<{ redemption: Redemption }>).detail;
      expect(redemption.id).to.equal(booked!.id);
      expect(redemption.voucher_available).to.equal(3500);
      await untilText(element, redemption.booking_reference);
    } finally {
      window.fetch = original;
    }
  });

  it('tells a page whose key is mistyped, revoked or not allowed on its site that it is not set up, not that there is no connection', async () => {
    const world = await testWorld();
    const { offerId } = await seed<Seeded>('redemption', { voucher: false });
    const mistyped = `${world.publishableKey.slice(0, -4)}abcd`;
    // A key mistyped, revoked, used off its site, or another provider's for this offer.
    for (const publishableKey of [mistyped, await seed<string>('revokedKey'), await seed<string>('foreignSiteKey'), await seed<string>('otherProviderKey')]) {
      const element = await redeemWidget(offerId, { publishableKey });
      // The widget loads its offer with the key: the refusal comes at once, readable across origins.
      await untilText(element, "This page is not set up for Mentoring yet. Please tell the site's owner");
      expect(textOf(element)).to.not.contain('No connection');
    }
  });

  it('explains a page without a publishable key to the site owner', async () => {
    const world = await testWorld();
    const { offerId } = await seed<Seeded>('redemption', { voucher: false });
    const element = await fixture<MentoringRedeemVoucher>(
      html`<mentoring-redeem-voucher offer=${offerId} lang="en" api-origin=${world.apiOrigin}></mentoring-redeem-voucher>`,
    );
    await untilText(element, "This page is not set up for Mentoring yet. Please tell the site's owner (reference missing_key).");
  });
});
