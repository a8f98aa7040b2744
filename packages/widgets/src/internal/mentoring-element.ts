import { LitElement } from 'lit';

/** The base of every Mentoring element: what they all share and nothing more. */
export class MentoringElement extends LitElement {
  /**
   * Fires an event the host page can listen to anywhere above the element: it bubbles and
   * crosses shadow roots. Returns false when a listener called `preventDefault()`.
   */
  protected emit<Detail>(type: `mentoring-${string}`, detail: Detail, options: { cancelable?: boolean } = {}): boolean {
    const event = new CustomEvent<Detail>(type, {
      detail,
      bubbles: true,
      composed: true,
      cancelable: options.cancelable ?? false,
    });
    return this.dispatchEvent(event);
  }
}
