import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Redemption } from '../../internal/api.js';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { MentoringSayThanks } from './say-thanks.js';
import './say-thanks.js';

interface Booked {
  redemption: Redemption;
  code: string;
  pin: string;
}

/** A pupil's voucher books one seat of a new offer, as the redeem widget would. */
async function booked(): Promise<Booked> {
  const { offerId, voucher } = await seed<{ offerId: string; voucher: { code: string; pin: string } }>('redemption');
  const redemption = await seed<Redemption>('spend', { code: voucher.code, pin: voucher.pin, offerId, seats: 1 });
  return { redemption, code: voucher.code, pin: voucher.pin };
}

async function thanksForm(lang = 'en'): Promise<MentoringSayThanks> {
  const world = await testWorld();
  return fixture<MentoringSayThanks>(
    html`<mentoring-say-thanks lang=${lang} api-origin=${world.apiOrigin} publishable-key=${world.publishableKey}></mentoring-say-thanks>`,
  );
}

/** The redeem widget's event, as it fires it after a booking. */
function redeemed(redemption: Redemption): void {
  document.body.dispatchEvent(new CustomEvent('mentoring-redeemed', { detail: { redemption }, bubbles: true, composed: true }));
}

function fill(element: Element, selector: string, text: string): void {
  const field = inside<HTMLInputElement | HTMLTextAreaElement>(element, selector)!;
  field.value = text;
  field.dispatchEvent(new InputEvent('input'));
}

describe('<mentoring-say-thanks>', () => {
  it('shows nothing until a booking, then lets a pupil thank on a phone, keyboard only', async () => {
    const { redemption, code, pin } = await booked();
    const element = await thanksForm();
    expect(textOf(element)).to.equal('');
    redeemed(redemption);
    await untilText(element, `booking ${redemption.booking_reference}`);
    await expect(element).to.be.accessible();
    element.style.width = '320px';
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);

    inside<HTMLTextAreaElement>(element, '#text')!.focus();
    await sendKeys({ type: 'Grazie, è stato bellissimo!' });
    expect(textOf(element)).to.contain(`${280 - 'Grazie, è stato bellissimo!'.length} characters left`);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: code.toLowerCase() });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: pin });
    const thanked = oneEvent(element, 'mentoring-thanked');
    await sendKeys({ press: 'Enter' });
    expect(((await thanked) as CustomEvent<{ note: { status: string } }>).detail.note.status).to.equal('pending');
    await untilText(element, 'Thank you! Your note will reach them once your school has read it.');
    await waitUntil(() => focusedIn(element)?.id === 'message', 'the focus did not move to the confirmation');
    await expect(element).to.be.accessible();
  });

  it('refuses a name in the note and a wrong PIN, next to the field, in Italian', async () => {
    const { redemption, code, pin } = await booked();
    const element = await thanksForm('it');
    redeemed(redemption);
    await untilText(element, 'Di\' grazie');
    fill(element, '#text', 'Grazie mille! Giulia Bianchi');
    fill(element, '#code', code);
    fill(element, '#pin', pin);
    const refused = oneEvent(element, 'mentoring-error');
    inside<HTMLButtonElement>(element, 'button[type=submit]')!.click();
    expect(((await refused) as CustomEvent<{ code: string }>).detail.code).to.equal('invalid_request');
    await untilText(element, 'Togli nomi, codici come la tua classe, indirizzi, numeri di telefono, email e date: il messaggio resta anonimo.');
    expect(inside(element, '#text')!.getAttribute('aria-invalid')).to.equal('true');
    await waitUntil(() => focusedIn(element)?.id === 'text', 'the focus did not go to the note');

    fill(element, '#text', 'Grazie mille!');
    fill(element, '#pin', pin === '0000' ? '1111' : '0000');
    inside<HTMLButtonElement>(element, 'button[type=submit]')!.click();
    await untilText(element, /PIN sbagliato\. Ancora 4 tentativi/);
    expect(inside(element, '#pin')!.getAttribute('aria-invalid')).to.equal('true');
    await expect(element).to.be.accessible();
    for (const left of [3, 2]) {
      inside<HTMLButtonElement>(element, 'button[type=submit]')!.click();
      await untilText(element, new RegExp(`Ancora ${left} tentativi`));
    }
    inside<HTMLButtonElement>(element, 'button[type=submit]')!.click();
    await untilText(element, 'PIN sbagliato. Resta 1 tentativo prima che la tessera si blocchi.');
  });
});
