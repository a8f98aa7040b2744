import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { MentoringElement } from './mentoring-element.js';
import { defineElement } from './define.js';

/** A minimal element that reports a click from inside its shadow root, as real widgets report a booking. */
class ClickReporter extends MentoringElement {
  override render() {
    return html`<button @click=${() => this.emit('mentoring-clicked', { seats: 2 })}>Book</button>`;
  }
}
defineElement('mentoring-click-reporter', ClickReporter);

describe('MentoringElement.emit', () => {
  it('reaches a listener on the host page, outside the shadow root, with its detail', async () => {
    const wrapper = await fixture<HTMLDivElement>(html`<div><mentoring-click-reporter></mentoring-click-reporter></div>`);
    const reporter = wrapper.querySelector('mentoring-click-reporter')!;
    const heard = oneEvent(wrapper, 'mentoring-clicked');
    reporter.shadowRoot!.querySelector('button')!.click();
    const event = (await heard) as CustomEvent<{ seats: number }>;
    expect(event.detail).to.deep.equal({ seats: 2 });
    expect(event.bubbles).to.equal(true);
    expect(event.composed).to.equal(true);
    expect(event.target).to.equal(reporter);
  });
});
