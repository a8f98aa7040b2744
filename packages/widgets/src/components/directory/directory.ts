import { defineElement } from '../../internal/define.js';
import { MentoringDirectory } from './directory.component.js';

export { MentoringDirectory };

defineElement('mentoring-directory', MentoringDirectory);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-directory': MentoringDirectory;
  }
}
