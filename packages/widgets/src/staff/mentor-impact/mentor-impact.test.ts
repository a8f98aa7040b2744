import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { MentoringMentorImpact } from './mentor-impact.js';
import './mentor-impact.js';

interface ImpactPage {
  mentorId: string;
  deskKey: string;
}

/** The mentor's impact page, open and loaded, in `lang` (English unless told). */
async function openImpact(page: ImpactPage | undefined, { lang = 'en' } = {}): Promise<MentoringMentorImpact> {
  const world = await testWorld();
  const element = await fixture<MentoringMentorImpact>(
    page === undefined
      ? html`<mentoring-mentor-impact lang=${lang} api-origin=${world.apiOrigin}></mentoring-mentor-impact>`
      : html`<mentoring-mentor-impact lang=${lang} api-origin=${world.apiOrigin} desk-key=${page.deskKey}></mentoring-mentor-impact>`,
  );
  if (page !== undefined) await waitUntil(() => inside(element, '[part=totals]') !== null, `the page did not open: ${textOf(element)}`, { timeout: 5000 });
  return element;
}

function rowsOf(element: Element, table: string): string[][] {
  return [...element.shadowRoot!.querySelectorAll(`#${table}-table tbody tr`)].map((row) =>
    [...row.children].map((cell) => cell.textContent!.replace(/\s+/g, ' ').trim()),
  );
}

describe('<mentoring-mentor-impact>', () => {
  it("shows a bakery what its gifts did: totals, a chart by month, categories, languages and the school's approved note", async function () {
    this.timeout(20_000);
    const page = await seed<ImpactPage>('mentorImpact', { seats: 4, booked: 2 });
    const element = await openImpact(page);
    const text = textOf(element);
    expect(text).to.contain('What your gifts did').and.contain('Pasticceria Colombo');
    // €60 for 4 theatre seats and €20 (2 seats at €10) for the concert; the theatre campaign is all the bakery's, so both seats booked there are its.
    const totals = [...element.shadowRoot!.querySelectorAll('[part=totals] dd')].map((dd) => dd.textContent!.trim());
    expect(totals).to.deep.equal(['€80.00', '6', '2', '2']);
    const month = new Intl.DateTimeFormat('en', { month: 'long', year: 'numeric', timeZone: 'Europe/Rome' }).format(new Date());
    expect(rowsOf(element, 'months')).to.deep.equal([[month, '€80.00', '6', '2']]);
    expect(rowsOf(element, 'categories')).to.deep.equal([
      ['Theatre', '€60.00', '4', '2'],
      ['Music', '€20.00', '2', '0'],
    ]);
    const chart = inside<SVGSVGElement>(element, 'svg[role=img]')!;
    expect(chart.getAttribute('aria-label')).to.contain(`Money given by month, from ${month} to ${month}.`).and.contain('€80.00');
    expect(chart.querySelectorAll('rect.bar')).to.have.length(1);
    expect(getComputedStyle(chart.querySelector('rect.bar')!).fill, 'bars in the accent token').to.equal('rgb(29, 78, 216)');
    expect(text).to.contain('Italiano: 1 young person').and.contain('Shqip: 1 young person');
    const note = inside<HTMLQuoteElement>(element, '[part=notes] blockquote')!;
    expect(note.textContent).to.equal('Grazie di cuore, era la prima volta a teatro!');
    expect(note.lang).to.equal('it');
    expect(text, 'nobody is named').to.not.match(/5C-|Liceo/);
    await expect(element).to.be.accessible();
  });

  it('lists the needs it adopted on the needs board, and what their money became', async function () {
    this.timeout(20_000);
    const page = await seed<ImpactPage>('mentorImpact', { seats: 1, booked: 0, note: '', adopt: true });
    const element = await openImpact(page);
    await untilText(element, 'Needs you adopted');
    const row = inside(element, '[part=adoptions] li')!.textContent!.replace(/\s+/g, ' ');
    expect(row).to.contain('Classe 5C al concerto · Liceo Cairoli').and.contain('Your part: €10.00 · 1 seat · 1 of 4 seats funded');
    expect(row).to.contain('0 vouchers issued, 0 seats used').and.contain('Still open');
    await expect(element).to.be.accessible();
  });

  it('downloads the CSV with the key in a header, never in a URL, keyboard only', async function () {
    this.timeout(20_000);
    const page = await seed<ImpactPage>('mentorImpact', { seats: 2, booked: 1, note: '' });
    const element = await openImpact(page);
    const fetched: string[] = [];
    const saved: { name: string; blob: Blob }[] = [];
    const realFetch = window.fetch;
    const realCreate = URL.createObjectURL;
    window.fetch = (input, init) => {
      fetched.push(`${String(input)} ${new Headers(init?.headers).get('Authorization')}`);
      return realFetch(input, init);
    };
    const click = HTMLAnchorElement.prototype.click;
    HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
      saved.push({ name: this.download, blob: blobs.get(this.href)! });
    };
    const blobs = new Map<string, Blob>();
    URL.createObjectURL = (blob: Blob) => {
      const url = realCreate(blob);
      blobs.set(url, blob);
      return url;
    };
    try {
      const button = [...element.shadowRoot!.querySelectorAll('button')].find((candidate) => candidate.textContent!.includes('Download CSV'))!;
      button.focus();
      await sendKeys({ press: 'Enter' });
      await untilText(element, 'Figures downloaded.');
    } finally {
      window.fetch = realFetch;
      URL.createObjectURL = realCreate;
      HTMLAnchorElement.prototype.click = click;
    }
    expect(fetched).to.have.length(1);
    expect(fetched[0]).to.match(/\/v1\/mentors\/me\/impact\.csv Bearer rk_test_/);
    expect(fetched[0]!.split(' ')[0]).to.not.contain('rk_');
    expect(saved[0]!.name).to.match(/^mentoring-impact-\d{4}-\d\d-\d\d\.csv$/);
    const bytes = new Uint8Array(await saved[0]!.blob.arrayBuffer());
    expect([...bytes.slice(0, 3)], 'the BOM, as the server sent it').to.deep.equal([0xef, 0xbb, 0xbf]);
    const csv = new TextDecoder().decode(bytes.slice(3)).split('\r\n');
    expect(csv[0]).to.equal('month,category,given (EUR),sponsorships,seats funded,seats used,used (EUR)');
    expect(csv).to.include('total,,50.00,2,4,1.0,15.00');
  });

  it('speaks Albanian, money and months by Intl, and fits 320 px', async function () {
    this.timeout(20_000);
    const page = await seed<ImpactPage>('mentorImpact', { name: 'Shoqata Besa' });
    const element = await openImpact(page, { lang: 'sq' });
    element.style.width = '320px';
    await untilText(element, 'Çfarë bënë dhuratat tuaja');
    expect(textOf(element)).to.contain('Sipas muajve').and.contain('Mesazhe falënderimi');
    const money = new Intl.NumberFormat(['sq', 'it'], { style: 'currency', currency: 'EUR' }).format(80).replace(/\s+/g, ' ');
    expect(textOf(element).replace(/\s+/g, ' ')).to.contain(money);
    const month = new Intl.DateTimeFormat(['sq', 'it'], { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(new Date());
    expect(rowsOf(element, 'months')[0]![0]).to.equal(month);
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
    await expect(element).to.be.accessible();
  });

  it("refuses a secret key typed in, and another organization's desk key, in words staff understand", async () => {
    const element = await openImpact(undefined);
    inside<HTMLInputElement>(element, '#desk-key')!.focus();
    await sendKeys({ type: 'sk_test_abcdefghijklmnopqrstuvwxyz012345' });
    await sendKeys({ press: 'Enter' });
    await untilText(element, 'This is a secret key: it must never be typed into a web page.');
    await waitUntil(() => focusedIn(element)?.id === 'desk-key', 'the focus did not go back to the key');
    const school = await seed<{ deskKey: string }>('referrerDesk');
    const field = inside<HTMLInputElement>(element, '#desk-key')!;
    field.value = school.deskKey;
    await sendKeys({ press: 'Enter' });
    await untilText(element, "This key is not a mentor's: this page opens with the mentor's desk key.");
    await expect(element).to.be.accessible();
  });
});
