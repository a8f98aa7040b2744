import { defineElement } from '../../internal/define.js';
import { MentoringProviderDesk, type DeskRedemptionDetail } from './provider-desk.component.js';

export { MentoringProviderDesk };

defineElement('mentoring-provider-desk', MentoringProviderDesk);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-provider-desk': MentoringProviderDesk;
  }
  interface HTMLElementEventMap {
    'mentoring-held': CustomEvent<DeskRedemptionDetail>;
    'mentoring-captured': CustomEvent<DeskRedemptionDetail>;
    'mentoring-voided': CustomEvent<DeskRedemptionDetail>;
    'mentoring-reversed': CustomEvent<DeskRedemptionDetail>;
  }
}
