import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, request, type LocalizedText, type Page, type PublicNeed } from '../../internal/api.js';
import { formatDate, formatMoney, formatNumber } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { baseStyles } from '../../internal/styles.js';
import { Gift, GiftElement, maxSeatsPerGift, retryButton } from '../sponsor-seat/gift.js';
import { sponsorSeatStyles } from '../sponsor-seat/sponsor-seat.styles.js';
import { needText } from './need-text.js';
import { needsBoardStyles } from './needs-board.styles.js';

/**
 * @tagname mentoring-needs-board
 * @summary The needs board of a circuit: what schools and associations need for their groups, and a visitor's adoption of one, in full or in part.
 *
 * @fires mentoring-sponsored - The adoption is recorded (paid, or waiting for a bank transfer); `detail.sponsorship` is it, with its `need_id`.
 * @fires mentoring-error - The API refused the adoption or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The widget's box.
 * @csspart need - Each need: title, who asks, category, progress, deadline.
 * @csspart progress - A need's progress bar.
 * @csspart form - The adoption form.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart receipt - The receipt reference in the thank-you.
 *
 * @cssprop --mentoring-font-family - Font of the widget; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour, and the empty part of the progress bars.
 * @cssprop --mentoring-color-accent - Buttons and the funded part of the progress bars.
 * @cssprop --mentoring-color-on-accent - Text on buttons.
 * @cssprop --mentoring-color-error - Error messages and invalid fields.
 * @cssprop --mentoring-color-success - Confirmations.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringNeedsBoard extends GiftElement {
  static override styles = [baseStyles, sponsorSeatStyles, needsBoardStyles];

  static override properties: PropertyDeclarations = {
    circuit: {},
    needs: { state: true, attribute: false },
    chosen: { state: true, attribute: false },
  };

  /** The id of the circuit whose open needs are shown. */
  circuit = '';

  private needs: PublicNeed[] | undefined;
  private chosen: PublicNeed | undefined;
  readonly #gift = new Gift(this, '#chosen');
  /** Where the focus goes back to when the visitor returns to the list. */
  #returnTo: string | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('circuit')) void this.#load();
  }

  protected override updated(): void {
    if (this.#returnTo === undefined) return;
    this.renderRoot.querySelector<HTMLElement>(`[data-need="${this.#returnTo}"]`)?.focus();
    this.#returnTo = undefined;
  }

  protected override render(): TemplateResult {
    const gift = this.#gift;
    return html`<div class="root" part="base">
      ${this.chosen === undefined ? this.#renderBoard() : this.#renderChosen(this.chosen)}
      <p part="message" id="message" class=${gift.problem === undefined ? 'muted' : 'error'} role="status" aria-live="polite">
        ${gift.statusText(this.needs === undefined ? msg('Loading the needs…') : '')}
      </p>
    </div>`;
  }

  #renderBoard(): TemplateResult {
    const needs = this.needs;
    return html`<h2 tabindex="-1">${msg('Needs to adopt')}</h2>
      ${needs === undefined
        ? this.#gift.problem?.code === 'network_error'
          ? retryButton(() => this.#load())
          : nothing
        : needs.length === 0
          ? html`<p>${msg('No open needs right now. Thank you to everyone who adopted one!')}</p>`
          : html`<p class="muted">${msg('Schools and associations ask for what their groups need. Adopt a need in full or in part.')}</p>
              <ul class="needs">
                ${needs.map(
                  (need) =>
                    html`<li class="need" part="need">
                      ${this.#renderNeed(need, html`<h3 id="title-${need.id}">${this.#text(need.title)}</h3>`)}
                      <div class="actions">
                        <button part="button" type="button" data-need=${need.id} aria-describedby="title-${need.id}" @click=${() => this.#choose(need)}>
                          ${msg('Adopt this need')}
                        </button>
                      </div>
                    </li>`,
                )}
              </ul>`}`;
  }

  #renderNeed(need: PublicNeed, title: TemplateResult): TemplateResult {
    const locale = this.locale;
    const money = (cents: number) => formatMoney(cents, need.currency, locale);
    const offer = need.offer;
    const description = need.description === null ? '' : this.#text(need.description);
    return html`${title}
      <p class="muted">${need.referrer_name} · ${this.#text(need.category.name)}</p>
      ${offer === null
        ? nothing
        : html`<p>${this.#text(offer.title)} · ${offer.provider_name} · ${formatDate(offer.starts_at, locale, { time: true })}</p>`}
      ${description === '' ? nothing : html`<p>${description}</p>`}
      <progress part="progress" max=${need.amount} .value=${Math.min(need.funded_amount, need.amount)} aria-label=${msg('Funded')}></progress>
      <p>
        ${msg(str`${money(need.funded_amount)} of ${money(need.amount)} given`)} ·
        ${msg(str`${formatNumber(need.seats_funded, locale)} of ${formatNumber(need.seats, locale)} seats`)} ·
        ${plural(need.adoptions_count, locale, {
          one: () => msg(str`${formatNumber(need.adoptions_count, locale)} adoption`),
          other: () => msg(str`${formatNumber(need.adoptions_count, locale)} adoptions`),
        })}
        ${need.pending_amount > 0 ? html` · ${msg(str`${money(need.pending_amount)} promised, waiting for a bank transfer`)}` : nothing}
      </p>
      <p class="muted">${msg(str`Open until ${formatDate(need.deadline, locale)}`)}</p>`;
  }

  #renderChosen(need: PublicNeed): TemplateResult {
    const gift = this.#gift;
    const seatsLeft = Math.min(maxSeatsPerGift, Math.floor(need.open_amount / need.seat_price));
    const open = need.status === 'open' && need.open_amount > 0;
    return html`<div class="back">
        <button part="button" type="button" class="secondary" @click=${this.#back}>${msg('All needs')}</button>
      </div>
      <div part="need">${this.#renderNeed(need, html`<h2 id="chosen" tabindex="-1">${this.#text(need.title)}</h2>`)}</div>
      ${gift.sponsorship !== undefined
        ? gift.renderThanks(msg('Adopt another need'), this.#back)
        : open
          ? gift.renderForm(
              { target: { need_id: need.id }, seatPrice: need.seat_price, currency: need.currency, maxAmount: need.open_amount },
              {
                amountHint: msg(str`Up to ${formatMoney(need.open_amount, need.currency, this.locale)} is left to adopt.`),
                maxSeats: seatsLeft,
              },
            )
          : need.status === 'open'
            ? html`<p>${msg('The rest of this need is promised by gifts waiting for their bank transfer. If a transfer does not come within 10 days, its part opens again.')}</p>`
            : html`<p>${msg('This need takes no more adoptions: it is funded or closed. Thank you!')}</p>`}`;
  }

  #text(text: Partial<LocalizedText>): string {
    return needText(text, this.locale);
  }

  #choose(need: PublicNeed): void {
    this.chosen = need;
    this.#gift.startOver();
  }

  #back = (): void => {
    this.#returnTo = this.chosen?.id;
    this.chosen = undefined;
    this.#gift.problem = undefined;
    this.#gift.sponsorship = undefined;
    // The need is gone from the board once funded: the board's heading gets the focus then.
    if (this.needs?.some((need) => need.id === this.#returnTo) !== true) {
      this.#returnTo = undefined;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('h2')?.focus());
    }
  };

  async #load(fresh = false): Promise<void> {
    if (this.circuit === '') return;
    if (!fresh) this.#gift.problem = undefined;
    try {
      const board = await request<Page<PublicNeed>>(this.api, 'GET', `/v1/public/needs?circuit=${encodeURIComponent(this.circuit)}&limit=100`, {
        fresh,
      });
      this.needs = board.data;
      if (this.chosen !== undefined) {
        const chosen = this.chosen;
        // Funded by this adoption, it leaves the board: shown as funded until the visitor goes back.
        this.chosen = board.data.find((need) => need.id === chosen.id) ?? {
            ...chosen,
            status: 'funded',
            funded_amount: chosen.amount,
            seats_funded: chosen.seats,
            adoptions_count: chosen.adoptions_count + 1,
            open_amount: 0,
          };
      }
    } catch (error) {
      const problem = problemOf(error);
      this.#gift.show(problem);
      this.reportProblem(problem);
    }
  }

  protected override refresh(): Promise<void> {
    return this.#load(true);
  }
}
