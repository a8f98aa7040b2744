import { defineElement } from '../../internal/define.js';
import { MentoringSayThanks, type ThankedDetail } from './say-thanks.component.js';

export { MentoringSayThanks };

defineElement('mentoring-say-thanks', MentoringSayThanks);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-say-thanks': MentoringSayThanks;
  }
  interface HTMLElementEventMap {
    'mentoring-thanked': CustomEvent<ThankedDetail>;
  }
}
