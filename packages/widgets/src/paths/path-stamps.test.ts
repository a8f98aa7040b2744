import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../internal/testing.js';
import type { MentoringCircuitBadge } from '../components/circuit-badge/circuit-badge.js';
import '../components/circuit-badge/circuit-badge.js';

interface Seeded {
  circuitId: string;
  publishableKey: string;
  voucher: { code: string; pin: string };
  bookingReference: string;
}

let seeded: Promise<Seeded> | undefined;
/** Pavia's paths, with a voucher whose holder took a concert (seeded once: the tests only read it, but one locks its own). */
function pavia(): Promise<Seeded> {
  seeded ??= seed<Seeded>('paths');
  return seeded;
}

async function stampsBadge({ lang = 'en', width = '' } = {}) {
  const world = await testWorld();
  const { circuitId, publishableKey } = await pavia();
  const wrapper = await fixture<HTMLDivElement>(
    html`<div style=${width}>
      <mentoring-circuit-badge
        circuit=${circuitId}
        beneficiary
        lang=${lang}
        api-origin=${world.apiOrigin}
        publishable-key=${publishableKey}
      ></mentoring-circuit-badge>
    </div>`,
  );
  const badge = wrapper.querySelector<MentoringCircuitBadge>('mentoring-circuit-badge')!;
  await untilText(badge, lang === 'en' ? 'Show my stamps' : lang === 'it' ? 'Mostra i miei timbri' : 'Shfaq vulat e mia');
  return badge;
}

function type(badge: Element, selector: string, text: string): void {
  const input = inside<HTMLInputElement>(badge, selector)!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
}

function submit(badge: Element): void {
  inside<HTMLButtonElement>(badge, 'button[type=submit]')!.click();
}

describe('<mentoring-circuit-badge beneficiary>', () => {
  it('shows the stamps of each path to a teenager who types the code and PIN, keyboard only', async () => {
    const { voucher } = await pavia();
    const badge = await stampsBadge();
    await untilText(badge, 'Part of the Pavia circuit');
    await expect(badge).to.be.accessible();

    await sendKeys({ press: 'Tab' });
    expect(focusedIn(badge)?.getAttribute('type')).to.equal('radio');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(badge)?.id).to.equal('code');
    await sendKeys({ type: voucher.code.toLowerCase() });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(badge)?.id).to.equal('pin');
    await sendKeys({ type: voucher.pin });
    await sendKeys({ press: 'Enter' });

    await untilText(badge, 'Your paths in Pavia');
    expect(focusedIn(badge)?.tagName).to.equal('H2');
    const paths = [...badge.shadowRoot!.querySelectorAll('[part=path]')].map((path) => path.textContent!.replace(/\s+/g, ' ').trim());
    expect(paths).to.have.length(2);
    // The concert stamps the music step; the ordered path starts with the theatre, so it stays untouched.
    expect(paths[0]).to.contain('Music path').and.contain('1 of 2 done').and.contain('Music done').and.contain('Tosca to do');
    expect(paths[0]).to.contain('Complete the path for a €20.00 bonus voucher.');
    expect(paths[1]).to.contain('Theatre first').and.contain('0 of 2 done').and.contain('in this order');
    expect(inside(badge, '[part=path] ol.steps'), 'an ordered path is an ordered list').to.not.equal(null);
    expect(inside(badge, '#code'), 'the code is gone from the page').to.equal(null);
    await expect(badge).to.be.accessible();

    await sendKeys({ press: 'Tab' });
    expect(focusedIn(badge)?.textContent).to.contain('Check another card');
    await sendKeys({ press: 'Enter' });
    await untilText(badge, 'Show my stamps');
    expect(focusedIn(badge)?.id).to.equal('code');
    expect(inside<HTMLInputElement>(badge, '#code')!.value).to.equal('');
  });

  it('takes a booking reference instead, in Italian', async () => {
    const { bookingReference } = await pavia();
    const badge = await stampsBadge({ lang: 'it' });
    const [, booking] = badge.shadowRoot!.querySelectorAll<HTMLInputElement>('input[type=radio]');
    booking!.click();
    await untilText(badge, 'Codice di prenotazione');
    type(badge, '#booking', bookingReference.toLowerCase());
    submit(badge);
    await untilText(badge, 'I tuoi percorsi a Pavia');
    expect(textOf(badge)).to.contain('Percorso musica').and.contain('1 di 2 fatti').and.contain('Tosca da fare');
    await expect(badge).to.be.accessible();
  });

  it('says readably when the booking is unknown or the PIN is wrong, next to the field, and tells the page', async () => {
    const badge = await stampsBadge();
    inside<HTMLInputElement>(badge, 'input[type=radio]:not(:checked)')!.click();
    await untilText(badge, 'Booking reference');
    type(badge, '#booking', 'BK-00000-00000');
    const failed = oneEvent(badge, 'mentoring-error');
    submit(badge);
    expect(((await failed) as CustomEvent<{ code: string }>).detail.code).to.equal('not_found');
    await untilText(badge, 'No booking has this reference. Check it against your ticket or confirmation.');
    expect(inside(badge, '#booking')!.getAttribute('aria-invalid')).to.equal('true');
    expect(focusedIn(badge)?.id).to.equal('booking');
    await expect(badge).to.be.accessible();

    type(badge, '#booking', 'not a booking');
    submit(badge);
    await untilText(badge, 'A booking reference looks like BK-7K3Q9-XPAW2.');

    const fresh = (await seed<Seeded>('paths')).voucher;
    const withCard = await stampsBadge();
    type(withCard, '#code', fresh.code);
    type(withCard, '#pin', fresh.pin === '000000' ? '111111' : '000000');
    submit(withCard);
    await untilText(withCard, 'Wrong PIN. 4 attempts left before the voucher locks.');
    expect(inside(withCard, '#pin')!.getAttribute('aria-invalid')).to.equal('true');
    expect(inside<HTMLInputElement>(withCard, '#pin')!.value).to.equal('');
    await expect(withCard).to.be.accessible();
  });

  it('fits 320 px in Albanian, stamps included', async () => {
    const { voucher } = await pavia();
    const badge = await stampsBadge({ lang: 'sq', width: 'width: 320px' });
    expect(inside(badge, '.stamps')!.scrollWidth, 'the form fits').to.be.at.most(320);
    type(badge, '#code', voucher.code);
    type(badge, '#pin', voucher.pin);
    submit(badge);
    await untilText(badge, 'Rruga e muzikës');
    expect(textOf(badge)).to.contain('1 nga 2 të bëra');
    expect(inside(badge, '.stamps')!.scrollWidth, 'the stamps fit').to.be.at.most(320);
    await expect(badge).to.be.accessible();
  });

  it('the plain badge has no form', async () => {
    const world = await testWorld();
    const { circuitId } = await pavia();
    const plain = await fixture<MentoringCircuitBadge>(
      html`<mentoring-circuit-badge circuit=${circuitId} lang="en" api-origin=${world.apiOrigin}></mentoring-circuit-badge>`,
    );
    await untilText(plain, 'Part of the Pavia circuit');
    expect(inside(plain, 'form')).to.equal(null);
    expect(plain.getBoundingClientRect().height).to.equal(36);
  });
});
