import { expect, fixture, html } from '@open-wc/testing';
import '../components/redeem-voucher/redeem-voucher.js';
import { inside, seed, testWorld, untilText } from './testing.js';

describe('isolation and theming', () => {
  let hostile: HTMLStyleElement;
  beforeEach(() => {
    hostile = document.createElement('style');
    hostile.textContent = '* { font: 30px serif !important; box-sizing: content-box } button { display: none }';
    document.head.append(hostile);
  });
  afterEach(() => hostile.remove());

  it("a hostile page stylesheet neither reaches inside nor is changed by the widget, at 320 px", async () => {
    const world = await testWorld();
    const { offerId } = await seed<{ offerId: string }>('redemption', { voucher: false });
    const page = await fixture<HTMLDivElement>(html`<div style="width: 320px">
      <button id="page-button">page</button>
      <mentoring-redeem-voucher offer=${offerId} lang="en" api-origin=${world.apiOrigin} publishable-key=${world.publishableKey}></mentoring-redeem-voucher>
    </div>`);
    const element = page.querySelector('mentoring-redeem-voucher')!;
    await untilText(element, 'Check my voucher');
    const button = getComputedStyle(inside(element, 'button[type=submit]')!);
    expect(button.display).to.not.equal('none');
    expect(button.fontSize).to.equal('16px');
    expect(button.fontFamily).to.match(/^system-ui/);
    expect(getComputedStyle(inside(element, '#code')!).boxSizing).to.equal('border-box');
    expect(getComputedStyle(page.querySelector('#page-button')!).display).to.equal('none');
    expect(element.getBoundingClientRect().width).to.equal(320);
    expect(inside(element, '.root')!.scrollWidth, 'nothing wider than 320 px').to.be.at.most(320);
  });

  it('takes its colours from --mentoring-* custom properties, for dark pages', async () => {
    const world = await testWorld();
    const { offerId } = await seed<{ offerId: string }>('redemption', { voucher: false });
    const element = await fixture(html`<mentoring-redeem-voucher
      offer=${offerId}
      lang="en"
      api-origin=${world.apiOrigin}
      publishable-key=${world.publishableKey}
      style="--mentoring-color-surface: #161b26; --mentoring-color-text: #e6e9ef; --mentoring-color-accent: #8ab4ff; --mentoring-color-on-accent: #0b1220; --mentoring-color-muted: #b4bccb; --mentoring-color-border: #3a4254"
    ></mentoring-redeem-voucher>`);
    await untilText(element, 'Check my voucher');
    const root = getComputedStyle(inside(element, '.root')!);
    expect([root.backgroundColor, root.color]).to.deep.equal(['rgb(22, 27, 38)', 'rgb(230, 233, 239)']);
    expect(getComputedStyle(inside(element, 'button[type=submit]')!).backgroundColor).to.equal('rgb(138, 180, 255)');
    await expect(element).to.be.accessible();
  });
});
