import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { focusedIn, inside, seed, testWorld, textOf, untilText, type SeededVoucher } from '../../internal/testing.js';
import type { DeskRedemption } from '../internal/desk-api.js';
import type { MentoringProviderDesk } from './provider-desk.js';
import './provider-desk.js';

interface BoxOffice {
  providerId: string;
  deskKey: string;
  offerIds: string[];
}

async function boxOffice(options: object = {}): Promise<BoxOffice> {
  return seed<BoxOffice>('providerDesk', options);
}

/** The desk of `office`, open, in `lang` (English unless told). */
async function openDesk(office: BoxOffice, { lang = 'en', width = '' } = {}): Promise<MentoringProviderDesk> {
  const world = await testWorld();
  const element = await fixture<MentoringProviderDesk>(
    html`<mentoring-provider-desk lang=${lang} style=${width} api-origin=${world.apiOrigin} desk-key=${office.deskKey}></mentoring-provider-desk>`,
  );
  // Open, and done loading the day and the statements: the buttons no longer wait.
  await waitUntil(() => inside<HTMLButtonElement>(element, 'button[type=submit]')?.disabled === false, `the desk did not open: ${textOf(element)}`, {
    timeout: 5000,
  });
  return element;
}

function type(element: Element, selector: string, text: string): void {
  const input = inside<HTMLInputElement>(element, selector)!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
}

function click(element: Element, label: string): void {
  const button = [...element.shadowRoot!.querySelectorAll('button')].find(
    (candidate) => candidate.textContent!.includes(label) || candidate.getAttribute('aria-label') === label,
  );
  if (button === undefined) throw new Error(`no button "${label}" in: ${textOf(element)}`);
  button.click();
}

/** The code typed at the counter, then the PIN, the event and the seats: the desk holds them. */
async function check(element: MentoringProviderDesk, voucher: { code: string; pin: string }, { offerId = '', seats = 1 } = {}) {
  type(element, '#scan', voucher.code);
  click(element, 'Continue');
  await waitUntil(() => inside(element, '#pin') !== null, 'no PIN field');
  type(element, '#pin', voucher.pin);
  if (offerId !== '') inside<HTMLSelectElement>(element, '#offer')!.value = offerId;
  type(element, '#seats', String(seats));
  const held = oneEvent(element, 'mentoring-held');
  click(element, 'Check');
  return ((await held) as CustomEvent<{ redemption: DeskRedemption }>).detail.redemption;
}

describe('<mentoring-provider-desk> at the counter', () => {
  it('checks a voucher then confirms it, keyboard only: the seats are held, then paid, and the day lists the booking', async () => {
    const office = await boxOffice({ name: 'Teatro Cagnoni' });
    const voucher = await seed<SeededVoucher>('voucher', { amount: 5000 });
    const element = await openDesk(office);
    expect(textOf(element)).to.contain('Box office').and.contain('Teatro Cagnoni').and.contain('No bookings yet today.');
    await expect(element).to.be.accessible();

    inside<HTMLInputElement>(element, '#scan')!.focus();
    await sendKeys({ type: voucher.code.toLowerCase() });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => focusedIn(element)?.id === 'pin', 'the PIN field did not get the focus');
    expect(textOf(element)).to.contain(`Voucher ${voucher.code}`).and.contain('The Mistress of the Inn');
    await expect(element).to.be.accessible();
    await sendKeys({ type: voucher.pin });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('offer');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('seats');
    await sendKeys({ press: 'ArrowUp' });
    const held = oneEvent(element, 'mentoring-held');
    await sendKeys({ press: 'Enter' });

    const hold = ((await held) as CustomEvent<{ redemption: DeskRedemption & { voucher_available: number } }>).detail.redemption;
    expect(hold).to.include({ status: 'held', seats: 2, amount: 3000, voucher_available: 2000 });
    await untilText(element, 'Voucher valid: 2 seats held for €30.00.');
    expect(textOf(element)).to.contain('Left on the voucher €20.00').and.contain('Seats held for 15 minutes');
    await waitUntil(() => focusedIn(element)?.id === 'capture-seats', 'the seats to confirm did not get the focus');
    await expect(element).to.be.accessible();

    const captured = oneEvent(element, 'mentoring-captured');
    await sendKeys({ press: 'Enter' });
    const event = (await captured) as CustomEvent<{ redemption: DeskRedemption }>;
    expect(event.bubbles && event.composed).to.equal(true);
    expect(event.detail.redemption).to.include({ id: hold.id, status: 'captured', captured_seats: 2, captured_amount: 3000 });
    await untilText(element, `${hold.booking_reference} confirmed: 2 seats, €30.00.`);
    const today = inside(element, '[part=today]')!;
    expect(today.textContent).to.contain(hold.booking_reference).and.contain('Confirmed');
    await expect(element).to.be.accessible();
  });

  it('confirms fewer seats than held when not everyone came, and releases a hold the beneficiary changed their mind about', async () => {
    const office = await boxOffice();
    const element = await openDesk(office);
    const first = await check(element, await seed<SeededVoucher>('voucher', { amount: 5000 }), { seats: 3 });
    await untilText(element, 'Voucher valid: 3 seats held for €45.00.');
    type(element, '#capture-seats', '2');
    const captured = oneEvent(element, 'mentoring-captured');
    click(element, 'Confirm');
    expect(((await captured) as CustomEvent<{ redemption: DeskRedemption }>).detail.redemption).to.include({ captured_seats: 2, captured_amount: 3000 });
    await element.updateComplete;
    // €50 less the two seats used: the third seat's €15 went back to the voucher.
    expect(inside(element, '[part=booking]')!.textContent!.replace(/\s+/g, ' ')).to.contain('Left on the voucher €20.00');
    // Today's list says what the booking admits at the door: the two seats confirmed, not the three held.
    const row = inside(element, '[part=today]')!.textContent!.replace(/\s+/g, ' ');
    expect(row).to.contain('2 seats · €30.00').and.not.contain('3 seats');

    click(element, 'Next');
    await element.updateComplete;
    const second = await check(element, await seed<SeededVoucher>('voucher', { amount: 5000 }));
    await untilText(element, 'Voucher valid: 1 seat held for €15.00.');
    const voided = oneEvent(element, 'mentoring-voided');
    click(element, 'Release the seats');
    expect(((await voided) as CustomEvent<{ redemption: DeskRedemption }>).detail.redemption.status).to.equal('voided');
    await untilText(element, `${second.booking_reference} released: the seats and the money went back.`);
    const today = inside(element, '[part=today]')!.textContent!.replace(/\s+/g, ' ');
    expect(today).to.contain(`${first.booking_reference}`).and.contain(`${second.booking_reference}`).and.contain('Released');
    expect(today, 'a released hold shows what it held').to.match(/Released [^·]+· 1 seat · €15\.00/);
  });

  it('says what is left and what it costs when the voucher cannot pay, and marks the seats', async () => {
    const office = await boxOffice();
    const voucher = await seed<SeededVoucher>('voucher', { amount: 5000 });
    const element = await openDesk(office);
    type(element, '#scan', voucher.code);
    click(element, 'Continue');
    await waitUntil(() => inside(element, '#pin') !== null, 'no PIN field');
    type(element, '#pin', voucher.pin);
    type(element, '#seats', '4');
    click(element, 'Check');
    await untilText(element, 'The voucher has €50.00 left and this costs €60.00. Choose fewer seats or another event');
    const seats = inside<HTMLInputElement>(element, '#seats')!;
    expect(seats.getAttribute('aria-invalid')).to.equal('true');
    expect(seats.getAttribute('aria-describedby')).to.equal('message');
    await waitUntil(() => focusedIn(element)?.id === 'seats', 'the focus did not go to the seats');
    await expect(element).to.be.accessible();
  });

  it('says how many PIN attempts are left, and marks the PIN', async () => {
    const office = await boxOffice();
    const voucher = await seed<SeededVoucher>('voucher');
    const element = await openDesk(office);
    type(element, '#scan', voucher.code);
    click(element, 'Continue');
    await waitUntil(() => inside(element, '#pin') !== null, 'no PIN field');
    type(element, '#pin', voucher.pin.replace(/^./, (digit) => String((Number(digit) + 1) % 10)));
    click(element, 'Check');
    await untilText(element, 'Wrong PIN: 4 attempts left before the voucher locks.');
    expect(inside(element, '#pin')!.getAttribute('aria-invalid')).to.equal('true');
    await waitUntil(() => focusedIn(element)?.id === 'pin', 'the PIN did not get the focus');
    await expect(element).to.be.accessible();
  });

  it('catches a mistyped code before asking anything', async () => {
    const office = await boxOffice();
    const voucher = await seed<SeededVoucher>('voucher');
    const element = await openDesk(office);
    const last = voucher.code.at(-1)!;
    type(element, '#scan', voucher.code.slice(0, -1) + (last === 'A' ? 'B' : 'A'));
    click(element, 'Continue');
    await untilText(element, 'This code has a typo: check each character against the card.');
    expect(inside(element, '#scan')!.getAttribute('aria-invalid')).to.equal('true');
    expect(inside(element, '#pin')).to.equal(null);
  });
});

describe('<mentoring-provider-desk> at the door and after', () => {
  it('cancels a booking within the window and refuses after it; reads a booking from its QR code with the camera', async function () {
    this.timeout(30_000);
    // The second event's cancellation window closes 8 seconds from now.
    const office = await boxOffice({ offers: [{}, { startsInDays: 30, cancellationWindowSeconds: 30 * 24 * 3600 - 8 }] });
    const [open, closing] = office.offerIds;
    const late = await seed<DeskRedemption>('deskBooking', { deskKey: office.deskKey, offerId: closing });
    const booking = await seed<DeskRedemption>('deskBooking', { deskKey: office.deskKey, offerId: open, seats: 2 });

    // Headless Chromium has no camera and no BarcodeDetector: both are replaced at the browser's
    // boundary by a canvas stream and a detector that reads the booking's QR payload.
    const restore = fakeCamera(booking.qr_payload);
    try {
      const element = await openDesk(office);
      type(element, '#scan', late.booking_reference.toLowerCase().replaceAll('-', ' '));
      click(element, 'Continue');
      await waitUntil(() => inside(element, '.booking .reference')?.textContent === late.booking_reference, 'the typed booking is not shown');
      expect(inside(element, '.booking button[aria-label^="Cancel"]'), 'still within the window').to.not.equal(null);
      // Asked within the window, confirmed after it closed.
      click(element, `Cancel booking ${late.booking_reference}`);
      await untilText(element, `Cancel ${late.booking_reference}? The seats go back on sale and the money to the voucher.`);
      await waitUntil(() => Date.now() > Date.parse(late.reversible_until) + 200, 'the window did not close', { timeout: 15_000 });
      click(element, `Yes, cancel ${late.booking_reference}`);
      await untilText(element, 'Too late to cancel: bookings for this event could be cancelled until');
      click(element, 'Next');
      await element.updateComplete;
      type(element, '#scan', late.booking_reference);
      click(element, 'Continue');
      await waitUntil(() => inside(element, '.booking .reference')?.textContent === late.booking_reference, 'the booking is not shown again');
      expect(inside(element, '.booking')!.textContent).to.contain('Could be cancelled until');
      expect(inside(element, '.booking button[aria-label^="Cancel"]'), 'no cancelling after the window').to.equal(null);

      click(element, 'Next');
      await element.updateComplete;
      const scan = [...element.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent!.includes('Scan with the camera'))!;
      scan.focus();
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => inside(element, '.booking .reference')?.textContent === booking.booking_reference, 'the scanned booking is not shown', { timeout: 3000 });
      expect(inside(element, 'video')).to.equal(null, 'the camera is released once a code is read');
      expect(restore.tracksStopped()).to.equal(true);
      expect(textOf(element)).to.contain('Confirmed').and.contain('Seats 2').and.contain('€30.00');
      await expect(element).to.be.accessible();
      // The first press only asks: "Keep it" leaves the booking as it was.
      click(element, 'Cancel booking');
      await untilText(element, `Cancel ${booking.booking_reference}? The seats go back on sale and the money to the voucher.`);
      await waitUntil(() => focusedIn(element)?.classList.contains('confirm-cancel'), 'the focus did not go to the question');
      // Asked at the counter, the booking's row in today's list does not ask too.
      expect(inside(element, '[part=today]')!.textContent).to.contain(booking.booking_reference);
      expect(element.shadowRoot!.querySelectorAll('.confirm-cancel').length).to.equal(1);
      expect(focusedIn(element)?.closest('.booking')).to.not.equal(null);
      await expect(element).to.be.accessible();
      click(element, 'Keep it');
      await element.updateComplete;
      expect(textOf(element)).to.not.contain('The seats go back on sale');
      expect(textOf(element)).to.contain('Confirmed');
      const reversed = oneEvent(element, 'mentoring-reversed');
      click(element, 'Cancel booking');
      await element.updateComplete;
      click(element, 'Yes, cancel');
      expect(((await reversed) as CustomEvent<{ redemption: DeskRedemption }>).detail.redemption).to.include({ status: 'reversed', reversed_amount: 3000 });
      await untilText(element, `${booking.booking_reference} cancelled: €30.00 went back to the voucher.`);
    } finally {
      restore();
    }
  });

  it('shows a booking cancelled in part as still valid for the seats left, not as cancelled', async () => {
    const office = await boxOffice();
    const booking = await seed<DeskRedemption>('deskBooking', { deskKey: office.deskKey, offerId: office.offerIds[0], seats: 3 });
    await seed('reverseBooking', { deskKey: office.deskKey, redemptionId: booking.id, seats: 1 });
    const element = await openDesk(office);
    type(element, '#scan', booking.booking_reference);
    click(element, 'Continue');
    await waitUntil(() => inside(element, '.booking .reference')?.textContent === booking.booking_reference, 'the booking is not shown');
    const shown = inside(element, '.booking')!.textContent!.replace(/\s+/g, ' ');
    expect(shown).to.contain('Partly cancelled: 2 seats still valid').and.contain('Seats 2').and.contain('€30.00').and.not.contain('Cancelled');
    await expect(element).to.be.accessible();
  });

  it("starts the day again at midnight: a desk left open overnight no longer lists yesterday's bookings", async () => {
    const office = await boxOffice();
    const booking = await seed<DeskRedemption>('deskBooking', { deskKey: office.deskKey, offerId: office.offerIds[0] });
    // The desk's timer for the next midnight is kept, not run: the test says when midnight comes.
    const untilMidnight = () => new Date().setHours(24, 0, 0, 0) - Date.now();
    const kept: { run: () => void; delay: number }[] = [];
    const setTimeoutBefore = window.setTimeout;
    window.setTimeout = ((run: () => void, delay = 0, ...rest: unknown[]) => {
      if (Math.abs(delay - untilMidnight()) > 10_000) return setTimeoutBefore(run, delay, ...rest);
      kept.push({ run, delay });
      return 0;
    }) as typeof window.setTimeout;
    try {
      const element = await openDesk(office);
      expect(inside(element, '[part=today]')!.textContent).to.contain(booking.booking_reference);
      expect(kept.length, 'one timer for the next midnight').to.equal(1);
      kept[0]!.run();
      await untilText(element, 'No bookings yet today.');
      expect(kept.length, 'and one for the midnight after').to.equal(2);
      await expect(element).to.be.accessible();
      // A desk taken off the page arms no more midnights.
      element.remove();
      kept[1]!.run();
      expect(kept.length).to.equal(2);
    } finally {
      window.setTimeout = setTimeoutBefore;
    }
  });

  it('offers typing only where the browser cannot scan, and says when the camera is refused', async () => {
    const office = await boxOffice();
    const element = await openDesk(office);
    expect('BarcodeDetector' in window, 'headless Chromium on Linux has no BarcodeDetector').to.equal(false);
    expect(textOf(element)).to.not.contain('Scan with the camera');

    const restore = fakeCamera('', { refuse: true });
    try {
      const refused = await openDesk(office);
      click(refused, 'Scan with the camera');
      await untilText(refused, 'The camera was not allowed. Type the code instead, or allow the camera for this page.');
      await waitUntil(() => focusedIn(refused)?.id === 'scan', 'the code field did not get the focus');
    } finally {
      restore();
    }
  });

  it("lists the box office's settlements and saves a statement's CSV byte for byte", async () => {
    const office = await boxOffice({ name: 'Museo della Calzatura' });
    const booking = await seed<DeskRedemption>('deskBooking', { deskKey: office.deskKey, offerId: office.offerIds[0] });
    await seed('settle', { providerId: office.providerId });
    const element = await openDesk(office);
    await untilText(element, '€15.00 · 1 booking');
    const saved: Blob[] = [];
    const original = URL.createObjectURL;
    URL.createObjectURL = (blob: Blob | MediaSource) => {
      saved.push(blob as Blob);
      return original(blob as Blob);
    };
    try {
      click(element, 'Download CSV');
      await untilText(element, 'Statement downloaded.');
    } finally {
      URL.createObjectURL = original;
    }
    const bytes = new Uint8Array(await saved[0]!.arrayBuffer());
    expect([...bytes.slice(0, 3)], 'the BOM that spreadsheets need for accents').to.deep.equal([0xef, 0xbb, 0xbf]);
    const csv = new TextDecoder().decode(bytes);
    expect(csv).to.contain('date,offer,booking reference,seats,amount (EUR)').and.contain(`${booking.booking_reference},1,15.00`).and.contain('total,,,1,15.00');
    await expect(element).to.be.accessible();
  });
});

describe('<mentoring-provider-desk> keys', () => {
  it('opens with a desk key typed by staff, never sends a secret key, and refuses a school’s key', async function () {
    this.timeout(15_000);
    const world = await testWorld();
    const office = await boxOffice({ name: 'Teatro Fraschini' });
    const school = await seed<{ deskKey: string }>('referrerDesk');
    const element = await fixture<MentoringProviderDesk>(html`<mentoring-provider-desk lang="it" api-origin=${world.apiOrigin}></mentoring-provider-desk>`);
    await untilText(element, 'Chiave dello sportello');
    await expect(element).to.be.accessible();

    const sent: string[] = [];
    const original = window.fetch;
    window.fetch = (input, init) => {
      sent.push(String(init?.headers && (init.headers as Record<string, string>)['Authorization']));
      return original(input, init);
    };
    try {
      type(element, '#desk-key', 'sk_live_0123456789abcdefghijABCDEFGHIJ01');
      click(element, 'Apri lo sportello');
      await untilText(element, 'Questa è una chiave segreta');
      expect(sent).to.deep.equal([]);
    } finally {
      window.fetch = original;
    }

    type(element, '#desk-key', school.deskKey);
    click(element, 'Apri lo sportello');
    await untilText(element, 'Questa chiave non è di una biglietteria');
    type(element, '#desk-key', office.deskKey);
    click(element, 'Apri lo sportello');
    await untilText(element, 'Teatro Fraschini');
    await waitUntil(() => inside(element, '#scan') !== null, 'the desk did not open');
    click(element, 'Chiudi lo sportello');
    await waitUntil(() => inside(element, '#desk-key') !== null, 'the desk did not close');
    expect(textOf(element)).to.not.contain('Teatro Fraschini');
  });

  it('works at 320 px in Albanian', async () => {
    const office = await boxOffice();
    const element = await openDesk(office, { lang: 'sq', width: 'width: 320px' });
    await untilText(element, 'Biletaria');
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
    await expect(element).to.be.accessible();
  });
});

/**
 * Replaces the camera and the BarcodeDetector, which headless Chromium lacks, at the browser's
 * boundary: getUserMedia answers a canvas's stream (or refuses), and the detector reads `payload`
 * from the third frame it is shown. Returns the restore function, which also tells whether the
 * desk stopped the camera's tracks.
 */
function fakeCamera(payload: string, { refuse = false } = {}): (() => void) & { tracksStopped: () => boolean } {
  const page = window as unknown as Record<string, unknown>;
  const getUserMedia = navigator.mediaDevices.getUserMedia;
  let stream: MediaStream | undefined;
  page['BarcodeDetector'] = class {
    #frames = 0;
    async detect(source: HTMLVideoElement) {
      if (!(source instanceof HTMLVideoElement) || source.srcObject !== stream) throw new Error('not the camera');
      return ++this.#frames >= 3 ? [{ rawValue: payload }] : [];
    }
  };
  navigator.mediaDevices.getUserMedia = async () => {
    if (refuse) throw new DOMException('Permission denied', 'NotAllowedError');
    // A canvas painted ten times a second: a camera's frames, as far as the video element can tell.
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d')!;
    stream = canvas.captureStream(10);
    const paint = setInterval(() => {
      context.fillStyle = `hsl(${Date.now() % 360}, 50%, 50%)`;
      context.fillRect(0, 0, canvas.width, canvas.height);
      if (stream!.getTracks().every((track) => track.readyState === 'ended')) clearInterval(paint);
    }, 100);
    return stream;
  };
  const restore = () => {
    delete page['BarcodeDetector'];
    navigator.mediaDevices.getUserMedia = getUserMedia;
  };
  return Object.assign(restore, { tracksStopped: () => stream !== undefined && stream.getTracks().every((track) => track.readyState === 'ended') });
}
