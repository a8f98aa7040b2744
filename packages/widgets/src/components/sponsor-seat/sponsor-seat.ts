import { defineElement } from '../../internal/define.js';
import { MentoringSponsorSeat, type SponsoredDetail } from './sponsor-seat.component.js';

export { MentoringSponsorSeat };

defineElement('mentoring-sponsor-seat', MentoringSponsorSeat);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-sponsor-seat': MentoringSponsorSeat;
  }
  interface HTMLElementEventMap {
    'mentoring-sponsored': CustomEvent<SponsoredDetail>;
  }
}
