import { defineElement } from '../../internal/define.js';
import { MentoringStories } from './stories.component.js';

export { MentoringStories };

defineElement('mentoring-stories', MentoringStories);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-stories': MentoringStories;
  }
}
