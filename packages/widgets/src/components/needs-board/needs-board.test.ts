import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ifDefined } from 'lit/directives/if-defined.js';
import type { Sponsorship } from '../../internal/api.js';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { MentoringNeedsBoard } from './needs-board.js';
import './needs-board.js';

interface NeedSeed {
  title: Record<string, string>;
  description?: Record<string, string>;
  seats?: number;
  seatPrice?: number;
  funded?: number;
  /** Cents adopted by an amount before the test. */
  fundedAmount?: number;
}

const opera: NeedSeed = {
  title: { it: 'Classe 3B, 22 studenti, stagione lirica', en: 'Class 3B, 22 students, opera season', sq: 'Klasa 3B, 22 nxënës, sezoni i operës' },
  description: { en: 'Class 3B has never been to the opera.' },
  seats: 22,
  seatPrice: 1500,
  funded: 4,
};

const concert: NeedSeed = { title: { sq: 'Shoqata Besa: 10 të rinj në koncert' }, seats: 10, seatPrice: 1200 };

async function board(
  needs: NeedSeed[],
  { lang = 'en', apiOrigin, width, paymentProvider }: { lang?: string; apiOrigin?: string; width?: number; paymentProvider?: string } = {},
) {
  const world = await testWorld();
  const { circuitId, needIds } = await seed<{ circuitId: string; needIds: string[] }>('needsBoard', { needs });
  const page = await fixture<HTMLDivElement>(html`<div style=${width === undefined ? '' : `width: ${width}px`}>
    <mentoring-needs-board
      circuit=${circuitId}
      lang=${lang}
      api-origin=${apiOrigin ?? world.apiOrigin}
      publishable-key=${world.publishableKey}
      payment-provider=${ifDefined(paymentProvider)}
    ></mentoring-needs-board>
  </div>`);
  return { element: page.querySelector('mentoring-needs-board')!, needIds };
}

function click(element: MentoringNeedsBoard, label: string, index = 0): void {
  const buttons = [...element.shadowRoot!.querySelectorAll('button')].filter((candidate) => candidate.textContent!.includes(label));
  if (buttons[index] === undefined) throw new Error(`no button "${label}" in: ${textOf(element)}`);
  buttons[index]!.click();
}

/** Ticks "Stay anonymous" and presses the Pay button labelled `label`: answers the sponsorship made. */
async function payAnonymously(element: MentoringNeedsBoard, label: string): Promise<Sponsorship> {
  inside<HTMLInputElement>(element, 'input[type=checkbox]')!.click();
  await element.updateComplete;
  const sponsored = oneEvent(element, 'mentoring-sponsored');
  click(element, label);
  return ((await sponsored) as CustomEvent<{ sponsorship: Sponsorship }>).detail.sponsorship;
}

function type(element: MentoringNeedsBoard, selector: string, text: string): void {
  const input = inside<HTMLInputElement>(element, selector)!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
}

describe('<mentoring-needs-board>', () => {
  it('lists the open needs: what each is for, who asks, the category, the progress and the deadline', async () => {
    const { element } = await board([opera, concert]);
    await untilText(element, 'Class 3B, 22 students, opera season');
    expect(textOf(element)).to.contain('Liceo Cairoli · Music').and.contain('Class 3B has never been to the opera.');
    expect(textOf(element)).to.contain('€60.00 of €330.00 given · 4 of 22 seats · 1 adoption');
    expect(textOf(element)).to.contain('Shoqata Besa: 10 të rinj në koncert').and.contain('€0.00 of €120.00 given');
    expect(textOf(element)).to.match(/Open until \w+ \d+, \d{4}/);
    const progress = inside<HTMLProgressElement>(element, 'progress')!;
    expect([progress.value, progress.max]).to.deep.equal([6000, 33000]);
    await expect(element).to.be.accessible();
  });

  it('a mentor adopts three seats keyboard-only, gets a receipt, and the progress moves', async () => {
    const { element, needIds } = await board([opera]);
    await untilText(element, 'Adopt this need');
    inside<HTMLButtonElement>(element, 'button[data-need]')!.focus();
    await sendKeys({ press: 'Enter' });
    await untilText(element, 'Pay €15.00');
    expect(focusedIn(element)?.id).to.equal('chosen');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.getAttribute('value')).to.equal('seats');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('seats');
    await sendKeys({ press: 'ArrowUp' });
    await sendKeys({ press: 'ArrowUp' });
    await untilText(element, 'Pay €45.00');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ type: 'Farmacia Bellini' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('note');
    await sendKeys({ type: 'Buona opera!' });
    await sendKeys({ press: 'Tab' });
    const sponsored = oneEvent(element, 'mentoring-sponsored');
    await sendKeys({ press: 'Enter' });
    const { sponsorship } = ((await sponsored) as CustomEvent<{ sponsorship: Sponsorship }>).detail;
    expect(sponsorship).to.include({ status: 'succeeded', seats: 3, amount: 4500, need_id: needIds[0], display_name: 'Farmacia Bellini' });
    await untilText(element, 'Thank you, Farmacia Bellini! You sponsored 3 seats (€45.00).');
    await untilText(element, '€105.00 of €330.00 given · 7 of 22 seats · 2 adoptions');
    expect(focusedIn(element)?.id).to.equal('chosen');
    await expect(element).to.be.accessible();
    click(element, 'Adopt another need');
    await untilText(element, 'Needs to adopt');
    expect(focusedIn(element)?.getAttribute('data-need')).to.equal(needIds[0]);
  });

  it('starts each need with a blank gift: nothing typed for another carries over', async () => {
    const { element } = await board([opera, concert]);
    await untilText(element, 'Adopt this need');
    click(element, 'Adopt this need', 0);
    await element.updateComplete;
    inside<HTMLInputElement>(element, 'input[value=amount]')!.click();
    await element.updateComplete;
    type(element, '#amount', '12,50');
    click(element, 'All needs');
    await untilText(element, 'Adopt this need');
    click(element, 'Adopt this need', 1);
    await element.updateComplete;
    expect(inside<HTMLInputElement>(element, 'input[value=seats]')!.checked, 'seats again').to.equal(true);
    expect(inside<HTMLInputElement>(element, '#seats')!.value).to.equal('1');
  });

  it('offers only an amount when less than a seat is left, and takes its last cents', async () => {
    const { element } = await board([{ ...concert, seats: 2, fundedAmount: 2350 }]);
    await untilText(element, 'Adopt this need');
    click(element, 'Adopt this need');
    await untilText(element, 'Up to €0.50 is left to adopt.');
    expect(inside(element, 'input[value=seats]'), 'no seats: one costs more than is left').to.equal(null);
    type(element, '#amount', '0,40');
    click(element, 'Pay');
    await untilText(element, 'Write €0.50: what is left to adopt.');
    type(element, '#amount', '0,50');
    expect(await payAnonymously(element, 'Pay €0.50')).to.include({ amount: 50 });
    await untilText(element, 'Thank you!');
  });

  it('adopts the rest in Italian by an amount, anonymously; the funded need leaves the board', async () => {
    const { element } = await board([{ ...concert, seats: 2, funded: 1 }], { lang: 'it' });
    await untilText(element, 'Adotta questo bisogno');
    click(element, 'Adotta questo bisogno');
    await element.updateComplete;
    inside<HTMLInputElement>(element, 'input[value=amount]')!.click();
    await element.updateComplete;
    type(element, '#amount', '12,01');
    await element.updateComplete;
    click(element, 'Paga');
    await untilText(element, /Scrivi un importo da 1 a 12,00/);
    expect(focusedIn(element)?.id, 'more than is left').to.equal('amount');
    type(element, '#amount', '12,00');
    await element.updateComplete;
    inside<HTMLInputElement>(element, 'input[type=checkbox]')!.click();
    const sponsored = oneEvent(element, 'mentoring-sponsored');
    click(element, 'Paga');
    const { sponsorship } = ((await sponsored) as CustomEvent<{ sponsorship: Sponsorship }>).detail;
    expect(sponsorship).to.include({ amount: 1200, anonymous: true, display_name: null, seats: null });
    await untilText(element, 'Grazie!');
    click(element, 'Adotta un altro bisogno');
    await untilText(element, 'Nessun bisogno aperto');
    expect(focusedIn(element)?.tagName).to.equal('H2');
  });

  it('an adoption by bank transfer gets the bank details and the date until which its part is kept', async () => {
    const { element, needIds } = await board([opera], { paymentProvider: 'bank_transfer' });
    await untilText(element, 'Adopt this need');
    click(element, 'Adopt this need');
    await untilText(element, 'Pay €15.00');
    inside<HTMLInputElement>(element, 'input[type=checkbox]')!.click();
    const sponsored = oneEvent(element, 'mentoring-sponsored');
    click(element, 'Pay');
    const { sponsorship } = ((await sponsored) as CustomEvent<{ sponsorship: Sponsorship }>).detail;
    expect(sponsorship).to.include({ status: 'pending', need_id: needIds[0], amount: 1500 });
    const keptUntil = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date(sponsorship.reserved_until!));
    await untilText(element, 'IT60 X054 2811 1010 0000 0123 456');
    expect(textOf(element)).to.contain('Circuito Cultura Vigevano APS').and.contain(sponsorship.receipt_reference);
    expect(textOf(element)).to.contain(`Please make the transfer by ${keptUntil}: until then your part of this need is kept for you.`);
    // The part waits for the transfer: not counted as given yet, but shown as promised.
    await untilText(element, '€60.00 of €330.00 given');
    expect(textOf(element)).to.contain('€15.00 promised, waiting for a bank transfer');
    await expect(element).to.be.accessible();
  });

  it('says a need wholly promised by pending transfers is waiting for them, not that it is funded or closed', async () => {
    const { element } = await board([{ ...concert, seats: 2 }], { paymentProvider: 'bank_transfer' });
    await untilText(element, 'Adopt this need');
    click(element, 'Adopt this need');
    await untilText(element, 'Pay €12.00');
    type(element, '#seats', '2');
    await payAnonymously(element, 'Pay €24.00');
    await untilText(element, 'Adopt another need');
    click(element, 'Adopt another need');
    await untilText(element, '€24.00 promised, waiting for a bank transfer');
    click(element, 'Adopt this need');
    await untilText(element, 'The rest of this need is promised by gifts waiting for their bank transfer.');
    expect(textOf(element)).to.not.contain('funded or closed');
  });

  it('when others adopted part meanwhile, says so readably and shows what is left', async () => {
    const { element, needIds } = await board([{ ...concert, seats: 4 }]);
    await untilText(element, 'Adopt this need');
    click(element, 'Adopt this need');
    await untilText(element, 'Pay €12.00');
    await seed('adoptNeed', { needId: needIds[0], seats: 3 });
    type(element, '#seats', '2');
    type(element, '#name', 'Bar Sport');
    await untilText(element, 'Pay €24.00');
    const refused = oneEvent(element, 'mentoring-error');
    click(element, 'Pay €24.00');
    expect(((await refused) as CustomEvent).detail.code).to.equal('exceeds_need');
    await untilText(element, 'Others adopted part of this need meanwhile: less is left now.');
    await untilText(element, '€36.00 of €48.00 given');
    expect(inside(element, '#seats')!.getAttribute('max')).to.equal('1');
    await expect(element).to.be.accessible();
  });

  it('asks for a name or anonymity before paying, and fits 320 px in Albanian', async () => {
    const { element } = await board([opera], { lang: 'sq', width: 320 });
    await untilText(element, 'Klasa 3B, 22 nxënës, sezoni i operës');
    expect(textOf(element)).to.contain('Muzikë');
    click(element, 'Adoptoje');
    await untilText(element, 'Paguaj');
    click(element, 'Paguaj');
    const name = inside<HTMLInputElement>(element, '#name')!;
    await untilText(element, 'Shkruaj emrin');
    expect(name.getAttribute('aria-invalid')).to.equal('true');
    expect(focusedIn(element)).to.equal(name);
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
    await expect(element).to.be.accessible();
  });

  it('without a connection, says so and offers to try again', async () => {
    const { element } = await board([opera], { apiOrigin: 'http://127.0.0.1:9' });
    await untilText(element, 'No connection to Mentoring');
    await expect(element).to.be.accessible();
    element.apiOrigin = (await testWorld()).apiOrigin;
    click(element, 'Try again');
    await untilText(element, 'Class 3B, 22 students, opera season');
  });
});
