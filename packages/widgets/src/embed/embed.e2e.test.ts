// The built script tag (`npm run build`), served by the real server, on plain pages under a
// strict CSP: what a provider's site gets.
import { expect, waitUntil } from '@open-wc/testing';
import { plainPage, seed, testWorld, type PlainPage } from '../internal/testing.js';

function addScript(page: PlainPage, src: string, key: string): void {
  const script = page.document.createElement('script');
  script.async = true;
  script.src = src;
  script.dataset['key'] = key;
  page.document.head.append(script);
}

function shadowText(element: Element | null): string {
  return (element?.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ');
}

describe('the script tag, built and served by the server', () => {
  afterEach(() => document.querySelectorAll('iframe').forEach((frame) => frame.remove()));

  it('loaded twice, upgrades a div fallback and a later tag, in Italian, under a strict CSP, at 320 px', async () => {
    const world = await testWorld();
    const { offerId } = await seed<{ offerId: string }>('redemption', { voucher: false });
    const page = await plainPage(
      `<div data-mentoring="redeem-voucher" data-offer="${offerId}" id="fallback"></div>
       <mentoring-circuit-badge provider="${world.providerId}" variant="full"></mentoring-circuit-badge>`,
    );
    const reserved = page.document.querySelector('mentoring-circuit-badge')!;
    const src = `${world.apiOrigin}/embed/v1/mentoring.js`;
    addScript(page, src, world.publishableKey);
    addScript(page, src, world.publishableKey);
    await waitUntil(() => page.document.querySelector('mentoring-redeem-voucher') !== null, 'the div fallback was not upgraded');
    // Until its code arrives, each widget keeps the room it will take (the loader's adopted stylesheet).
    const rules = page.document.adoptedStyleSheets.flatMap((sheet) => [...sheet.cssRules].map((rule) => rule.cssText));
    expect(rules).to.include('mentoring-circuit-badge[variant="full"]:not(:defined) { display: block; min-height: 112px; }');
    const redeem = page.document.querySelector('mentoring-redeem-voucher')!;
    expect(redeem.id).to.equal('fallback');
    await waitUntil(() => shadowText(redeem).includes('Verifica il voucher'), `no Italian form: ${shadowText(redeem)}`, { timeout: 8000 });
    await waitUntil(() => shadowText(reserved).includes('Teatro Cagnoni'), 'no badge');

    const later = page.document.createElement('mentoring-circuit-badge');
    later.setAttribute('circuit', world.circuitId);
    page.document.body.append(later);
    await waitUntil(() => shadowText(later).includes('posti sostenuti in questa stagione') || shadowText(later).includes('posto sostenuto'), 'a tag added later was not loaded');

    expect(page.logs.filter((line) => line.startsWith('info'))).to.deep.equal(['info: Mentoring widgets 0.1.0']);
    expect(page.logs.filter((line) => !line.startsWith('info'))).to.deep.equal([]);
    expect(page.violations).to.deep.equal([]);
    expect(page.document.cookie).to.equal('');
    const root = page.document.documentElement;
    expect(root.scrollWidth, 'no horizontal scrolling at 320 px').to.be.at.most(root.clientWidth);
  });

  it('redeems end to end from a plain page', async () => {
    const world = await testWorld();
    const { offerId, voucher } = await seed<{ offerId: string; voucher: { code: string; pin: string } }>('redemption');
    const page = await plainPage(`<mentoring-redeem-voucher offer="${offerId}" lang="en"></mentoring-redeem-voucher>`);
    addScript(page, `${world.apiOrigin}/embed/v1/mentoring.js`, world.publishableKey);
    const element = page.document.querySelector('mentoring-redeem-voucher')!;
    await waitUntil(() => shadowText(element).includes('Check my voucher'), 'no form', { timeout: 8000 });
    const booked = new Promise<CustomEvent>((resolve) => page.document.addEventListener('mentoring-redeemed', (event) => resolve(event as CustomEvent)));
    const input = (selector: string, value: string) => {
      const field = element.shadowRoot!.querySelector<HTMLInputElement>(selector)!;
      field.value = value;
      field.dispatchEvent(new page.window.InputEvent('input'));
    };
    input('#code', voucher.code);
    input('#pin', voucher.pin);
    element.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    await waitUntil(() => shadowText(element).includes('Book 1 seat'), 'no seats step');
    element.shadowRoot!.querySelector<HTMLButtonElement>('button[type=submit]')!.click();
    const { detail } = await booked;
    await waitUntil(() => element.shadowRoot!.querySelector('svg[part=qr]') !== null, 'no QR code');
    expect(shadowText(element)).to.contain(detail.redemption.booking_reference);
    expect(page.violations).to.deep.equal([]);
  });

  it("shows each widget in Albanian from its own chunk of texts, and fetches another language's when lang changes", async () => {
    const world = await testWorld();
    const { offerId } = await seed<{ offerId: string }>('redemption', { voucher: false });
    const { campaignId } = await seed<{ campaignId: string }>('campaign', { targetSeats: 20, funded: 5 });
    const page = await plainPage(
      `<mentoring-redeem-voucher offer="${offerId}"></mentoring-redeem-voucher>
       <mentoring-sponsor-seat campaign="${campaignId}"></mentoring-sponsor-seat>
       <mentoring-circuit-badge circuit="${world.circuitId}"></mentoring-circuit-badge>`,
      'sq',
    );
    addScript(page, `${world.apiOrigin}/embed/v1/mentoring.js`, world.publishableKey);
    const widget = (name: string) => page.document.querySelector(`mentoring-${name}`)!;
    const [redeem, sponsor, badge] = [widget('redeem-voucher'), widget('sponsor-seat'), widget('circuit-badge')];
    const shows = (element: Element, text: string | RegExp) =>
      waitUntil(() => (typeof text === 'string' ? shadowText(element).includes(text) : text.test(shadowText(element))), `never showed ${text}: ${shadowText(element)}`, { timeout: 8000 });
    await shows(redeem, 'Kontrollo kuponin');
    await shows(redeem, 'për një vend');
    await shows(sponsor, '5 nga 20 vende të financuara');
    await shows(badge, /\d+ vend.* këtë sezon/);
    const texts = () =>
      page.window.performance
        .getEntriesByType('resource')
        .map((entry) => /\/chunks\/([\w-]+\.[a-z]+)-[\w-]+\.js$/.exec(entry.name)?.[1])
        .filter((name) => name !== undefined && /\.(en|it|sq)$/.test(name))
        .sort();
    expect(texts()).to.deep.equal(['circuit-badge.sq', 'redeem-voucher.sq', 'sponsor-seat.sq']);

    redeem.setAttribute('lang', 'it');
    await shows(redeem, 'Verifica il voucher');
    sponsor.setAttribute('lang', 'en');
    await shows(sponsor, '5 of 20 seats funded');
    await shows(badge, 'këtë sezon');
    expect(texts()).to.deep.equal(['circuit-badge.sq', 'redeem-voucher.it', 'redeem-voucher.sq', 'sponsor-seat.en', 'sponsor-seat.sq']);
    expect(page.logs.filter((line) => !line.startsWith('info'))).to.deep.equal([]);
    expect(page.violations).to.deep.equal([]);
  });
});
