import { defineElement } from '../../internal/define.js';
import { MentoringCircuitBadge } from './circuit-badge.component.js';

export { MentoringCircuitBadge };

defineElement('mentoring-circuit-badge', MentoringCircuitBadge);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-circuit-badge': MentoringCircuitBadge;
  }
}
