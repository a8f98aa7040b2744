import { expect, fixture, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ErrorDetail } from '../../internal/mentoring-element.js';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { MentoringDirectory } from './directory.js';
import './directory.js';

async function directoryWidget({ lang = 'en', more = 0, attributes = '', apiOrigin, circuitId }: { lang?: string; more?: number; attributes?: string; apiOrigin?: string; circuitId?: string } = {}) {
  const world = await testWorld();
  const circuit = circuitId ?? (await seed<{ circuitId: string }>('directory', { more })).circuitId;
  const wrapper = await fixture<HTMLDivElement>(
    `<div style="width: 320px"><mentoring-directory circuit="${circuit}" lang="${lang}" ${attributes}
      api-origin="${apiOrigin ?? world.apiOrigin}"></mentoring-directory></div>`,
  );
  return wrapper.querySelector('mentoring-directory')!;
}

const cardNames = (element: MentoringDirectory) => [...element.shadowRoot!.querySelectorAll('h3')].map((heading) => heading.textContent);

describe('<mentoring-directory>', () => {
  it("shows the circuit's public profiles only, each a card with what it chose to show, at 320 px", async () => {
    const element = await directoryWidget();
    await untilText(element, '4 organizations shown');
    expect(textOf(element)).to.contain('Who is who in the Vigevano circuit');
    expect(cardNames(element).sort()).to.deep.equal(['Istituto Comprensivo Vigevano', 'Pasticceria Colombo', 'Shoqata Besa', 'Teatro Cagnoni']);
    expect(textOf(element)).not.to.contain('Museo della Calzatura');
    const theatre = [...element.shadowRoot!.querySelectorAll('li')].find((card) => card.textContent!.includes('Teatro Cagnoni'))!;
    const text = theatre.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('Culture venue · Vigevano').and.contain("Vigevano's historic theatre.").and.contain('Theatre · Music');
    expect(text).to.contain('Speaks: Italian, English').and.contain('Corso Vittorio Emanuele II 45, Vigevano');
    const website = theatre.querySelector<HTMLAnchorElement>('a[target=_blank]')!;
    expect(website.href).to.equal('https://www.teatrocagnoni.it/');
    expect(website.rel).to.equal('noopener noreferrer');
    expect(website.textContent!.replace(/\s+/g, ' ').trim()).to.equal('Website of Teatro Cagnoni (opens in a new tab)');
    expect(theatre.querySelector<HTMLAnchorElement>('a[href^=mailto]')!.textContent).to.equal('biglietteria@teatrocagnoni.it');
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
    await expect(element).to.be.accessible();
  });

  it('filters by who, category and language from the keyboard, and says how many it shows', async () => {
    const element = await directoryWidget();
    await untilText(element, '4 organizations shown');
    inside<HTMLSelectElement>(element, '#kind')!.focus();
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'ArrowDown' });
    await untilText(element, '2 organizations shown');
    expect(cardNames(element).sort()).to.deep.equal(['Istituto Comprensivo Vigevano', 'Shoqata Besa']);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(focusedIn(element)?.id).to.equal('language');
    const albanian = [...inside<HTMLSelectElement>(element, '#language')!.options].findIndex((option) => option.value === 'sq');
    for (let step = 0; step < albanian; step++) await sendKeys({ press: 'ArrowDown' });
    await untilText(element, '1 organization shown');
    expect(cardNames(element)).to.deep.equal(['Shoqata Besa']);
    element.kind = '';
    element.language = '';
    element.category = 'theatre';
    await untilText(element, '2 organizations shown');
    expect(cardNames(element).sort()).to.deep.equal(['Pasticceria Colombo', 'Teatro Cagnoni']);
    expect(inside<HTMLSelectElement>(element, '#category')!.value).to.equal('theatre');
    await expect(element).to.be.accessible();
  });

  it('starts filtered by its attributes, and says so when no one matches', async () => {
    const element = await directoryWidget({ attributes: 'kind="mentor" language="uk"' });
    await untilText(element, 'No one matches these filters yet.');
    expect(inside<HTMLSelectElement>(element, '#kind')!.value).to.equal('mentor');
    // No public profile of the circuit speaks Ukrainian, yet the filter says it is on.
    expect(inside<HTMLSelectElement>(element, '#language')!.selectedOptions[0]!.textContent).to.equal('Ukrainian');
    await expect(element).to.be.accessible();
  });

  it('shows more on request and takes the focus to the first new card', async () => {
    const element = await directoryWidget({ more: 10 });
    await untilText(element, '12 organizations shown');
    const more = [...element.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent!.includes('Show more'))!;
    more.focus();
    await sendKeys({ press: 'Enter' });
    await untilText(element, '14 organizations shown');
    expect(focusedIn(element)?.textContent).to.equal(cardNames(element)[12]);
    expect(textOf(element)).not.to.contain('Show more');
  });

  it('speaks Italian and Albanian, descriptions in the language when there is one', async () => {
    const { circuitId } = await seed<{ circuitId: string }>('directory');
    const albanian = await directoryWidget({ lang: 'sq', circuitId });
    await untilText(albanian, 'Teatri historik i Vigevanos.');
    expect(textOf(albanian)).to.contain('Shoqata e diasporës shqiptare.').and.contain('4 organizata të shfaqura');
    await expect(albanian).to.be.accessible();
    const italian = await directoryWidget({ lang: 'it', circuitId });
    await untilText(italian, 'Il teatro storico di Vigevano.');
    expect(textOf(italian)).to.contain('Chi è chi nel circuito Vigevano').and.contain('Associazione della diaspora albanese.');
  });

  it('says what went wrong when the circuit does not exist or the server cannot be reached, and tries again', async () => {
    const missing = await directoryWidget({ circuitId: '0196f5b2-0000-7000-8000-000000000000' });
    await untilText(missing, 'Not found');
    const offline = await directoryWidget({ circuitId: '0196f5b2-0000-7000-8000-000000000000', apiOrigin: 'http://127.0.0.1:9' });
    await untilText(offline, 'No connection to Mentoring');
    const again = oneEvent(offline, 'mentoring-error');
    [...offline.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent!.includes('Try again'))!.click();
    expect(((await again) as CustomEvent<ErrorDetail>).detail.code).to.equal('network_error');
    await untilText(offline, 'No connection to Mentoring');
    await expect(offline).to.be.accessible();
  });
});
