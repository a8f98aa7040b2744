import { defineElement } from '../../internal/define.js';
import { MentoringMentorImpact } from './mentor-impact.component.js';

export { MentoringMentorImpact };

defineElement('mentoring-mentor-impact', MentoringMentorImpact);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-mentor-impact': MentoringMentorImpact;
  }
}
