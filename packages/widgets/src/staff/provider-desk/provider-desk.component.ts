import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { request } from '../../internal/api.js';
import { formatDate, formatMoney, formatTime, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { baseStyles } from '../../internal/styles.js';
import { fetchFile, listAll, type DeskRedemption, type RedemptionWithBalance, type Offer, type Organization, type Settlement } from '../internal/desk-api.js';
import { DeskElement } from '../internal/desk-element.js';
import { deskStyles } from '../internal/desk-styles.js';
import { canScan, scanQrCode } from './camera-scanner.js';
import { counterProblemMessage, type CounterProblem } from './counter-problems.js';
import { providerDeskStyles } from './provider-desk.styles.js';
import { readScanned } from './scanned-code.js';

/** The most seats one booking takes, as the API allows (maxSeatsPerRedemption). */
const maxSeatsPerBooking = 10;

/** `detail` of the box office's events: the booking as the API answered it. */
export interface DeskRedemptionDetail {
  redemption: DeskRedemption;
}

/** What the counter is doing: reading a code, a voucher (PIN, event, seats), a hold to confirm, a booking found. */
type Counter =
  | { name: 'enter' }
  | { name: 'camera' }
  | { name: 'voucher'; code: string }
  | { name: 'held'; hold: RedemptionWithBalance }
  | { name: 'booking'; redemption: DeskRedemption & { voucher_available?: number } };

type Field = 'scan' | 'pin' | 'seats';

/**
 * @tagname mentoring-provider-desk
 * @summary Staff only: a box office's desk. Scan or type a voucher card or a booking, check a voucher (holding the seats) then confirm, today's bookings, cancellations within the window, settlement statements as CSV.
 *
 * @fires mentoring-held - A voucher was checked and seats are held for 15 minutes; `detail.redemption` is the hold.
 * @fires mentoring-captured - A hold was confirmed: the seats are paid from the voucher; `detail.redemption`.
 * @fires mentoring-voided - A hold was released: seats and money went back; `detail.redemption`.
 * @fires mentoring-reversed - A confirmed booking was cancelled within the cancellation window; `detail.redemption`.
 * @fires mentoring-error - The API refused a step or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The desk's box.
 * @csspart organization - The box office's name.
 * @csspart form - Every form.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart camera - The camera's picture while scanning.
 * @csspart hold - A voucher's held seats, to confirm or release.
 * @csspart booking - A booking found by its code.
 * @csspart today - Today's bookings.
 * @csspart statements - The settlement statements.
 *
 * @cssprop --mentoring-font-family - Font of the desk; the system font by default.
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
export class MentoringProviderDesk extends DeskElement {
  static override styles = [baseStyles, deskStyles, providerDeskStyles];

  static override properties: PropertyDeclarations = {
    ...DeskElement.properties,
    counter: { state: true, attribute: false },
    invalid: { state: true, attribute: false },
    offers: { state: true, attribute: false },
    today: { state: true, attribute: false },
    settlements: { state: true, attribute: false },
    cancelling: { state: true, attribute: false },
  };

  protected readonly deskKind = 'provider';

  private counter: Counter = { name: 'enter' };
  private invalid: Field | undefined;
  /** The box office's offers, all of them: the upcoming ones to choose, every one to name its bookings. */
  private offers: Offer[] = [];
  /** Today's bookings, newest first. */
  private today: DeskRedemption[] = [];
  private settlements: Settlement[] = [];
  /** The booking whose cancellation is asked and not yet confirmed (it cannot be undone), and where it was asked. */
  private cancelling: { id: string; where: 'counter' | 'today' } | undefined;

  /** The camera's scan, stopped by "Stop the camera" or by leaving the desk. */
  #scan: AbortController | undefined;
  /** One key per check at the counter (the same voucher, PIN, event and seats): a retry after a lost answer holds the seats once. */
  #holdIntent: { body: string; key: string } | undefined;

  /** The next midnight, when today's list starts again: a box office's desk may stay open for days. */
  #nextDay: ReturnType<typeof setTimeout> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#startDayAtMidnight();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#scan?.abort();
    clearTimeout(this.#nextDay);
  }

  protected deskTitle(): string {
    return msg('Box office');
  }

  protected wrongKindText(): string {
    return msg("This key is not a box office's: the box office opens with its theatre's or museum's desk key.");
  }

  protected override problemText(problem: CounterProblem): string {
    return counterProblemMessage(problem, this.locale);
  }

  protected async opened(): Promise<void> {
    const organization = this.organization!;
    const [offers] = await Promise.all([
      listAll<Offer>(this.api, `/v1/offers?provider_id=${organization.id}`),
      this.#loadToday(),
      this.#loadSettlements(),
    ]);
    this.offers = offers;
  }

  protected renderDesk(_organization: Organization): TemplateResult {
    return html`<section aria-labelledby="counter-heading">
        <h3 id="counter-heading">${msg('Counter')}</h3>
        ${this.#renderCounter()}
      </section>
      <section aria-labelledby="today-heading" part="today">
        <h3 id="today-heading">${msg('Today')}</h3>
        ${this.#renderToday()}
      </section>
      <section aria-labelledby="statements-heading" part="statements">
        <h3 id="statements-heading">${msg('Statements')}</h3>
        ${this.#renderStatements()}
      </section>`;
  }

  #renderCounter(): TemplateResult {
    const counter = this.counter;
    switch (counter.name) {
      case 'enter':
        return this.#renderEnter();
      case 'camera':
        return html`<div class="camera">
          <video part="camera" muted playsinline aria-label=${msg('Camera')}></video>
          <p class="field-hint">${msg('Hold the QR code of the card or of the booking in front of the camera.')}</p>
          <div class="actions">
            <button part="button" type="button" class="secondary" @click=${this.#stopCamera}>${msg('Stop the camera')}</button>
          </div>
        </div>`;
      case 'voucher':
        return this.#renderVoucher(counter.code);
      case 'held':
        return this.#renderHold(counter.hold);
      case 'booking':
        return this.#renderBooking(counter.redemption);
    }
  }

  #renderEnter(): TemplateResult {
    return html`<form part="form" novalidate @submit=${this.#lookUp}>
      <label for="scan">${msg('Voucher code or booking')}</label>
      <input
        id="scan"
        name="scan"
        class="code"
        autocomplete="off"
        autocapitalize="characters"
        spellcheck="false"
        placeholder="MNT-… / BK-…"
        aria-describedby=${this.invalid === 'scan' ? 'message' : 'scan-hint'}
        aria-invalid=${String(this.invalid === 'scan')}
      />
      <p id="scan-hint" class="field-hint">${msg('The code on the voucher card, or the reference of a booking; or scan its QR code.')}</p>
      <div class="actions">
        <button part="button" type="submit" ?disabled=${this.busy}>${msg('Continue')}</button>
        ${canScan()
          ? html`<button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${this.#startCamera}>
              ${msg('Scan with the camera')}
            </button>`
          : nothing}
      </div>
    </form>`;
  }

  #renderVoucher(code: string): TemplateResult {
    const locale = this.locale;
    const now = Date.now();
    const upcoming = this.offers.filter((offer) => Date.parse(offer.starts_at) > now).sort((a, b) => a.starts_at.localeCompare(b.starts_at));
    return html`<form part="form" novalidate @submit=${this.#hold}>
      <p>${msg('Voucher')} <strong class="code">${code}</strong></p>
      <label for="pin">${msg('PIN')}</label>
      <input
        id="pin"
        name="pin"
        class="pin"
        type="password"
        inputmode="numeric"
        autocomplete="off"
        maxlength="6"
        aria-describedby=${this.invalid === 'pin' ? 'message' : 'pin-hint'}
        aria-invalid=${String(this.invalid === 'pin')}
      />
      <p id="pin-hint" class="field-hint">${msg('The beneficiary types the 4 to 6 digits of the card.')}</p>
      ${upcoming.length === 0
        ? html`<p class="error">${msg('No upcoming events of this box office take vouchers.')}</p>`
        : html`<label for="offer">${msg('Event')}</label>
          <select id="offer" name="offer">
            ${upcoming.map(
              (offer) => html`<option value=${offer.id}>
                ${localizedText(offer.title, locale)} · ${formatDate(offer.starts_at, locale, { time: true })} ·
                ${formatMoney(offer.seat_price, offer.currency, locale)} ·
                ${plural(offer.seats_left, locale, {
                  one: () => msg(str`${offer.seats_left} seat left`),
                  other: () => msg(str`${offer.seats_left} seats left`),
                })}
              </option>`,
            )}
          </select>`}
      <label for="seats">${msg('Seats')}</label>
      <input
        id="seats"
        name="seats"
        type="number"
        inputmode="numeric"
        min="1"
        max=${maxSeatsPerBooking}
        value="1"
        aria-describedby=${this.invalid === 'seats' ? 'message' : nothing}
        aria-invalid=${String(this.invalid === 'seats')}
      />
      <div class="actions">
        <button part="button" type="submit" ?disabled=${this.busy || upcoming.length === 0}>${msg('Check')}</button>
        <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${this.#startOver}>${msg('Another code')}</button>
      </div>
    </form>`;
  }

  #renderHold(hold: RedemptionWithBalance): TemplateResult {
    const locale = this.locale;
    return html`<div part="hold" class="hold">
      <p class="success">
        ${plural(hold.seats, locale, {
          one: () => msg(str`Voucher valid: ${hold.seats} seat held for ${formatMoney(hold.amount, hold.currency, locale)}.`),
          other: () => msg(str`Voucher valid: ${hold.seats} seats held for ${formatMoney(hold.amount, hold.currency, locale)}.`),
        })}
      </p>
      <dl>
        <dt>${msg('Event')}</dt>
        <dd>${this.#offerTitle(hold.offer_id)}</dd>
        <dt>${msg('Left on the voucher')}</dt>
        <dd>${formatMoney(hold.voucher_available, hold.currency, locale)}</dd>
        <dt>${msg('Held until')}</dt>
        <dd>${formatTime(hold.hold_expires_at, locale)}</dd>
      </dl>
      <form part="form" novalidate @submit=${(event: Event) => this.#confirm(event, hold)}>
        <label for="capture-seats">${msg('Seats to confirm')}</label>
        <input id="capture-seats" name="seats" type="number" inputmode="numeric" min="1" max=${hold.seats} value=${hold.seats} aria-describedby="capture-hint" />
        <p id="capture-hint" class="field-hint">${msg('Fewer if not everyone came: the rest goes back to the voucher.')}</p>
        <div class="actions">
          <button part="button" type="submit" ?disabled=${this.busy}>${msg('Confirm')}</button>
          <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.#resolve(hold, 'void')}>
            ${msg('Release the seats')}
          </button>
        </div>
      </form>
    </div>`;
  }

  /** `voucher_available`: what the voucher has left, answered when the desk confirmed, released or cancelled it (not by a lookup). */
  #renderBooking(redemption: DeskRedemption & { voucher_available?: number }): TemplateResult {
    const locale = this.locale;
    const { seats, amount } = standing(redemption);
    return html`<div part="booking" class="booking">
      <p class="reference code" tabindex="-1">${redemption.booking_reference}</p>
      <p>${this.#statusBadge(redemption)}</p>
      <dl>
        <dt>${msg('Event')}</dt>
        <dd>${this.#offerTitle(redemption.offer_id)}</dd>
        <dt>${msg('Seats')}</dt>
        <dd>${seats}</dd>
        <dt>${msg('Amount')}</dt>
        <dd>${formatMoney(amount, redemption.currency, locale)}</dd>
        ${redemption.voucher_available === undefined
          ? nothing
          : html`<dt>${msg('Left on the voucher')}</dt>
              <dd>${formatMoney(redemption.voucher_available, redemption.currency, locale)}</dd>`}
      </dl>
      <div class="actions">
        ${this.#actions(redemption, 'counter')}
        <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${this.#startOver}>${msg('Next')}</button>
      </div>
    </div>`;
  }

  #renderToday(): TemplateResult {
    return html`${this.today.length === 0
        ? html`<p class="muted">${msg('No bookings yet today.')}</p>`
        : html`<ul class="rows" aria-labelledby="today-heading">
            ${this.today.map((redemption) => this.#renderTodayRow(redemption))}
          </ul>`}
      <div class="actions">
        <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${() => this.attempt(() => this.#loadToday())}>
          ${msg('Refresh')}
        </button>
      </div>`;
  }

  #renderTodayRow(redemption: DeskRedemption): TemplateResult {
    const locale = this.locale;
    const { seats, amount } = standing(redemption);
    return html`<li>
      <div class="grow">
        <p>
          <strong class="code">${redemption.booking_reference}</strong> · ${formatTime(redemption.created_at, locale)} ·
          ${this.#statusBadge(redemption)}
        </p>
        <p class="muted">
          ${this.#offerTitle(redemption.offer_id)} ·
          ${plural(seats, locale, {
            one: () => msg(str`${seats} seat`),
            other: () => msg(str`${seats} seats`),
          })}
          · ${formatMoney(amount, redemption.currency, locale)}
        </p>
      </div>
      <div class="actions">${this.#actions(redemption, 'today')}</div>
    </li>`;
  }

  #renderStatements(): TemplateResult {
    const locale = this.locale;
    if (this.settlements.length === 0) return html`<p class="muted">${msg('No settlements yet.')}</p>`;
    return html`<ul class="rows" aria-labelledby="statements-heading">
      ${this.settlements.map(
        (settlement) => html`<li>
          <p class="grow">
            ${msg(str`Until ${formatDate(settlement.period_end, locale)}`)}: <strong>${formatMoney(settlement.amount, settlement.currency, locale)}</strong> ·
            ${plural(settlement.redemptions, locale, {
              one: () => msg(str`${settlement.redemptions} booking`),
              other: () => msg(str`${settlement.redemptions} bookings`),
            })}
          </p>
          <button
            part="button"
            type="button"
            class="secondary"
            ?disabled=${this.busy}
            aria-label=${msg(str`Download CSV of the statement until ${formatDate(settlement.period_end, locale)}`)}
            @click=${() => this.#download(settlement)}
          >
            ${msg('Download CSV')}
          </button>
        </li>`,
      )}
    </ul>`;
  }

  /** What can be done with a booking now: confirm or release a hold, cancel a confirmed booking within its window. */
  /** `where`: the counter's booking panel or today's list, which may show the same booking. */
  #actions(redemption: DeskRedemption, where: 'counter' | 'today'): TemplateResult | typeof nothing {
    const reference = redemption.booking_reference;
    if (redemption.status === 'held') {
      return html`<button part="button" type="button" ?disabled=${this.busy} aria-label=${msg(str`Confirm ${reference}`)} @click=${() => this.#resolve(redemption, 'capture')}>
          ${msg('Confirm')}
        </button>
        <button part="button" type="button" class="secondary" ?disabled=${this.busy} aria-label=${msg(str`Release ${reference}`)} @click=${() => this.#resolve(redemption, 'void')}>
          ${msg('Release')}
        </button>`;
    }
    if (redemption.status !== 'captured') return nothing;
    if (Date.parse(redemption.reversible_until) <= Date.now()) {
      return html`<span class="muted">${msg(str`Could be cancelled until ${formatDate(redemption.reversible_until, this.locale, { time: true })}`)}</span>`;
    }
    if (this.cancelling?.id === redemption.id && this.cancelling.where === where) {
      return html`<span class="confirm-cancel" tabindex="-1">${msg(str`Cancel ${reference}? The seats go back on sale and the money to the voucher.`)}</span>
        <button part="button" type="button" ?disabled=${this.busy} aria-label=${msg(str`Yes, cancel ${reference}`)} @click=${() => this.#resolve(redemption, 'reverse')}>
          ${msg('Yes, cancel')}
        </button>
        <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${() => (this.cancelling = undefined)}>${msg('Keep it')}</button>`;
    }
    // A cancellation cannot be undone: the first press asks, the second cancels.
    return html`<button
      part="button"
      type="button"
      class="secondary"
      ?disabled=${this.busy}
      aria-label=${msg(str`Cancel booking ${reference}`)}
      @click=${() => {
        this.cancelling = { id: redemption.id, where };
        this.focusLater(where === 'counter' ? '.booking .confirm-cancel' : '[part=today] .confirm-cancel');
      }}
    >
      ${msg('Cancel booking')}
    </button>`;
  }

  #statusBadge(redemption: DeskRedemption): TemplateResult {
    // A booking cancelled in part (through the API) still admits its other seats at the door.
    const stillValid = validSeats(redemption);
    if (redemption.status === 'reversed' && stillValid > 0) {
      return html`<span class="status status-captured">${plural(stillValid, this.locale, {
        one: () => msg(str`Partly cancelled: ${stillValid} seat still valid`),
        other: () => msg(str`Partly cancelled: ${stillValid} seats still valid`),
      })}</span>`;
    }
    const text = {
      held: () => msg('Held, to confirm'),
      captured: () => msg('Confirmed'),
      voided: () => msg('Released'),
      expired: () => msg('Hold timed out'),
      reversed: () => msg('Cancelled'),
    }[redemption.status];
    return html`<span class="status status-${redemption.status}">${text()}</span>`;
  }

  #offerTitle(offerId: string): string {
    const offer = this.offers.find((candidate) => candidate.id === offerId);
    return offer === undefined ? '' : `${localizedText(offer.title, this.locale)}, ${formatDate(offer.starts_at, this.locale, { time: true })}`;
  }

  /** A code typed or scanned: a booking is looked up, a voucher's PIN and seats asked. */
  async #lookUp(event?: Event): Promise<void> {
    event?.preventDefault();
    await this.#read(this.renderRoot.querySelector<HTMLInputElement>('#scan')?.value ?? '');
  }

  async #read(text: string): Promise<void> {
    const scanned = readScanned(text);
    if ('problem' in scanned) {
      this.invalid = 'scan';
      this.counter = { name: 'enter' };
      this.tell('error', () =>
        scanned.problem === 'typo'
          ? msg('This code has a typo: check each character against the card.')
          : msg('A voucher code is MNT and 13 letters and digits; a booking is BK and 10. Check that none is missing.'),
      );
      this.focusLater('#scan');
      return;
    }
    this.invalid = undefined;
    this.notice = undefined;
    if ('code' in scanned) {
      this.counter = { name: 'voucher', code: scanned.code };
      this.focusLater('#pin');
      return;
    }
    const found = await this.attempt(
      () => request<{ data: DeskRedemption[] }>(this.api, 'GET', `/v1/redemptions?booking_reference=${scanned.booking}`, { authorized: true, fresh: true }),
      '#scan',
    );
    if (found === undefined) return;
    const [redemption] = found.data;
    if (redemption === undefined) {
      this.invalid = 'scan';
      this.fail({ code: 'not_found', status: 404 }, '#scan');
      return;
    }
    this.counter = { name: 'booking', redemption };
    this.focusLater('.booking .reference');
  }

  async #startCamera(): Promise<void> {
    this.#scan?.abort();
    const scan = (this.#scan = new AbortController());
    this.notice = undefined;
    this.problem = undefined;
    this.counter = { name: 'camera' };
    await this.updateComplete;
    const video = this.renderRoot.querySelector('video')!;
    try {
      const text = await scanQrCode(video, scan.signal);
      if (text !== undefined) await this.#read(text);
    } catch (error) {
      if (scan.signal.aborted) return;
      this.counter = { name: 'enter' };
      const refused = error instanceof DOMException && (error.name === 'NotAllowedError' || error.name === 'SecurityError');
      this.tell('error', () =>
        refused ? msg('The camera was not allowed. Type the code instead, or allow the camera for this page.') : msg('No camera could be started. Type the code instead.'),
      );
      this.focusLater('#scan');
    }
  }

  #stopCamera(): void {
    this.#scan?.abort();
    this.counter = { name: 'enter' };
    this.focusLater('#scan');
  }

  /** Step one at the counter: checks code, PIN, expiry, restrictions, balance and seats, and holds them. */
  async #hold(event: Event): Promise<void> {
    event.preventDefault();
    if (this.counter.name !== 'voucher') return;
    const code = this.counter.code;
    const field = <T extends HTMLElement>(id: string) => this.renderRoot.querySelector<T>(`#${id}`)!;
    const pin = field<HTMLInputElement>('pin').value;
    const seats = Number(field<HTMLInputElement>('seats').value);
    const offerId = field<HTMLSelectElement>('offer').value;
    if (!/^\d{4,6}$/.test(pin)) return this.#refuseField('pin', () => msg('The PIN is 4 to 6 digits.'));
    if (!Number.isInteger(seats) || seats < 1 || seats > maxSeatsPerBooking) {
      return this.#refuseField('seats', () => msg(str`From 1 to ${maxSeatsPerBooking} seats.`));
    }
    this.invalid = undefined;
    const body = { code, pin, offer_id: offerId, seats, capture: false };
    if (this.#holdIntent?.body !== JSON.stringify(body)) this.#holdIntent = { body: JSON.stringify(body), key: crypto.randomUUID() };
    const idempotencyKey = this.#holdIntent.key;
    const hold = await this.attempt(() => request<RedemptionWithBalance>(this.api, 'POST', '/v1/redemptions', { authorized: true, body, idempotencyKey }), '#pin');
    if (hold === undefined) {
      if (!this.answerMayStillCome()) this.#holdIntent = undefined;
      const refused = this.problem?.code;
      if (refused === 'wrong_pin') this.invalid = 'pin';
      // Where the answer is changed: fewer seats for the money or the seats left.
      if (refused === 'insufficient_funds' || refused === 'sold_out') {
        this.invalid = 'seats';
        this.focusLater('#seats');
      }
      return;
    }
    this.#holdIntent = undefined;
    this.counter = { name: 'held', hold };
    this.#remember(hold);
    this.tell('muted', () => msg('Seats held for 15 minutes: confirm once the beneficiary agrees, or release them.'));
    this.focusLater('#capture-seats');
    this.emit<DeskRedemptionDetail>('mentoring-held', { redemption: hold });
  }

  /** Step two: confirms the hold for the seats used (fewer gives the rest back). */
  async #confirm(event: Event, hold: RedemptionWithBalance): Promise<void> {
    event.preventDefault();
    const seats = Number(this.renderRoot.querySelector<HTMLInputElement>('#capture-seats')!.value);
    if (!Number.isInteger(seats) || seats < 1 || seats > hold.seats) {
      this.tell('error', () => msg(str`From 1 to ${hold.seats} seats.`));
      this.focusLater('#capture-seats');
      return;
    }
    await this.#resolve(hold, 'capture', seats);
  }

  /** Confirms (capture), releases (void) or cancels (reverse) a booking, wherever the desk shows it. */
  async #resolve(redemption: DeskRedemption, step: 'capture' | 'void' | 'reverse', seats?: number): Promise<void> {
    const body = step === 'void' ? undefined : seats === undefined ? {} : { seats };
    const done = await this.attempt(() =>
      request<RedemptionWithBalance>(this.api, 'POST', `/v1/redemptions/${redemption.id}/${step}`, { authorized: true, body }),
    );
    this.cancelling = undefined;
    if (done === undefined) return;
    this.#remember(done);
    const counter = this.counter;
    const atCounter = (counter.name === 'held' && counter.hold.id === done.id) || (counter.name === 'booking' && counter.redemption.id === done.id);
    if (atCounter) this.counter = { name: 'booking', redemption: done };
    const reference = done.booking_reference;
    const locale = this.locale;
    if (step === 'capture') {
      this.tell('success', () =>
        plural(done.captured_seats, locale, {
          one: () => msg(str`${reference} confirmed: ${done.captured_seats} seat, ${formatMoney(done.captured_amount, done.currency, locale)}.`),
          other: () => msg(str`${reference} confirmed: ${done.captured_seats} seats, ${formatMoney(done.captured_amount, done.currency, locale)}.`),
        }),
      );
      this.emit<DeskRedemptionDetail>('mentoring-captured', { redemption: done });
    } else if (step === 'void') {
      this.tell('success', () => msg(str`${reference} released: the seats and the money went back.`));
      this.emit<DeskRedemptionDetail>('mentoring-voided', { redemption: done });
    } else {
      this.tell('success', () => msg(str`${reference} cancelled: ${formatMoney(done.reversed_amount, done.currency, locale)} went back to the voucher.`));
      this.emit<DeskRedemptionDetail>('mentoring-reversed', { redemption: done });
    }
    this.focusLater(atCounter ? '.booking .reference' : '#message');
  }

  /** Puts a booking the desk just saw into today's list, in place or on top. */
  #remember(redemption: DeskRedemption): void {
    const index = this.today.findIndex((candidate) => candidate.id === redemption.id);
    this.today = index === -1 ? [redemption, ...this.today] : this.today.map((candidate, at) => (at === index ? redemption : candidate));
  }

  #startOver(): void {
    this.#scan?.abort();
    this.cancelling = undefined;
    this.invalid = undefined;
    this.problem = undefined;
    this.notice = undefined;
    this.counter = { name: 'enter' };
    this.focusLater('#scan');
  }

  #refuseField(field: Field, text: () => string): void {
    this.invalid = field;
    this.tell('error', text);
    this.focusLater(`#${field}`);
  }

  async #loadToday(): Promise<void> {
    const midnight = new Date();
    midnight.setHours(0, 0, 0, 0);
    const today = await listAll<DeskRedemption>(this.api, `/v1/redemptions?created_after=${encodeURIComponent(midnight.toISOString())}`);
    this.today = today.reverse();
    this.#startDayAtMidnight();
  }

  /**
   * Keeps today's bookings only (a list that loaded across midnight, a desk put back on the page the
   * next day), then again when the next midnight comes; an open desk only.
   */
  #startDayAtMidnight(): void {
    clearTimeout(this.#nextDay);
    if (!this.isConnected || this.organization === undefined) return;
    this.#keepSince(new Date().setHours(0, 0, 0, 0));
    const midnight = new Date().setHours(24, 0, 0, 0);
    this.#nextDay = setTimeout(() => {
      this.#keepSince(midnight);
      this.#startDayAtMidnight();
    }, midnight - Date.now());
  }

  #keepSince(midnight: number): void {
    const kept = this.today.filter((redemption) => Date.parse(redemption.created_at) >= midnight);
    if (kept.length < this.today.length) this.today = kept;
  }

  async #loadSettlements(): Promise<void> {
    this.settlements = (await listAll<Settlement>(this.api, '/v1/settlements')).reverse();
  }

  /** The statement as the accountant gets it: the server's CSV, byte for byte (its BOM included), saved by the browser. */
  async #download(settlement: Settlement): Promise<void> {
    const csv = await this.attempt(() => fetchFile(this.api, `/v1/settlements/${settlement.id}.csv`));
    if (csv === undefined) return;
    this.save(csv, `mentoring-${settlement.period_end.slice(0, 10)}-${settlement.id.slice(-8)}.csv`);
    this.tell('success', () => msg('Statement downloaded.'));
  }
}

/** The seats a confirmed booking admits at the door: those captured, less those a cancellation gave back. */
function validSeats(redemption: DeskRedemption): number {
  return (redemption.captured_amount - redemption.reversed_amount) / redemption.seat_price;
}

/**
 * The seats and money to show beside a booking's status: what a confirmed booking admits at the door
 * now (confirmed less cancelled: not the seats first held); what a cancelled booking was confirmed
 * for; what a hold holds, or held before it was released or timed out.
 */
function standing(redemption: DeskRedemption): { seats: number; amount: number } {
  const valid = validSeats(redemption);
  if (redemption.status === 'captured' || (redemption.status === 'reversed' && valid > 0)) {
    return { seats: valid, amount: redemption.captured_amount - redemption.reversed_amount };
  }
  if (redemption.status === 'reversed') return { seats: redemption.captured_seats, amount: redemption.captured_amount };
  return { seats: redemption.seats, amount: redemption.amount };
}
