import { defineElement } from '../../internal/define.js';
import { MentoringNeedsBoard } from './needs-board.component.js';

export { MentoringNeedsBoard };

defineElement('mentoring-needs-board', MentoringNeedsBoard);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-needs-board': MentoringNeedsBoard;
  }
}
