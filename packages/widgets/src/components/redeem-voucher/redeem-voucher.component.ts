import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, request, type Offer, type Problem, type Redemption, type VoucherCheck } from '../../internal/api.js';
import { formatDate, formatMoney, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { baseStyles } from '../../internal/styles.js';
import { readVoucherCode, type CodeProblem } from './voucher-code.js';
import { redeemVoucherStyles } from './redeem-voucher.styles.js';
import { voucherProblemMessage } from './voucher-problems.js';

/** The most seats one booking takes, as the API allows (maxSeatsPerRedemption). */
const maxSeatsPerBooking = 10;

/** `detail` of `mentoring-redeemed`: the booking as the API confirmed it. */
export interface RedeemedDetail {
  redemption: Redemption;
}

type Step =
  | { name: 'loading' }
  | { name: 'unavailable'; problem: Problem | undefined }
  | { name: 'enter' }
  | { name: 'choose'; voucher: VoucherCheck }
  | { name: 'booked'; redemption: Redemption; voucher: VoucherCheck };

type Field = 'code' | 'pin';

/**
 * @tagname mentoring-redeem-voucher
 * @summary Spend a culture voucher on seats of an offer: code and PIN, then seats, then a booking with a QR code for the door.
 *
 * @fires mentoring-redeemed - The seats are booked and paid from the voucher; `detail.redemption` is the booking.
 * @fires mentoring-error - The API refused a step or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The widget's box.
 * @csspart offer - The offer's title, date, place and price.
 * @csspart form - The code and PIN form, and the seats form.
 * @csspart code-input - The voucher code field.
 * @csspart pin-input - The PIN field.
 * @csspart seats-input - The number of seats.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart booking - The confirmation: reference, QR code, what was paid and what is left.
 * @csspart reference - The booking reference.
 * @csspart qr - The QR code to show at the door.
 *
 * @cssprop --mentoring-font-family - Font of the widget; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour.
 * @cssprop --mentoring-color-accent - Buttons and links.
 * @cssprop --mentoring-color-on-accent - Text on buttons.
 * @cssprop --mentoring-color-error - Error messages and invalid fields.
 * @cssprop --mentoring-color-success - Confirmations.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringRedeemVoucher extends MentoringElement {
  static override styles = [baseStyles, redeemVoucherStyles];

  static override properties: PropertyDeclarations = {
    offer: {},
    step: { state: true, attribute: false },
    details: { state: true, attribute: false },
    busy: { state: true, attribute: false },
    problem: { state: true, attribute: false },
    invalid: { state: true, attribute: false },
    seats: { state: true, attribute: false },
    qr: { state: true, attribute: false },
  };

  /** The id of the offer to book: one of the key's own (from the circuit's operator, or `GET /v1/offers?provider_id=…`). */
  offer = '';

  private step: Step = { name: 'loading' };
  private details: Offer | undefined;
  private busy: 'checking' | 'booking' | undefined;
  private problem: Problem | undefined;
  private invalid: { field: Field; reason: CodeProblem | 'pin' | 'api' } | undefined;
  private seats = 1;
  private qr: { path: string; size: number } | undefined;

  #code = '';
  #pin = '';
  /** One key per booking intent: a retry after a lost answer cannot book twice. */
  #bookingKey: string | undefined;
  #moveFocus = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('offer')) void this.#loadOffer();
  }

  protected override updated(): void {
    if (!this.#moveFocus) return;
    this.#moveFocus = false;
    const field = this.invalid === undefined ? null : this.#input(this.invalid.field);
    (field ?? this.renderRoot.querySelector('h2'))?.focus();
  }

  protected override render(): TemplateResult {
    return html`<div class="root" part="base">
      ${this.details === undefined ? nothing : this.#renderOffer(this.details)} ${this.#renderStep()}
      <p part="message" class=${this.problem === undefined ? 'muted' : 'error'} id="message" role="status" aria-live="polite">
        ${this.#statusText()}
      </p>
    </div>`;
  }

  #renderStep(): TemplateResult | typeof nothing {
    switch (this.step.name) {
      case 'loading':
        return html`<p class="muted">${msg('Loading the event…')}</p>`;
      case 'unavailable':
        return this.#renderUnavailable(this.step.problem);
      case 'enter':
        return this.#renderEnter();
      case 'choose':
        return this.#renderChoose(this.step.voucher);
      case 'booked':
        return this.#renderBooked(this.step.redemption, this.step.voucher);
    }
  }

  #renderOffer(offer: Offer): TemplateResult {
    const locale = this.locale;
    return html`<div class="offer" part="offer">
      <h2 tabindex="-1">${localizedText(offer.title, locale)}</h2>
      <p>${formatDate(offer.starts_at, locale, { time: true })}${offer.venue === null ? '' : ` · ${offer.venue}`}</p>
      <p class="muted">
        ${msg(str`${formatMoney(offer.seat_price, offer.currency, locale)} a seat`)} ·
        ${plural(offer.seats_left, locale, {
          one: () => msg(str`${offer.seats_left} seat left for vouchers`),
          other: () => msg(str`${offer.seats_left} seats left for vouchers`),
        })}
      </p>
    </div>`;
  }

  #renderUnavailable(problem: Problem | undefined): TemplateResult | typeof nothing {
    const retry =
      problem?.code === 'network_error'
        ? html`<div class="actions"><button part="button" @click=${this.#loadOffer}>${msg('Try again')}</button></div>`
        : nothing;
    if (problem !== undefined) return html`<h2 tabindex="-1">${msg('Use a culture voucher')}</h2>${retry}`;
    return nothing;
  }

  #renderEnter(): TemplateResult {
    const invalid = this.invalid;
    const busy = this.busy !== undefined;
    return html`<form part="form" novalidate @submit=${this.#check}>
      <label for="code">${msg('Voucher code')}</label>
      <input
        id="code"
        part="code-input"
        class="code-input"
        name="code"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck="false"
        enterkeyhint="next"
        placeholder="MNT-XXXX-XXXX-XXXX-X"
        .value=${this.#code}
        aria-invalid=${String(invalid?.field === 'code')}
        aria-describedby=${invalid?.field === 'code' ? 'code-error' : 'code-hint'}
        @input=${(event: InputEvent) => (this.#code = (event.target as HTMLInputElement).value)}
        @change=${this.#tidyCode}
      />
      ${this.#fieldNote('code', msg('As printed on your card; spaces and dashes do not matter.'))}
      <label for="pin">${msg('PIN')}</label>
      <input
        id="pin"
        part="pin-input"
        class="pin-input"
        name="pin"
        type="password"
        inputmode="numeric"
        autocomplete="off"
        maxlength="6"
        enterkeyhint="go"
        .value=${this.#pin}
        aria-invalid=${String(invalid?.field === 'pin')}
        aria-describedby=${invalid?.field === 'pin' ? 'pin-error' : 'pin-hint'}
        @input=${(event: InputEvent) => (this.#pin = (event.target as HTMLInputElement).value)}
      />
      ${this.#fieldNote('pin', msg('The 4 to 6 digits that came with the code.'))}
      <div class="actions">
        <button part="button" type="submit" ?disabled=${busy}>${msg('Check my voucher')}</button>
        ${this.#retryButton('checking')}
      </div>
    </form>`;
  }

  #renderChoose(voucher: VoucherCheck): TemplateResult {
    const offer = this.details!;
    const locale = this.locale;
    const limit = this.#seatLimit(voucher, offer);
    const total = offer.seat_price * this.seats;
    return html`<form part="form" novalidate @submit=${this.#book}>
      <dl>
        <dt>${msg('On your voucher')}</dt>
        <dd>${formatMoney(voucher.available, voucher.currency, locale)}</dd>
        <dt>${msg('Valid until')}</dt>
        <dd>${formatDate(voucher.expires_at, locale)}</dd>
      </dl>
      ${limit === 0
        ? html`<p class="error">
            ${offer.seats_left === 0
              ? msg('Sold out: no seats for vouchers are left for this event.')
              : msg(
                  str`A seat costs ${formatMoney(offer.seat_price, offer.currency, locale)} and the voucher has ${formatMoney(voucher.available, voucher.currency, locale)} left: not enough for this event.`,
                )}
          </p>`
        : html`<label for="seats">${msg('Seats')}</label>
            <div class="seats">
              <button
                part="button"
                type="button"
                class="secondary"
                aria-label=${msg('One seat fewer')}
                aria-controls="seats"
                ?disabled=${this.seats <= 1 || this.busy !== undefined}
                @click=${() => this.#chooseSeats(this.seats - 1)}
              >
                −
              </button>
              <input
                id="seats"
                part="seats-input"
                type="number"
                inputmode="numeric"
                min="1"
                max=${limit}
                .value=${String(this.seats)}
                aria-describedby="seats-hint"
                @input=${(event: InputEvent) => this.#chooseSeats(Number((event.target as HTMLInputElement).value))}
              />
              <button
                part="button"
                type="button"
                class="secondary"
                aria-label=${msg('One seat more')}
                aria-controls="seats"
                ?disabled=${this.seats >= limit || this.busy !== undefined}
                @click=${() => this.#chooseSeats(this.seats + 1)}
              >
                +
              </button>
            </div>
            <p id="seats-hint" class="field-hint">
              ${plural(limit, locale, {
                one: () => msg(str`At most ${limit} seat with this voucher.`),
                other: () => msg(str`At most ${limit} seats with this voucher.`),
              })}
            </p>
            <p class="total">
              ${msg('Total')}: <strong>${formatMoney(total, offer.currency, locale)}</strong> ·
              ${msg(str`${formatMoney(voucher.available - total, voucher.currency, locale)} left afterwards`)}
            </p>`}
      <div class="actions">
        ${limit === 0
          ? nothing
          : html`<button part="button" type="submit" ?disabled=${this.busy !== undefined}>
              ${plural(this.seats, locale, {
                one: () => msg(str`Book ${this.seats} seat for ${formatMoney(total, offer.currency, locale)}`),
                other: () => msg(str`Book ${this.seats} seats for ${formatMoney(total, offer.currency, locale)}`),
              })}
            </button>`}
        ${this.#retryButton('booking')}
        <button part="button" type="button" class="secondary" ?disabled=${this.busy !== undefined} @click=${this.#startOver}>
          ${msg('Use another voucher')}
        </button>
      </div>
    </form>`;
  }

  #renderBooked(redemption: Redemption, voucher: VoucherCheck): TemplateResult {
    const locale = this.locale;
    const qr = this.qr;
    return html`<div part="booking" class="booking">
        <p class="success">
          ${plural(redemption.seats, locale, {
            one: () => msg(str`Booked: ${redemption.seats} seat.`),
            other: () => msg(str`Booked: ${redemption.seats} seats.`),
          })}
        </p>
        <p class="muted">${msg('Show this code at the door:')}</p>
        <p part="reference" class="reference">${redemption.booking_reference}</p>
        ${qr === undefined
          ? nothing
          : html`<svg
              part="qr"
              class="qr"
              role="img"
              aria-label=${msg(str`QR code of booking ${redemption.booking_reference}`)}
              viewBox="-4 -4 ${qr.size + 8} ${qr.size + 8}"
              shape-rendering="crispEdges"
            >
              <path fill="#000000" d=${qr.path}></path>
            </svg>`}
      </div>
      <dl>
        <dt>${msg('Paid from the voucher')}</dt>
        <dd>${formatMoney(redemption.amount, redemption.currency, locale)}</dd>
        <dt>${msg('Left on the voucher')}</dt>
        <dd>${formatMoney(redemption.voucher_available, redemption.currency, locale)}</dd>
        ${redemption.voucher_available > 0
          ? html`<dt>${msg('Valid until')}</dt>
              <dd>${formatDate(voucher.expires_at, locale)}</dd>`
          : nothing}
      </dl>
      <div class="actions">
        <button part="button" type="button" class="secondary" @click=${this.#startOver}>${msg('Use another voucher')}</button>
      </div>`;
  }

  /** The line under the form: what is happening, or what went wrong and what to do. */
  #statusText(): string {
    if (this.busy === 'checking') return msg('Checking your voucher…');
    if (this.busy === 'booking') return msg('Booking your seats…');
    if (this.problem !== undefined) return this.#problemText(this.problem);
    if (this.step.name === 'booked') return msg('Your seats are booked.');
    if (this.step.name === 'unavailable') return msg('Vouchers cannot be used for this event.');
    return '';
  }

  /** Under a field: its hint, or why it was refused (the field's aria-describedby points here). */
  #fieldNote(field: Field, hint: string): TemplateResult {
    return this.invalid?.field === field
      ? html`<p id="${field}-error" class="field-error">${this.#fieldError()}</p>`
      : html`<p id="${field}-hint" class="field-hint">${hint}</p>`;
  }

  #fieldError(): string {
    switch (this.invalid?.reason) {
      case 'incomplete':
        return msg('The code has 13 letters and digits after MNT. Check that none is missing.');
      case 'typo':
        return msg('This code has a typo: check each character against your card.');
      case 'pin':
        return msg('The PIN is 4 to 6 digits.');
      default:
        return this.problem === undefined ? '' : this.#problemText(this.problem);
    }
  }

  #problemText(problem: Problem): string {
    if (problem.code === 'not_found' && this.details !== undefined) return msg('No voucher has this code. Check it against your card.');
    return voucherProblemMessage(problem, this.locale);
  }

  #retryButton(action: 'checking' | 'booking'): TemplateResult | typeof nothing {
    if (this.problem?.code !== 'network_error' || this.busy !== undefined) return nothing;
    const retry = action === 'checking' ? this.#check : this.#book;
    return html`<button part="button" type="button" class="secondary" @click=${retry}>${msg('Try again')}</button>`;
  }

  async #loadOffer(): Promise<void> {
    this.problem = undefined;
    this.step = { name: 'loading' };
    if (this.offer === '') return;
    try {
      const offer = await request<Offer>(this.api, 'GET', `/v1/offers/${encodeURIComponent(this.offer)}`, { authorized: true });
      this.details = offer;
      if (Date.parse(offer.starts_at) <= Date.now()) {
        this.#fail({ code: 'conflict', status: 409 }, { name: 'unavailable', problem: undefined });
      } else if (offer.seats_left === 0) {
        this.#fail({ code: 'sold_out', status: 409, seats_left: 0 }, { name: 'unavailable', problem: undefined });
      } else {
        this.step = { name: 'enter' };
      }
    } catch (error) {
      const problem = problemOf(error);
      this.#fail(problem, { name: 'unavailable', problem });
    }
  }

  #tidyCode(): void {
    const read = readVoucherCode(this.#code);
    const input = this.#input('code');
    if ('code' in read && input !== null) {
      this.#code = read.code;
      input.value = read.code;
    }
  }

  async #check(event?: Event): Promise<void> {
    event?.preventDefault();
    if (this.busy !== undefined) return;
    const read = readVoucherCode(this.#code);
    this.problem = undefined;
    this.#moveFocus = true;
    if ('problem' in read) {
      this.invalid = { field: 'code', reason: read.problem };
      return;
    }
    this.#code = read.code;
    if (!/^\d{4,6}$/.test(this.#pin)) {
      this.invalid = { field: 'pin', reason: 'pin' };
      return;
    }
    this.invalid = undefined;
    this.busy = 'checking';
    try {
      const body = { code: this.#code, pin: this.#pin };
      const voucher = await request<VoucherCheck>(this.api, 'POST', '/v1/vouchers/check', { authorized: true, body });
      const restriction = restrictionFor(voucher, this.details!);
      if (restriction !== undefined) {
        this.#fail({ code: 'restriction_mismatch', status: 422, restriction });
      } else {
        this.seats = 1;
        this.#bookingKey = undefined;
        this.step = { name: 'choose', voucher };
      }
    } catch (error) {
      const problem = problemOf(error);
      if (problem.code === 'wrong_pin') {
        this.#pin = '';
        this.invalid = { field: 'pin', reason: 'api' };
      } else if (problem.code === 'not_found' || problem.code === 'invalid_request') {
        this.invalid = { field: 'code', reason: 'api' };
      }
      this.#fail(problem);
    } finally {
      this.busy = undefined;
    }
  }

  #chooseSeats(seats: number): void {
    if (this.step.name !== 'choose' || !Number.isInteger(seats)) return;
    const clamped = Math.min(Math.max(seats, 1), Math.max(this.#seatLimit(this.step.voucher, this.details!), 1));
    if (clamped !== this.seats) this.#bookingKey = undefined;
    this.seats = clamped;
  }

  async #book(event?: Event): Promise<void> {
    event?.preventDefault();
    if (this.step.name !== 'choose' || this.busy !== undefined) return;
    const voucher = this.step.voucher;
    this.problem = undefined;
    this.busy = 'booking';
    this.#bookingKey ??= crypto.randomUUID();
    try {
      // Captured at once: the seats are paid from the voucher as the person books them.
      const body = { code: this.#code, pin: this.#pin, offer_id: this.offer, seats: this.seats, capture: true };
      const redemption = await request<Redemption>(this.api, 'POST', '/v1/redemptions', { authorized: true, body, idempotencyKey: this.#bookingKey });
      this.#bookingKey = undefined;
      this.#pin = '';
      this.details = { ...this.details!, seats_left: this.details!.seats_left - redemption.seats };
      this.#moveFocus = true;
      this.step = { name: 'booked', redemption, voucher };
      this.emit<RedeemedDetail>('mentoring-redeemed', { redemption });
      void this.#drawQr(redemption.qr_payload);
    } catch (error) {
      const problem = problemOf(error);
      // What the refusal tells about the voucher and the offer now: the form shows what is still possible.
      if (problem.code === 'sold_out' && problem.seats_left !== undefined) {
        this.details = { ...this.details!, seats_left: problem.seats_left };
      } else if (problem.code === 'insufficient_funds' && problem.available !== undefined) {
        this.step = { name: 'choose', voucher: { ...voucher, available: problem.available } };
      }
      if (problem.code !== 'network_error') this.#bookingKey = undefined;
      const gone = ['voucher_locked', 'voucher_expired', 'wrong_pin', 'not_found', 'restriction_mismatch'];
      this.#fail(problem, gone.includes(problem.code) ? { name: 'enter' } : undefined);
      if (this.step.name === 'choose') this.#chooseSeats(this.seats);
    } finally {
      this.busy = undefined;
    }
  }

  async #drawQr(payload: string): Promise<void> {
    const { encodeQr, qrSvgPath } = await import('./qr-code.js');
    const code = encodeQr(payload);
    this.qr = { path: qrSvgPath(code), size: code.size };
  }

  #startOver(): void {
    this.#code = '';
    this.#pin = '';
    this.problem = undefined;
    this.invalid = undefined;
    this.qr = undefined;
    this.#moveFocus = true;
    this.step = { name: 'enter' };
  }

  #input(field: Field): HTMLInputElement | null {
    return this.renderRoot.querySelector(`#${field}`);
  }

  /** Shows `problem`, optionally moving to `step`, and tells the host page. */
  #fail(problem: Problem, step?: Step): void {
    this.problem = problem;
    if (step !== undefined) this.step = step;
    this.#moveFocus = true;
    this.reportProblem(problem);
  }

  /** Seats this voucher can pay for here: its balance, the seats left and the per-booking limit. */
  #seatLimit(voucher: VoucherCheck, offer: Offer): number {
    return Math.min(Math.floor(voucher.available / offer.seat_price), offer.seats_left, maxSeatsPerBooking);
  }
}

/** Which restriction of the voucher keeps it from paying for `offer`, checked in the server's order. */
function restrictionFor(voucher: VoucherCheck, offer: Offer): Problem['restriction'] {
  const { circuit_id, categories, offer_ids, provider_ids } = voucher.restrictions;
  if (circuit_id !== offer.circuit_id) return 'circuit';
  if (categories.length > 0 && !categories.includes(offer.category)) return 'category';
  if (offer_ids.length > 0 && !offer_ids.includes(offer.id)) return 'offer';
  if (provider_ids.length > 0 && !provider_ids.includes(offer.provider_id)) return 'provider';
  return undefined;
}
