import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import { focusedIn, inside, readQr, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { Voucher } from '../internal/desk-api.js';
import type { MentoringReferrerDesk } from './referrer-desk.js';
import './referrer-desk.js';

interface Office {
  referrerId: string;
  deskKey: string;
  poolId: string;
}

async function office(options: object = {}): Promise<Office> {
  return seed<Office>('referrerDesk', options);
}

/** The office's desk, open and done loading, in `lang` (English unless told). */
async function openDesk(office: Office, { lang = 'en' } = {}): Promise<MentoringReferrerDesk> {
  const world = await testWorld();
  const element = await fixture<MentoringReferrerDesk>(
    html`<mentoring-referrer-desk lang=${lang} api-origin=${world.apiOrigin} desk-key=${office.deskKey}></mentoring-referrer-desk>`,
  );
  // Open, and done loading: the allocation is shown and the buttons no longer wait.
  const loaded = () => inside(element, '[part=allocation] strong') !== null && inside<HTMLButtonElement>(element, '#add-heading ~ form button')?.disabled === false;
  await waitUntil(loaded, `the desk did not open: ${textOf(element)}`, { timeout: 5000 });
  return element;
}

function type(element: Element, selector: string, text: string): void {
  const input = inside<HTMLInputElement>(element, selector)!;
  input.value = text;
  input.dispatchEvent(new InputEvent('input'));
}

function choose(element: Element, selector: string, value: string): void {
  inside<HTMLSelectElement>(element, selector)!.value = value;
}

function click(element: Element, label: string): void {
  const button = [...element.shadowRoot!.querySelectorAll('button')].find(
    (candidate) => candidate.textContent!.replace(/\s+/g, ' ').includes(label) || candidate.getAttribute('aria-label') === label,
  );
  if (button === undefined) throw new Error(`no button "${label}" in: ${textOf(element)}`);
  button.click();
}

/** Adds class `name` of `size` pupils with the class form. */
async function addClass(element: MentoringReferrerDesk, name: string, size: number, language = 'it'): Promise<void> {
  type(element, '#class-name', name);
  type(element, '#class-size', String(size));
  choose(element, '#class-language', language);
  click(element, 'Add the class');
  await untilText(element, `${size} pupils selected`, 10_000);
}

async function issue(element: MentoringReferrerDesk, euros: string): Promise<Voucher[]> {
  type(element, '#amount', euros);
  const issued = oneEvent(element, 'mentoring-voucher-issued');
  inside<HTMLButtonElement>(element, '#issue-heading ~ form button[type=submit]')!.click();
  return ((await issued) as CustomEvent<{ vouchers: Voucher[] }>).detail.vouchers;
}

function cards(element: Element): HTMLElement[] {
  return [...element.shadowRoot!.querySelectorAll<HTMLElement>('article.card')];
}

describe('<mentoring-referrer-desk>', () => {
  it('lets a school secretary issue twenty vouchers for class 3B in one batch, within the allocation, and print their cards', async function () {
    this.timeout(30_000);
    const school = await office({ name: 'Liceo Cairoli', allocation: 120_000 });
    const element = await openDesk(school);
    expect(textOf(element)).to.contain('Vouchers office').and.contain('Liceo Cairoli').and.contain('€1,200.00');
    await expect(element).to.be.accessible();

    const created: string[] = [];
    element.addEventListener('mentoring-beneficiary-created', (event) => created.push(event.detail.beneficiary.reference!));
    await addClass(element, '3b', 20);
    expect(created).to.have.length(20);
    expect(created[0]).to.equal('3B-01');
    expect(created[19]).to.equal('3B-20');
    await waitUntil(() => focusedIn(element)?.id === 'issue-heading', 'the focus did not move to issuing');
    type(element, '#amount', '50');
    await untilText(element, 'Issue 20 vouchers · €1,000.00');
    await expect(element).to.be.accessible();

    const vouchers = await issue(element, '50');
    expect(vouchers).to.have.length(20);
    expect(vouchers.every((voucher) => voucher.amount === 5000 && !('code' in voucher) && !('pin' in voucher)), 'no code or PIN leaves the desk').to.equal(true);
    await untilText(element, '20 vouchers issued');
    expect(textOf(element)).to.contain('Print the cards now: their codes and PINs are shown only this once and cannot be shown again.');
    const printed = cards(element);
    expect(printed).to.have.length(20);
    const first = printed[0]!;
    expect(first.lang).to.equal('it');
    const code = first.querySelector('.card-code')!.textContent!;
    expect(code).to.match(/^MNT-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/);
    expect(first.querySelector('.card-reference')!.textContent).to.equal('3B-01');
    // The PIN comes after the fold line; the QR code holds the code alone.
    const parts = [...first.querySelectorAll('.card-code, .fold, .card-pin')].map((part) => part.className.split(' ')[0]);
    expect(parts).to.deep.equal(['card-code', 'fold', 'card-pin']);
    expect(first.querySelector('.card-pin')!.textContent).to.match(/^\d{4,6}$/);
    expect(await readQr(first.querySelector<SVGSVGElement>('svg.card-qr')!)).to.equal(code);
    await expect(element).to.be.accessible();

    click(element, 'Done: the cards are printed');
    await untilText(element, '€200.00');
    await waitUntil(() => focusedIn(element)?.id === 'issue-heading', 'the focus did not come back to issuing');
    expect(textOf(element)).to.contain('3B-07').and.contain('1 voucher · €50.00 left · €0.00 used');
  });

  it('prints the cards alone, one a page, with print styles of their own', async function () {
    this.timeout(20_000);
    const school = await office();
    const element = await openDesk(school);
    await addClass(element, '1A', 3);
    await issue(element, '20');
    await untilText(element, '3 vouchers issued');
    const rules = (sheets: readonly CSSStyleSheet[]) => sheets.flatMap((sheet) => [...sheet.cssRules].map((rule) => rule.cssText)).join('\n');
    const own = rules(element.shadowRoot!.adoptedStyleSheets);
    expect(own).to.match(/@media print \{[^]*\.card \{[^}]*break-after: page;/);
    expect(own).to.match(/@media print \{[^]*\.desk-header, #message, \.screen \{ display: none !important; \}/);
    expect(rules(document.adoptedStyleSheets)).to.contain('@media print').and.contain(':not(:has(mentoring-referrer-desk))');

    // With MENTORING_SCREENSHOTS set, the first page as printed goes to docs/screenshots (docs/widgets.md).
    const pdf = await executeServerCommand<{ pages: number }, { screenshot: string; shoot: [string, string] }>('print-pdf', {
      screenshot: 'voucher-card-print.png',
      shoot: ['mentoring-referrer-desk', 'article.card'],
    });
    expect(pdf.pages, 'one card a page').to.equal(3);

    click(element, 'Done: the cards are printed');
    await waitUntil(() => !rules(document.adoptedStyleSheets).includes('mentoring-referrer-desk'), 'the page kept printing the desk alone');
  });

  it('issues one voucher to an Albanian pupil: the desk speaks Italian, the card Albanian', async () => {
    const school = await office();
    const element = await openDesk(school, { lang: 'it' });
    expect(textOf(element)).to.contain('Ancora da emettere da Fondo generale del circuito:').and.not.contain('general pool');
    // Keyboard only: the reference, the age as it is, the language by its first letter, then Add.
    inside<HTMLInputElement>(element, '#reference')!.focus();
    await sendKeys({ type: '3B-07' });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('one-age');
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('one-language');
    await sendKeys({ type: 'S' });
    expect(inside<HTMLSelectElement>(element, '#one-language')!.value).to.equal('sq');
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await untilText(element, '3B-07 aggiunto e selezionato.');
    await waitUntil(() => focusedIn(element)?.id === 'reference', 'the focus did not go back to the reference');
    inside<HTMLInputElement>(element, '#amount')!.focus();
    await sendKeys({ type: '25,50' });
    const issued = oneEvent(element, 'mentoring-voucher-issued');
    await sendKeys({ press: 'Enter' });
    expect(((await issued) as CustomEvent<{ vouchers: Voucher[] }>).detail.vouchers[0]).to.include({ amount: 2550 });
    await untilText(element, '1 voucher emesso');
    await waitUntil(() => focusedIn(element)?.id === 'cards-heading', 'the focus did not move to the cards');
    const [card] = cards(element);
    expect(card!.lang).to.equal('sq');
    const text = card!.textContent!.replace(/\s+/g, ' ');
    // Albanian, or Italian where the browser has no Albanian data (internal/format.ts).
    const money = new Intl.NumberFormat(['sq', 'it'], { style: 'currency', currency: 'EUR' }).format(25.5).replace(/\s+/g, ' ');
    expect(text).to.contain('Kupon kulturor').and.contain(money).and.contain('PIN');
    const day = new Intl.DateTimeFormat(['sq', 'it'], { dateStyle: 'long', timeZone: 'Europe/Rome' }).format(new Date(`${new Date().getFullYear() + (new Date().getMonth() >= 8 ? 1 : 0)}-08-31T12:00:00Z`));
    expect(text).to.contain(day);
    expect(textOf(element)).to.contain('Stampa le tessere');
    await expect(element).to.be.accessible();
  });

  it('refuses more than the allocation has left before sending, and a reference that looks like a name', async () => {
    const school = await office({ allocation: 10_000 });
    const element = await openDesk(school);
    await addClass(element, '2C', 3);
    type(element, '#amount', '50');
    click(element, 'Issue 3 vouchers');
    await untilText(element, '€150.00 is more than your allocation has left: €100.00.');
    expect(inside(element, '#amount')!.getAttribute('aria-invalid')).to.equal('true');
    expect(cards(element)).to.have.length(0);

    type(element, '#reference', 'Mario Rossi');
    click(element, 'Add');
    await untilText(element, 'This reference looks like personal data');
    expect(inside(element, '#reference')!.getAttribute('aria-invalid')).to.equal('true');
    await expect(element).to.be.accessible();
  });

  it('shows what each beneficiary used, and unlocks a card locked by wrong PINs, keyboard only', async () => {
    const school = await office();
    await seed('officeVoucher', { deskKey: school.deskKey, reference: 'R-01', amount: 5000, spent: 1500 });
    const locked = await seed<{ voucherId: string }>('officeVoucher', { deskKey: school.deskKey, reference: 'R-02', locked: true });
    const element = await openDesk(school);
    const row = (reference: string) => [...element.shadowRoot!.querySelectorAll('.rows > li')].find((li) => li.textContent!.includes(reference))!;
    expect(row('R-01').textContent!.replace(/\s+/g, ' ')).to.contain('1 voucher · €35.00 left · €15.00 used');

    const toggle = row('R-02').querySelector<HTMLButtonElement>('button[aria-label="Vouchers of R-02"]')!;
    toggle.focus();
    await sendKeys({ press: 'Enter' });
    await untilText(element, 'Locked');
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    await expect(element).to.be.accessible();
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.textContent).to.contain('Unlock');
    const unlocked = oneEvent(element, 'mentoring-voucher-unlocked');
    await sendKeys({ press: 'Enter' });
    expect(((await unlocked) as CustomEvent<{ voucher: Voucher }>).detail.voucher).to.include({ id: locked.voucherId, locked: false });
    await untilText(element, 'unlocked: the beneficiary can type the PIN again.');
    expect(textOf(element)).to.not.contain('Locked');
  });

  it('checks the thank-you notes of its pupils: approves one, rejects another, keyboard only', async function () {
    this.timeout(20_000);
    const school = await office();
    await seed('officeNote', { deskKey: school.deskKey, reference: 'N-01', text: 'Grazie, bellissimo spettacolo!' });
    await seed('officeNote', { deskKey: school.deskKey, reference: 'N-02', text: 'Faleminderit shumë!', language: 'sq' });
    const element = await openDesk(school);
    await untilText(element, 'Thank-you notes to check');
    const quotes = () => [...element.shadowRoot!.querySelectorAll('[part=notes] blockquote')].map((quote) => quote.textContent);
    expect(quotes()).to.deep.equal(['Grazie, bellissimo spettacolo!', 'Faleminderit shumë!']);
    expect(inside<HTMLQuoteElement>(element, '[part=notes] li:nth-child(2) blockquote')!.lang).to.equal('sq');
    expect(textOf(element)).to.contain('The Mistress of the Inn · Teatro Cagnoni');
    await expect(element).to.be.accessible();

    inside<HTMLButtonElement>(element, 'button[aria-label="Approve: Grazie, bellissimo spettacolo!"]')!.focus();
    await sendKeys({ press: 'Enter' });
    await untilText(element, 'Note approved: its mentors will see it.');
    expect(quotes()).to.deep.equal(['Faleminderit shumë!']);
    await waitUntil(() => focusedIn(element)?.id === 'notes-heading', 'the focus did not go back to the notes');
    inside<HTMLButtonElement>(element, 'button[aria-label="Reject: Faleminderit shumë!"]')!.focus();
    await sendKeys({ press: 'Enter' });
    await untilText(element, 'Note rejected: nobody will see it.');
    expect(inside(element, '[part=notes]'), 'nothing left to check').to.equal(null);
  });

  it("prints the card of a pupil's path bonus: its code and PIN are made then, once", async () => {
    const { office: paths } = await seed<{ office: Office & { finisher: string } }>('paths');
    const element = await openDesk(paths);
    click(element, `Vouchers of ${paths.finisher}`);
    await untilText(element, 'Bonus for completing Music path: €20.00');
    expect(textOf(element)).to.contain('Path bonus');
    await expect(element).to.be.accessible();
    click(element, 'Print the bonus card for Music path');
    await untilText(element, 'Bonus voucher ready. Print its card now.');
    const card = inside(element, '[part=card]')!;
    // The card speaks the pupil's Albanian; its code opens the €20 bonus voucher.
    expect(card.getAttribute('lang')).to.equal('sq');
    expect(card.querySelector('.card-code')!.textContent).to.match(/^MNT-/);
    expect(card.querySelector('.card-pin')!.textContent).to.match(/^\d{6}$/);
    expect(focusedIn(element)?.id).to.equal('cards-heading');
    await expect(element).to.be.accessible();
    click(element, 'Done: the cards are printed');
    await untilText(element, '€20.00 left of €20.00');
    expect(textOf(element)).to.not.contain('Print the bonus card');
  });

  it('prints the same bonus card again when its answer was lost on the way', async () => {
    const { office: paths } = await seed<{ office: Office & { finisher: string } }>('paths');
    const element = await openDesk(paths);
    click(element, `Vouchers of ${paths.finisher}`);
    await untilText(element, 'Bonus for completing Music path: €20.00');
    // The card is made on the server; its answer never reaches the page.
    const original = window.fetch;
    let made: { code: string } | undefined;
    window.fetch = async (input, init) => {
      if (made !== undefined || !String(input).endsWith('/bonus-card')) return original(input, init);
      made = (await (await original(input, init)).json()) as { code: string };
      throw new TypeError('Failed to fetch');
    };
    try {
      click(element, 'Print the bonus card for Music path');
      await untilText(element, 'No connection');
      click(element, 'Print the bonus card for Music path');
      await untilText(element, 'Bonus voucher ready. Print its card now.');
      expect(inside(element, '[part=card] .card-code')!.textContent).to.equal(made!.code);
    } finally {
      window.fetch = original;
    }
  });

  it('works at 320 px in Albanian', async () => {
    const school = await office();
    await seed('officeVoucher', { deskKey: school.deskKey, reference: 'R-01' });
    const element = await openDesk(school, { lang: 'sq' });
    element.style.width = '320px';
    await untilText(element, 'Zyra e kuponëve');
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
    await expect(element).to.be.accessible();
  });
});
