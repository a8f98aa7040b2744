import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Sponsorship } from '../../internal/api.js';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { MentoringSponsorSeat } from './sponsor-seat.js';
import './sponsor-seat.js';

async function sponsorWidget(options: object = {}, { lang = 'en', apiOrigin, paymentMethod }: { lang?: string; apiOrigin?: string; paymentMethod?: string } = {}) {
  const world = await testWorld();
  const { campaignId } = await seed<{ campaignId: string }>('campaign', options);
  const element = await fixture<MentoringSponsorSeat>(
    html`<mentoring-sponsor-seat
      campaign=${campaignId}
      lang=${lang}
      api-origin=${apiOrigin ?? world.apiOrigin}
      publishable-key=${world.publishableKey}
      payment-method=${paymentMethod ?? ''}
    ></mentoring-sponsor-seat>`,
  );
  if (paymentMethod === undefined) element.paymentMethod = undefined;
  return element;
}

function type(element: MentoringSponsorSeat, selector: string, text: string): void {
  const input = inside<HTMLInputElement>(element, selector)!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
}

function click(element: MentoringSponsorSeat, label: string): void {
  const button = [...element.shadowRoot!.querySelectorAll('button')].find((candidate) => candidate.textContent!.includes(label));
  if (button === undefined) throw new Error(`no button "${label}" in: ${textOf(element)}`);
  button.click();
}

describe('<mentoring-sponsor-seat>', () => {
  it('shows the campaign: the play, the seat price, seats funded of the target, the deadline, the latest mentors', async () => {
    const element = await sponsorWidget({ targetSeats: 20, funded: 5 });
    await untilText(element, '5 of 20 seats funded');
    expect(textOf(element)).to.contain('The Mistress of the Inn').and.contain('Teatro Cagnoni').and.contain('€15.00 a seat');
    expect(textOf(element)).to.match(/Open until \w+ \d+, \d{4}/);
    expect(textOf(element)).to.contain('Panificio Ducale · 5 seats · Forza ragazzi!');
    const progress = inside<HTMLProgressElement>(element, 'progress')!;
    expect([progress.value, progress.max]).to.deep.equal([5, 20]);
    await expect(element).to.be.accessible();
  });

  it('a mentor sponsors two seats keyboard-only, gets a receipt, and the progress moves', async () => {
    const element = await sponsorWidget({ targetSeats: 20, funded: 5 });
    await untilText(element, 'Pay €15.00');
    inside<HTMLInputElement>(element, 'input[value=seats]')!.focus();
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('seats');
    await sendKeys({ press: 'ArrowUp' });
    await untilText(element, 'Pay €30.00');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('name');
    await sendKeys({ type: 'Farmacia Bellini' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('note');
    await sendKeys({ type: 'Buono spettacolo!' });
    await sendKeys({ press: 'Tab' });
    const sponsored = oneEvent(element, 'mentoring-sponsored');
    await sendKeys({ press: 'Enter' });
    const { sponsorship } = ((await sponsored) as CustomEvent<{ sponsorship: Sponsorship }>).detail;
    expect(sponsorship).to.include({ status: 'succeeded', seats: 2, amount: 3000, display_name: 'Farmacia Bellini' });
    expect(sponsorship.receipt_reference).to.match(/^SP-/);
    await untilText(element, 'Thank you, Farmacia Bellini! You sponsored 2 seats (€30.00).');
    expect(inside(element, '[part=receipt]')!.textContent).to.equal(sponsorship.receipt_reference);
    await untilText(element, '7 of 20 seats funded');
    expect(textOf(element)).to.contain('Farmacia Bellini · 2 seats · Buono spettacolo!');
    expect(focusedIn(element)?.tagName).to.equal('H2');
    await expect(element).to.be.accessible();
  });

  it('takes an amount in Italian style, anonymously, and names nobody', async () => {
    const element = await sponsorWidget({ targetSeats: 10 });
    await untilText(element, 'Pay €15.00');
    click(element, 'Pay'); // nothing chosen yet: the name is asked for
    inside<HTMLInputElement>(element, 'input[value=amount]')!.click();
    await untilText(element, 'Amount (EUR)');
    type(element, '#amount', '32,50');
    await untilText(element, 'Pay €32.50');
    inside<HTMLInputElement>(element, 'input[type=checkbox]')!.click();
    const sponsored = oneEvent(element, 'mentoring-sponsored');
    click(element, 'Pay €32.50');
    const { sponsorship } = ((await sponsored) as CustomEvent<{ sponsorship: Sponsorship }>).detail;
    expect(sponsorship).to.include({ amount: 3250, anonymous: true, display_name: null, seats: null });
    await untilText(element, 'Thank you! You gave €32.50.');
    await untilText(element, '2 of 10 seats funded');
    expect(inside(element, '.sponsors')).to.equal(null);
  });

  it('asks for a name or anonymity, and a real amount, before paying anything', async () => {
    const element = await sponsorWidget();
    await untilText(element, 'Pay €15.00');
    click(element, 'Pay €15.00');
    await untilText(element, 'Write the name to thank, or choose to stay anonymous.');
    const name = inside<HTMLInputElement>(element, '#name')!;
    expect(name.getAttribute('aria-invalid')).to.equal('true');
    expect(focusedIn(element)).to.equal(name);
    await expect(element).to.be.accessible();
    inside<HTMLInputElement>(element, 'input[value=amount]')!.click();
    await untilText(element, 'Amount (EUR)');
    type(element, '#amount', '0,50');
    // The button says what to change rather than greying out without a word.
    click(element, 'Pay');
    await untilText(element, 'Write an amount of at least 1, such as 25 or 12.50.');
    const amount = inside<HTMLInputElement>(element, '#amount')!;
    expect(amount.getAttribute('aria-invalid')).to.equal('true');
    expect(focusedIn(element)).to.equal(amount);
    inside<HTMLInputElement>(element, 'input[value=seats]')!.click();
    await element.updateComplete;
    type(element, '#seats', '0');
    click(element, 'Pay');
    await untilText(element, /Choose from 1 to \d+ seats\./);
    expect(focusedIn(element)?.id).to.equal('seats');
  });

  it('a declined payment changes nothing and can be tried again', async () => {
    const element = await sponsorWidget({ targetSeats: 20, funded: 1 }, { paymentMethod: 'test_fail' });
    await untilText(element, 'Pay €15.00');
    type(element, '#name', 'Bar Sport');
    const refused = oneEvent(element, 'mentoring-error');
    click(element, 'Pay €15.00');
    expect(((await refused) as CustomEvent).detail.code).to.equal('payment_failed');
    await untilText(element, 'The payment was declined and nothing was charged.');
    expect(textOf(element)).to.contain('1 of 20 seats funded');
    element.paymentMethod = undefined;
    click(element, 'Pay €15.00');
    await untilText(element, 'Thank you, Bar Sport!');
    await untilText(element, '2 of 20 seats funded');
  });

  it('a closed campaign shows its result and no form', async () => {
    const element = await sponsorWidget({ funded: 3, deadlineInMs: 1500 });
    await untilText(element, 'This campaign closed on');
    expect(inside(element, 'form')).to.equal(null);
    await expect(element).to.be.accessible();
  });

  it('without a connection, says so and offers to try again', async () => {
    const element = await sponsorWidget({}, { apiOrigin: 'http://127.0.0.1:9' });
    await untilText(element, 'No connection to Mentoring');
    await expect(element).to.be.accessible();
    element.apiOrigin = (await testWorld()).apiOrigin;
    click(element, 'Try again');
    await untilText(element, '0 of 20 seats funded');
  });
});
