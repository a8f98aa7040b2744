// The built desks (`npm run build`, dist/desk/), served by the real server at /embed/v1/desk/ and
// loaded by a staff page's module script under a strict CSP: what a box office or a school office gets.
import { expect, waitUntil } from '@open-wc/testing';
import { plainPage, seed, testWorld, type PlainPage } from '../internal/testing.js';

function shadowText(element: Element | null): string {
  return (element?.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

function shows(element: Element, text: string): Promise<void> {
  return waitUntil(() => shadowText(element).includes(text), `never showed ${text}: ${shadowText(element)}`, { timeout: 8000 });
}

/** A staff page: the desk's tag with its key, then its module script from the Mentoring server. */
async function staffPage(desk: 'provider-desk' | 'referrer-desk' | 'mentor-impact', deskKey: string): Promise<{ page: PlainPage; element: Element }> {
  const { apiOrigin } = await testWorld();
  const page = await plainPage(
    `<mentoring-${desk} desk-key="${deskKey}"></mentoring-${desk}><script type="module" src="${apiOrigin}/embed/v1/desk/${desk}.js"></script>`,
  );
  return { page, element: page.document.querySelector(`mentoring-${desk}`)! };
}

function fill(page: PlainPage, element: Element, selector: string, value: string): void {
  const field = element.shadowRoot!.querySelector<HTMLInputElement | HTMLSelectElement>(selector)!;
  field.value = value;
  field.dispatchEvent(new page.window.InputEvent('input'));
}

function press(element: Element, label: string): void {
  [...element.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent!.trim() === label)!.click();
}

describe('the staff desks, built and served by the server', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((frame) => frame.remove()));

  it('a box office opens its desk from its module script, on the API it came from, in Italian, under a strict CSP, at 320 px', async () => {
    const office = await seed<{ deskKey: string }>('providerDesk', { name: 'Teatro Cagnoni' });
    const { page, element } = await staffPage('provider-desk', office.deskKey);
    await shows(element, 'Teatro Cagnoni');
    await shows(element, 'Ancora nessuna prenotazione oggi.');
    expect(shadowText(element)).to.contain('Biglietteria').and.contain('Codice del voucher o prenotazione');
    expect(page.logs).to.deep.equal([]);
    expect(page.violations).to.deep.equal([]);
    expect(page.document.cookie).to.equal('');
    const root = page.document.documentElement;
    expect(root.scrollWidth, 'no horizontal scrolling at 320 px').to.be.at.most(root.clientWidth);
  });

  it("a school office prints an Albanian pupil's card from the built desk: the card's texts come from the desk's Albanian chunk", async () => {
    const school = await seed<{ deskKey: string }>('referrerDesk', { name: 'Liceo Cairoli' });
    const { page, element } = await staffPage('referrer-desk', school.deskKey);
    await shows(element, 'Liceo Cairoli');
    await waitUntil(() => element.shadowRoot!.querySelector('[part=allocation] strong') !== null, 'no allocation');
    fill(page, element, '#reference', '4A-12');
    fill(page, element, '#one-language', 'sq');
    press(element, 'Aggiungi');
    await shows(element, '4A-12 aggiunto e selezionato.');
    fill(page, element, '#amount', '30');
    await shows(element, 'Emetti 1 voucher');
    element.shadowRoot!.querySelector<HTMLButtonElement>('#issue-heading ~ form button[type=submit]')!.click();
    await shows(element, 'Kupon kulturor');
    const card = element.shadowRoot!.querySelector('article.card')!;
    expect(card.getAttribute('lang')).to.equal('sq');
    expect(card.textContent).to.contain('Palose këtu: PIN-i mbetet brenda');
    const texts = page.window.performance
      .getEntriesByType('resource')
      .map((entry) => /\/desk\/chunks\/(referrer-desk\.[a-z]+)-[\w-]+\.js$/.exec(entry.name)?.[1])
      .filter((name) => name !== undefined)
      .sort();
    expect(texts).to.deep.equal(['referrer-desk.it', 'referrer-desk.sq']);
    expect(page.logs).to.deep.equal([]);
    expect(page.violations).to.deep.equal([]);
  });

  it("a bakery's impact page opens from its module script in Italian, its chart drawn under a strict CSP, at 320 px", async () => {
    const bakery = await seed<{ deskKey: string }>('mentorImpact', { name: 'Pasticceria Colombo' });
    const { page, element } = await staffPage('mentor-impact', bakery.deskKey);
    await shows(element, 'Pasticceria Colombo');
    await shows(element, 'Cosa hanno fatto i tuoi doni');
    await shows(element, 'Per mese');
    expect(shadowText(element)).to.contain('Grazie di cuore, era la prima volta a teatro!');
    expect(element.shadowRoot!.querySelectorAll('svg[role=img] rect.bar')).to.have.length(1);
    expect(page.logs).to.deep.equal([]);
    expect(page.violations).to.deep.equal([]);
    const root = page.document.documentElement;
    expect(root.scrollWidth, 'no horizontal scrolling at 320 px').to.be.at.most(root.clientWidth);
  });
});

describe('the standalone thank-you form, built and served by the server', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((frame) => frame.remove()));

  it("a provider's page loads it beside the script tag: it takes the tag's key, and appears after a booking", async () => {
    const { apiOrigin, publishableKey } = await testWorld();
    const page = await plainPage(
      `<script async src="${apiOrigin}/embed/v1/mentoring.js" data-key="${publishableKey}"></script>` +
        `<script type="module" src="${apiOrigin}/embed/v1/standalone/say-thanks.js"></script><mentoring-say-thanks></mentoring-say-thanks>`,
    );
    const element = page.document.querySelector('mentoring-say-thanks')!;
    await waitUntil(() => page.window.customElements.get('mentoring-say-thanks') !== undefined, 'never defined', { timeout: 8000 });
    expect(shadowText(element).trim()).to.equal('');
    page.document.body.dispatchEvent(
      new page.window.CustomEvent('mentoring-redeemed', { detail: { redemption: { booking_reference: 'BK-7K3Q9-XPAW2' } }, bubbles: true }),
    );
    await shows(element, "Di' grazie");
    expect(shadowText(element)).to.contain('BK-7K3Q9-XPAW2');
    expect(page.logs.filter((line) => !line.startsWith('info: Mentoring widgets'))).to.deep.equal([]);
    expect(page.violations).to.deep.equal([]);
  });
});
