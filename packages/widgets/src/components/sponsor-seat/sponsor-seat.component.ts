import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, request, type NewSponsorship, type Problem, type PublicCampaign, type Sponsorship } from '../../internal/api.js';
import { formatDate, formatMoney, formatNumber, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { formProblemMessage } from '../../internal/form-problem-messages.js';
import { baseStyles } from '../../internal/styles.js';
import { sponsorSeatStyles } from './sponsor-seat.styles.js';

/** The most seats one gift funds here; larger gifts go through the circuit's operator. */
const maxSeatsPerGift = 100;

/** `detail` of `mentoring-sponsored`: the sponsorship as the API recorded it. */
export interface SponsoredDetail {
  sponsorship: Sponsorship;
}

type Field = 'seats' | 'amount' | 'name';

/**
 * @tagname mentoring-sponsor-seat
 * @summary "Sponsor a seat": a campaign's progress, and a mentor's gift of seats or an amount, paid through Mentoring.
 *
 * @fires mentoring-sponsored - The gift is recorded (paid, or waiting for a bank transfer); `detail.sponsorship` is it.
 * @fires mentoring-error - The API refused the gift or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The widget's box.
 * @csspart campaign - The campaign's title, offer and deadline.
 * @csspart progress - The progress bar of seats funded.
 * @csspart form - The gift form.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart receipt - The receipt reference in the thank-you.
 *
 * @cssprop --mentoring-font-family - Font of the widget; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour, and the empty part of the progress bar.
 * @cssprop --mentoring-color-accent - Buttons and the funded part of the progress bar.
 * @cssprop --mentoring-color-on-accent - Text on buttons.
 * @cssprop --mentoring-color-error - Error messages and invalid fields.
 * @cssprop --mentoring-color-success - Confirmations.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringSponsorSeat extends MentoringElement {
  static override styles = [baseStyles, sponsorSeatStyles];

  static override properties: PropertyDeclarations = {
    campaign: {},
    paymentProvider: { attribute: 'payment-provider' },
    paymentMethod: { attribute: 'payment-method' },
    details: { state: true, attribute: false },
    mode: { state: true, attribute: false },
    seats: { state: true, attribute: false },
    amount: { state: true, attribute: false },
    anonymous: { state: true, attribute: false },
    busy: { state: true, attribute: false },
    problem: { state: true, attribute: false },
    invalid: { state: true, attribute: false },
    sponsorship: { state: true, attribute: false },
  };

  /** The id of the campaign to fund. */
  campaign = '';

  /** The payment provider: `test` by default with test keys; `bank_transfer` where the operator offers it. */
  paymentProvider: string | undefined;

  /** Provider-specific payment method; with test keys, `test_fail` tries a declined payment. */
  paymentMethod: string | undefined;

  private details: PublicCampaign | undefined;
  private mode: 'seats' | 'amount' = 'seats';
  private seats = 1;
  private amount = '';
  private anonymous = false;
  private busy = false;
  private problem: Problem | undefined;
  private invalid: Field | undefined;
  private sponsorship: Sponsorship | undefined;

  #name = '';
  #message = '';
  /** One key per gift: a retry after a lost answer cannot pay twice. */
  #paymentKey: string | undefined;
  #moveFocus = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('campaign')) void this.#loadCampaign();
  }

  protected override updated(): void {
    if (!this.#moveFocus) return;
    this.#moveFocus = false;
    const field = this.invalid === undefined ? null : this.renderRoot.querySelector<HTMLElement>(`#${this.invalid}`);
    (field ?? this.renderRoot.querySelector('h2'))?.focus();
  }

  protected override render(): TemplateResult {
    const campaign = this.details;
    return html`<div class="root" part="base">
      ${campaign === undefined
        ? html`<h2 tabindex="-1">${msg('Sponsor a seat')}</h2>
            ${this.problem?.code === 'network_error' ? this.#retry(this.#loadCampaign) : nothing}`
        : html`${this.#renderCampaign(campaign)}
          ${this.sponsorship !== undefined
            ? this.#renderThanks(this.sponsorship)
            : Date.parse(campaign.deadline) <= Date.now()
              ? nothing
              : this.#renderForm(campaign)}`}
      <p part="message" id="message" class=${this.problem === undefined ? 'muted' : 'error'} role="status" aria-live="polite">
        ${this.#statusText()}
      </p>
    </div>`;
  }

  #renderCampaign(campaign: PublicCampaign): TemplateResult {
    const locale = this.locale;
    const offer = campaign.offer;
    const funded = Math.min(campaign.seats_funded, campaign.target_seats);
    return html`<div class="campaign" part="campaign">
      <h2 tabindex="-1">${localizedText(campaign.title, locale)}</h2>
      ${offer === null
        ? nothing
        : html`<p>${offer.provider_name} · ${formatDate(offer.starts_at, locale, { time: true })}${offer.venue === null ? '' : ` · ${offer.venue}`}</p>`}
      <p class="muted">${msg(str`${formatMoney(campaign.seat_price, campaign.currency, locale)} a seat`)}</p>
      <progress part="progress" id="progress" max=${campaign.target_seats} .value=${funded} aria-labelledby="progress-text"></progress>
      <p id="progress-text">
        ${msg(str`${formatNumber(campaign.seats_funded, locale)} of ${formatNumber(campaign.target_seats, locale)} seats funded`)} ·
        ${plural(campaign.sponsors_count, locale, {
          one: () => msg(str`${formatNumber(campaign.sponsors_count, locale)} mentor`),
          other: () => msg(str`${formatNumber(campaign.sponsors_count, locale)} mentors`),
        })}
      </p>
      <p class="muted">
        ${Date.parse(campaign.deadline) <= Date.now()
          ? msg(str`This campaign closed on ${formatDate(campaign.deadline, locale)}. Thank you to all its mentors.`)
          : msg(str`Open until ${formatDate(campaign.deadline, locale)}`)}
      </p>
      ${campaign.recent_sponsors.length === 0
        ? nothing
        : html`<ul class="sponsors" aria-label=${msg('Latest mentors')}>
            ${campaign.recent_sponsors.map(
              (sponsor) =>
                html`<li>
                  <strong>${sponsor.display_name}</strong> ·
                  ${plural(sponsor.seats, locale, {
                    one: () => msg(str`${sponsor.seats} seat`),
                    other: () => msg(str`${sponsor.seats} seats`),
                  })}${sponsor.message === null ? '' : html` · <q>${sponsor.message}</q>`}
                </li>`,
            )}
          </ul>`}
    </div>`;
  }

  #renderForm(campaign: PublicCampaign): TemplateResult {
    const locale = this.locale;
    const total = this.#total(campaign);
    return html`<form part="form" novalidate @submit=${this.#sponsor}>
      <fieldset>
        <legend>${msg('Your gift')}</legend>
        <label class="choice">
          <input type="radio" name="mode" value="seats" .checked=${this.mode === 'seats'} @change=${() => this.#choose('seats')} />
          ${msg('Seats')}
        </label>
        <label class="choice">
          <input type="radio" name="mode" value="amount" .checked=${this.mode === 'amount'} @change=${() => this.#choose('amount')} />
          ${msg('An amount of my choice')}
        </label>
      </fieldset>
      ${this.mode === 'seats'
        ? html`<label for="seats">${msg('How many seats?')}</label>
            <input
              id="seats"
              type="number"
              inputmode="numeric"
              min="1"
              max=${maxSeatsPerGift}
              class="amount"
              .value=${String(this.seats)}
              aria-invalid=${String(this.invalid === 'seats')}
              aria-describedby=${this.invalid === 'seats' ? 'seats-error' : 'seats-hint'}
              @input=${(event: InputEvent) => this.#changeGift(() => (this.seats = Number((event.target as HTMLInputElement).value)))}
            />
            ${this.#fieldNote('seats', msg(str`${formatMoney(campaign.seat_price, campaign.currency, locale)} each`))}`
        : html`<label for="amount">${msg(str`Amount (${campaign.currency})`)}</label>
            <input
              id="amount"
              inputmode="decimal"
              autocomplete="off"
              class="amount"
              .value=${this.amount}
              aria-invalid=${String(this.invalid === 'amount')}
              aria-describedby=${this.invalid === 'amount' ? 'amount-error' : 'amount-hint'}
              @input=${(event: InputEvent) => this.#changeGift(() => (this.amount = (event.target as HTMLInputElement).value))}
            />
            ${this.#fieldNote('amount', msg('At least 1. Every whole seat price funds one seat.'))}`}
      <label for="name">${msg('Your name, as thanked on this page')}</label>
      <input
        id="name"
        autocomplete="name"
        maxlength="100"
        .value=${this.#name}
        ?disabled=${this.anonymous}
        aria-invalid=${String(this.invalid === 'name')}
        aria-describedby=${this.invalid === 'name' ? 'name-error' : 'name-hint'}
        @input=${(event: InputEvent) => (this.#name = (event.target as HTMLInputElement).value)}
      />
      ${this.#fieldNote('name', msg('A person, a shop or a company.'))}
      <label class="choice">
        <input type="checkbox" .checked=${this.anonymous} @change=${(event: Event) => (this.anonymous = (event.target as HTMLInputElement).checked)} />
        ${msg('Stay anonymous')}
      </label>
      <label for="note">${msg('A message for the young people (optional)')}</label>
      <textarea id="note" maxlength="500" .value=${this.#message} @input=${(event: InputEvent) => (this.#message = (event.target as HTMLTextAreaElement).value)}></textarea>
      <div class="actions">
        <button part="button" type="submit" ?disabled=${this.busy || total === undefined}>
          ${total === undefined ? msg('Pay') : msg(str`Pay ${formatMoney(total, campaign.currency, locale)}`)}
        </button>
        ${this.problem?.code === 'network_error' && !this.busy ? this.#retry(this.#sponsor) : nothing}
      </div>
    </form>`;
  }

  #renderThanks(sponsorship: Sponsorship): TemplateResult {
    const locale = this.locale;
    const paid = formatMoney(sponsorship.amount, sponsorship.currency, locale);
    const instructions = sponsorship.payment_instructions;
    return html`<div>
      <p class="success">
        ${sponsorship.display_name === null ? msg('Thank you!') : msg(str`Thank you, ${sponsorship.display_name}!`)}
        ${sponsorship.seats === null
          ? msg(str`You gave ${paid}.`)
          : plural(sponsorship.seats, locale, {
              one: () => msg(str`You sponsored ${sponsorship.seats} seat (${paid}).`),
              other: () => msg(str`You sponsored ${sponsorship.seats} seats (${paid}).`),
            })}
      </p>
      <p>${msg('Receipt reference:')} <span part="receipt" class="receipt">${sponsorship.receipt_reference}</span></p>
      ${instructions === null
        ? nothing
        : html`<p>${msg('To complete your gift, make a bank transfer with these details:')}</p>
            <dl>
              ${instructions['iban'] === undefined ? nothing : html`<dt>IBAN</dt><dd>${instructions['iban']}</dd>`}
              ${instructions['account_holder'] === undefined
                ? nothing
                : html`<dt>${msg('Account holder')}</dt><dd>${instructions['account_holder']}</dd>`}
              <dt>${msg('Reference (causale)')}</dt>
              <dd>${instructions['reference'] ?? sponsorship.receipt_reference}</dd>
            </dl>`}
      <div class="actions">
        <button part="button" type="button" class="secondary" @click=${this.#again}>${msg('Sponsor more seats')}</button>
      </div>
    </div>`;
  }

  #fieldNote(field: Field, hint: string): TemplateResult {
    return this.invalid === field
      ? html`<p id="${field}-error" class="field-error">${this.#fieldError(field)}</p>`
      : html`<p id="${field}-hint" class="field-hint">${hint}</p>`;
  }

  #fieldError(field: Field): string {
    switch (field) {
      case 'seats':
        return msg(str`Choose from 1 to ${maxSeatsPerGift} seats.`);
      case 'amount':
        return msg('Write an amount of at least 1, such as 25 or 12.50.');
      case 'name':
        return msg('Write the name to thank, or choose to stay anonymous.');
    }
  }

  #retry(action: () => unknown): TemplateResult {
    return html`<button part="button" type="button" class="secondary" @click=${action}>${msg('Try again')}</button>`;
  }

  #statusText(): string {
    if (this.busy) return msg('Sending your gift…');
    if (this.problem !== undefined) return this.#problemText(this.problem);
    if (this.details === undefined) return msg('Loading the campaign…');
    if (this.sponsorship?.status === 'pending') return msg('Your gift is recorded: it counts once the transfer arrives.');
    if (this.sponsorship !== undefined) return msg('Your gift is paid and recorded.');
    return '';
  }

  #problemText(problem: Problem): string {
    if (problem.code === 'payment_failed') return msg('The payment was declined and nothing was charged. Try again, or use another payment method.');
    return formProblemMessage(problem);
  }

  /** The gift in cents, or undefined while the form does not say one. */
  #total(campaign: PublicCampaign): number | undefined {
    if (this.mode === 'seats') {
      return Number.isInteger(this.seats) && this.seats >= 1 && this.seats <= maxSeatsPerGift ? this.seats * campaign.seat_price : undefined;
    }
    // Either decimal mark: a person in Italy writes 12,50, elsewhere 12.50.
    const amount = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(this.amount);
    if (amount === null) return undefined;
    const cents = Number(amount[1]) * 100 + Number((amount[2] ?? '').padEnd(2, '0'));
    return cents >= 100 ? cents : undefined;
  }

  #choose(mode: 'seats' | 'amount'): void {
    this.#changeGift(() => (this.mode = mode));
  }

  /** A different gift is a different payment: it gets its own idempotency key. */
  #changeGift(change: () => void): void {
    change();
    this.#paymentKey = undefined;
    if (this.invalid === 'seats' || this.invalid === 'amount') this.invalid = undefined;
  }

  async #loadCampaign(fresh = false): Promise<void> {
    if (this.campaign === '') return;
    if (!fresh) this.problem = undefined;
    try {
      this.details = await request<PublicCampaign>(this.api, 'GET', `/v1/public/campaigns/${encodeURIComponent(this.campaign)}`, { fresh });
    } catch (error) {
      this.#fail(problemOf(error));
    }
  }

  async #sponsor(event?: Event): Promise<void> {
    event?.preventDefault();
    const campaign = this.details;
    if (campaign === undefined || this.busy) return;
    const name = this.#name.trim();
    const total = this.#total(campaign);
    this.problem = undefined;
    this.invalid = total === undefined ? this.mode : !this.anonymous && name === '' ? 'name' : undefined;
    if (this.invalid !== undefined) {
      this.#moveFocus = true;
      return;
    }
    const message = this.#message.trim();
    const gift: NewSponsorship = {
      campaign_id: campaign.id,
      ...(this.mode === 'seats' ? { seats: this.seats } : { amount: total! }),
      ...(this.anonymous ? { anonymous: true } : { anonymous: false, display_name: name }),
      ...(message === '' ? {} : { message }),
      ...(this.paymentProvider === undefined ? {} : { payment_provider: this.paymentProvider }),
      ...(this.paymentMethod === undefined ? {} : { payment_method: this.paymentMethod }),
    };
    this.busy = true;
    this.#paymentKey ??= crypto.randomUUID();
    try {
      const sponsorship = await request<Sponsorship>(this.api, 'POST', '/v1/sponsorships', { authorized: true, body: gift, idempotencyKey: this.#paymentKey });
      this.#paymentKey = undefined;
      this.sponsorship = sponsorship;
      this.#moveFocus = true;
      this.emit<SponsoredDetail>('mentoring-sponsored', { sponsorship });
      await this.#loadCampaign(true);
    } catch (error) {
      const problem = problemOf(error);
      // A declined payment is recorded as failed: trying again is a new payment.
      if (problem.code !== 'network_error') this.#paymentKey = undefined;
      this.#fail(problem);
      if (problem.code === 'conflict') await this.#loadCampaign(true);
    } finally {
      this.busy = false;
    }
  }

  #again(): void {
    this.sponsorship = undefined;
    this.problem = undefined;
    this.#moveFocus = true;
  }

  #fail(problem: Problem): void {
    this.problem = problem;
    this.#moveFocus = true;
    this.reportProblem(problem);
  }
}
