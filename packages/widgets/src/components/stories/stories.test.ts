import { expect, fixture, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { ErrorDetail } from '../../internal/mentoring-element.js';
import { focusedIn, inside, seed, testWorld, textOf, untilText } from '../../internal/testing.js';
import type { MentoringStories } from './stories.js';
import './stories.js';

async function storiesWidget({ lang = 'en', approved = 2, apiOrigin, circuitId }: { lang?: string; approved?: number; apiOrigin?: string; circuitId?: string } = {}) {
  const world = await testWorld();
  const circuit = circuitId ?? (await seed<{ circuitId: string }>('stories', { approved })).circuitId;
  const wrapper = await fixture<HTMLDivElement>(
    `<div style="width: 320px"><mentoring-stories circuit="${circuit}" lang="${lang}" api-origin="${apiOrigin ?? world.apiOrigin}"></mentoring-stories></div>`,
  );
  return wrapper.querySelector('mentoring-stories')!;
}

const titles = (element: MentoringStories) => [...element.shadowRoot!.querySelectorAll('h3')].map((heading) => heading.textContent);

describe('<mentoring-stories>', () => {
  it('shows the published stories newest first, with their photo, text and numbers, at 320 px', async () => {
    const element = await storiesWidget();
    await untilText(element, 'A first night at the opera');
    expect(titles(element)).to.deep.equal(['Storia 2', 'A first night at the opera']);
    expect(textOf(element)).not.to.contain('In attesa di approvazione');
    const photo = inside<HTMLImageElement>(element, 'img')!;
    expect(photo.getAttribute('loading')).to.equal('lazy');
    expect([photo.getAttribute('width'), photo.getAttribute('height')]).to.deep.equal(['480', '320']);
    expect(photo.alt).to.equal('The stage with its red curtain open');
    photo.scrollIntoView();
    await photo.decode();
    expect(photo.naturalWidth).to.equal(480);
    const card = photo.closest('li')!;
    expect(card.textContent!.replace(/\s+/g, ' ')).to.contain('Teatro Fraschini').and.contain('Thirty pupils saw their first opera.');
    expect(card.querySelectorAll('p').length, 'one paragraph per line of the story').to.be.at.least(3);
    expect(card.querySelector('[part=numbers]')!.textContent!.replace(/\s+/g, ' ')).to.contain('0 seats taken with culture vouchers').and.contain('0 offers in the circuit');
    const school = element.shadowRoot!.querySelectorAll('li.story')[0]!;
    expect(school.textContent!.replace(/\s+/g, ' ')).to.contain('0 vouchers issued');
    expect(school.textContent!.replace(/\s+/g, ' '), 'no line for paths while none is completed').not.to.contain('completed');
    expect(photo.getBoundingClientRect().width).to.be.at.most(320);
    expect(photo.getBoundingClientRect().height / photo.getBoundingClientRect().width).to.be.closeTo(320 / 480, 0.02);
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
    await expect(element).to.be.accessible();
  });

  it('reserves the photo\'s room before it loads: no layout shift', async () => {
    const element = await storiesWidget({ approved: 1 });
    await untilText(element, 'A first night at the opera');
    const photo = inside<HTMLImageElement>(element, 'img')!;
    expect(photo.getBoundingClientRect().height).to.be.greaterThan(100);
  });

  it('speaks Italian and Albanian', async () => {
    const { circuitId } = await seed<{ circuitId: string }>('stories', { approved: 1 });
    const albanian = await storiesWidget({ lang: 'sq', circuitId });
    await untilText(albanian, 'Nata e parë në opera');
    expect(textOf(albanian)).to.contain('Histori të praktikave të mira').and.contain('Tridhjetë nxënës panë operën e tyre të parë.');
    expect(inside<HTMLImageElement>(albanian, 'img')!.alt).to.equal('Skena me perden e kuqe të hapur');
    await expect(albanian).to.be.accessible();
    const italian = await storiesWidget({ lang: 'it', circuitId });
    await untilText(italian, 'La prima volta all’opera');
    expect(textOf(italian)).to.contain('Storie di buone pratiche').and.contain('0 posti usati con i voucher cultura');
  });

  it('shows more on request, from the keyboard, and takes the focus to the first new story', async () => {
    const element = await storiesWidget({ approved: 13 });
    await untilText(element, 'Storia 13');
    expect(titles(element)).to.have.length(12);
    const more = [...element.shadowRoot!.querySelectorAll('button')].find((button) => button.textContent!.includes('Show more'))!;
    more.focus();
    await sendKeys({ press: 'Enter' });
    await untilText(element, 'A first night at the opera');
    expect(titles(element)).to.have.length(13);
    expect(focusedIn(element)?.textContent).to.equal('A first night at the opera');
  });

  it('says when there are no stories yet, and what went wrong when the server cannot be reached', async () => {
    const empty = await storiesWidget({ approved: 0 });
    await untilText(empty, 'No stories yet');
    await expect(empty).to.be.accessible();
    const failed = oneEvent(document.body, 'mentoring-error');
    const offline = await storiesWidget({ circuitId: '0196f5b2-0000-7000-8000-000000000000', apiOrigin: 'http://127.0.0.1:9' });
    expect(((await failed) as CustomEvent<ErrorDetail>).detail.code).to.equal('network_error');
    await untilText(offline, 'No connection to Mentoring');
    expect(textOf(offline)).to.contain('Try again');
  });
});
