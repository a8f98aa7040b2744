import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { problemOf, request, type Problem, type Redemption } from '../../internal/api.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { baseStyles } from '../../internal/styles.js';
import { sayThanksStyles } from './say-thanks.styles.js';
import { thanksProblemMessage } from './thanks-problems.js';

/** A note is a line or two on a phone, as the API allows (maxNoteLength). */
const maxNoteLength = 280;

/** `detail` of `mentoring-thanked`: the note, waiting for the school to check it. */
export interface ThankedDetail {
  note: { id: string; status: 'pending' };
}

type Field = 'text' | 'code' | 'pin';

/**
 * @tagname mentoring-say-thanks
 * @summary After a booking paid by a voucher, a short anonymous thank-you note to the mentors who paid for the seat. It appears once `<mentoring-redeem-voucher>` on the same page has booked (or with a `booking` reference); the card's code and PIN prove the booking; the school checks the note before the mentors see it.
 *
 * @fires mentoring-thanked - The note was sent; `detail.note` (pending until the school approves it).
 * @fires mentoring-error - The API refused the note or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The form's box.
 * @csspart button - The send button.
 * @csspart message - The status and error line (a live region).
 *
 * @cssprop --mentoring-font-family - Font; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour.
 * @cssprop --mentoring-color-accent - The button.
 * @cssprop --mentoring-color-on-accent - Text on the button.
 * @cssprop --mentoring-color-error - Error messages and invalid fields.
 * @cssprop --mentoring-color-success - The confirmation.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringSayThanks extends MentoringElement {
  static override styles = [baseStyles, sayThanksStyles];

  static override properties: PropertyDeclarations = {
    ...MentoringElement.properties,
    booking: {},
    sent: { state: true, attribute: false },
    busy: { state: true, attribute: false },
    problem: { state: true, attribute: false },
    invalid: { state: true, attribute: false },
    left: { state: true, attribute: false },
  };

  /** The booking reference (`BK-…`) to thank for; by default the booking `<mentoring-redeem-voucher>` just made on the page. */
  booking: string | undefined;

  private sent = false;
  private busy = false;
  private problem: Problem | undefined;
  private invalid: { field: Field; text: () => string } | undefined;
  /** Characters the note may still take. */
  private left = maxNoteLength;

  /** One key per note: a retry after a lost answer does not send it twice. */
  #idempotencyKey = crypto.randomUUID();

  readonly #onRedeemed = (event: CustomEvent<{ redemption: Redemption }>): void => {
    this.booking = event.detail.redemption.booking_reference;
    this.sent = false;
    this.problem = undefined;
    this.#idempotencyKey = crypto.randomUUID();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('mentoring-redeemed', this.#onRedeemed as EventListener);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('mentoring-redeemed', this.#onRedeemed as EventListener);
  }

  protected override render(): TemplateResult | typeof nothing {
    if (this.booking === undefined) return nothing;
    const invalid = this.invalid?.field;
    return html`<div class="root" part="base">
      <h2 id="heading" tabindex="-1">${msg('Say thanks')}</h2>
      ${this.sent
        ? nothing
        : html`<form novalidate @submit=${this.#send}>
            <p>${msg(str`Your seat (booking ${this.booking}) was paid for by a mentor: a local shop, a business or a foundation. Leave them a short note.`)}</p>
            <label for="text">${msg('Your note')}</label>
            <textarea
              id="text"
              maxlength=${maxNoteLength}
              aria-describedby="text-hint text-left"
              aria-invalid=${String(invalid === 'text')}
              @input=${(event: InputEvent) => (this.left = maxNoteLength - (event.target as HTMLTextAreaElement).value.length)}
            ></textarea>
            <p id="text-hint" class="field-hint">${msg('No names, phone numbers or emails: the note stays anonymous, and your school reads it first.')}</p>
            <p id="text-left" class="field-hint">${msg(str`${this.left} characters left`)}</p>
            <label for="code">${msg('Code of the card you used')}</label>
            <input id="code" autocomplete="off" autocapitalize="characters" spellcheck="false" aria-describedby="proof-hint" aria-invalid=${String(invalid === 'code')} />
            <label for="pin">${msg('PIN')}</label>
            <input id="pin" class="pin" type="password" inputmode="numeric" autocomplete="off" aria-describedby="proof-hint" aria-invalid=${String(invalid === 'pin')} />
            <p id="proof-hint" class="field-hint">${msg('They prove the booking is yours; nobody sees them with your note.')}</p>
            <div class="actions"><button part="button" type="submit" ?disabled=${this.busy}>${msg('Send thanks')}</button></div>
          </form>`}
      <p part="message" id="message" tabindex="-1" role="status" aria-live="polite" class=${this.sent ? 'success' : this.problem !== undefined || this.invalid !== undefined ? 'error' : 'muted'}>
        ${this.sent
          ? msg('Thank you! Your note will reach them once your school has read it.')
          : (this.invalid?.text() ?? (this.problem === undefined ? '' : thanksProblemMessage(this.problem, this.locale)))}
      </p>
    </div>`;
  }

  async #send(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    const value = (id: Field) => this.renderRoot.querySelector<HTMLInputElement | HTMLTextAreaElement>(`#${id}`)!.value.trim();
    const [text, code, pin] = [value('text'), value('code'), value('pin')];
    this.problem = undefined;
    if (text === '') return this.#refuse('text', () => msg('Write a few words first.'));
    if (code === '') return this.#refuse('code', () => msg('Type the code of your card, such as MNT-7K3Q-9XPA-W2DC-8.'));
    if (!/^\d{4,6}$/.test(pin)) return this.#refuse('pin', () => msg('The PIN is 4 to 6 digits, on your card.'));
    this.invalid = undefined;
    this.busy = true;
    try {
      const note = await request<ThankedDetail['note']>(this.api, 'POST', '/v1/thanks', {
        authorized: true,
        body: { booking_reference: this.booking, code, pin, text },
        idempotencyKey: this.#idempotencyKey,
      });
      this.sent = true;
      this.emit<ThankedDetail>('mentoring-thanked', { note: { id: note.id, status: note.status } });
    } catch (error) {
      this.problem = problemOf(error);
      if (this.problem.code !== 'network_error') this.#idempotencyKey = crypto.randomUUID();
      this.reportProblem(this.problem);
      const path = this.problem.errors?.[0]?.path;
      const field = this.problem.code === 'wrong_pin' ? 'pin' : path === 'text' || path === 'code' || path === 'pin' ? path : undefined;
      if (field !== undefined) this.invalid = { field, text: () => thanksProblemMessage(this.problem!, this.locale) };
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(this.invalid === undefined ? '#message' : `#${this.invalid.field}`)?.focus();
  }

  #refuse(field: Field, text: () => string): void {
    this.invalid = { field, text };
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#${field}`)?.focus());
  }
}
