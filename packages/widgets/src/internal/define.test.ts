import { expect } from '@open-wc/testing';
import { defineElement } from './define.js';
import { captureConsole } from './testing.js';

describe('defineElement', () => {
  it('defines a tag the page does not have yet', () => {
    class First extends HTMLElement {}
    defineElement('mentoring-define-fresh', First);
    expect(customElements.get('mentoring-define-fresh')).to.equal(First);
  });

  it('does nothing, quietly, when the same script defines the same tag again', async () => {
    class Same extends HTMLElement {}
    defineElement('mentoring-define-same', Same);
    const warnings = await captureConsole('warn', () => defineElement('mentoring-define-same', Same));
    expect(warnings).to.deep.equal([]);
  });

  it('keeps the first definition and warns, instead of throwing, when another version brings its own', async () => {
    class Older extends HTMLElement {}
    class Newer extends HTMLElement {}
    defineElement('mentoring-define-twice', Older);
    const warnings = await captureConsole('warn', () => defineElement('mentoring-define-twice', Newer));
    expect(customElements.get('mentoring-define-twice')).to.equal(Older);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('<mentoring-define-twice> is already defined');
  });
});
