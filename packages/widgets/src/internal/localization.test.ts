import { expect, fixture, html } from '@open-wc/testing';
import '../components/redeem-voucher/redeem-voucher.js';
import { templates as italian } from '../locales/it.js';
import { templates as albanian } from '../locales/sq.js';
import { formatDate, formatMoney } from './format.js';
import { chooseLocale } from './locale.js';
import { seed, testWorld, untilText } from './testing.js';

/** The trans-units of an XLIFF file in packages/widgets/xliff, with their targets. */
async function translations(locale: string): Promise<Map<string, string>> {
  const xliff = new DOMParser().parseFromString(await (await fetch(`/packages/widgets/xliff/${locale}.xlf`)).text(), 'application/xml');
  return new Map([...xliff.querySelectorAll('trans-unit')].map((unit) => [unit.id, unit.querySelector('target')?.textContent?.trim() ?? '']));
}

describe('localization', () => {
  for (const [locale, generated] of [['it', italian], ['sq', albanian]] as const) {
    it(`${locale}: every message has a translation, and the generated module holds them all`, async () => {
      const units = await translations(locale);
      expect(units.size).to.be.greaterThan(100);
      const missing = [...units].filter(([, target]) => target === '').map(([id]) => id);
      expect(missing, `untranslated in xliff/${locale}.xlf`).to.deep.equal([]);
      expect(Object.keys(generated).sort(), 'run `npm run localize` after changing texts').to.deep.equal([...units.keys()].sort());
    });
  }

  it("picks the element's lang, else the page's, else the browser's, else Italian", () => {
    expect(chooseLocale(['sq-AL', 'it', 'en'])).to.equal('sq');
    expect(chooseLocale([undefined, 'en-GB'])).to.equal('en');
    expect(chooseLocale(['de', 'fr-FR'])).to.equal('it');
    expect(chooseLocale([])).to.equal('it');
  });

  it('writes money the way each language does', () => {
    expect(formatMoney(1500, 'EUR', 'it')).to.equal('15,00\u00a0€');
    expect(formatMoney(1500, 'EUR', 'en')).to.equal('€15.00');
  });

  it('writes Albanian dates and money in Albanian, or in Italian where the browser has no Albanian data, never in English', () => {
    const hasAlbanian = Intl.DateTimeFormat.supportedLocalesOf('sq').length > 0;
    expect(formatDate('2026-12-07T20:00:00Z', 'sq')).to.equal(hasAlbanian ? '7 dhjetor 2026' : '7 dicembre 2026');
    expect(formatMoney(1500, 'EUR', 'sq')).to.match(/^15,00\s€$/);
  });

  it('renders in Albanian, switches at runtime with lang, and follows <html lang> without one', async () => {
    const world = await testWorld();
    const { offerId } = await seed<{ offerId: string }>('redemption', { voucher: false });
    const page = document.documentElement;
    const before = page.lang;
    try {
      page.lang = 'it';
      const element = await fixture(
        html`<mentoring-redeem-voucher offer=${offerId} lang="sq" api-origin=${world.apiOrigin} publishable-key=${world.publishableKey}></mentoring-redeem-voucher>`,
      );
      await untilText(element, 'Kontrollo kuponin');
      await untilText(element, 'Hanxhesha');
      element.setAttribute('lang', 'en');
      await untilText(element, 'Check my voucher');
      element.removeAttribute('lang');
      await untilText(element, 'Verifica il voucher');
      await untilText(element, '15,00 € a posto');
      page.lang = 'sq';
      await untilText(element, 'Kontrollo kuponin');
      await expect(element).to.be.accessible();
    } finally {
      page.lang = before;
    }
  });
});
