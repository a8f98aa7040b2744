// A mentor's gift, as the sponsor-seat and needs-board widgets take it: seats or an amount, a name
// or anonymity, a message, paid through POST /v1/sponsorships with one idempotency key per gift,
// then a receipt (and the bank details of a transfer). The host element renders the rest.
import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { problemOf, request, type ApiSettings, type NewSponsorship, type Problem, type Sponsorship } from '../../internal/api.js';
import { formProblemMessage } from '../../internal/form-problem-messages.js';
import { formatDate, formatMoney } from '../../internal/format.js';
import { plural, type Locale } from '../../internal/locale.js';
import { MentoringElement } from '../../internal/mentoring-element.js';

/** The most seats one gift funds here; larger gifts go through the circuit's operator. */
export const maxSeatsPerGift = 100;

/** `detail` of `mentoring-sponsored`: the sponsorship as the API recorded it. */
export interface SponsoredDetail {
  sponsorship: Sponsorship;
}

type Field = 'seats' | 'amount' | 'name';

/** What a gift is for: where the money goes, at what seat price, and at most how much. */
export interface GiftTarget {
  target: { campaign_id: string } | { need_id: string };
  seatPrice: number;
  currency: string;
  /** Cents: a need takes no more than it has left. */
  maxAmount?: number;
}

/** What the host element gives the gift: its API, locale and payment settings, and what to do after. */
export interface GiftHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  giftApi(): ApiSettings;
  giftLocale(): Locale;
  giftPayment(): { provider: string | undefined; method: string | undefined };
  /** The gift is recorded: tell the page and refresh what is shown. */
  sponsored(sponsorship: Sponsorship): Promise<void>;
  /** The API refused or could not be reached: tell the page; `refresh` when what is shown may be out of date. */
  failed(problem: Problem, refresh: boolean): Promise<void>;
}

export class Gift implements ReactiveController {
  mode: 'seats' | 'amount' = 'seats';
  seats = 1;
  amount = '';
  anonymous = false;
  busy = false;
  problem: Problem | undefined;
  invalid: Field | undefined;
  sponsorship: Sponsorship | undefined;

  #name = '';
  #message = '';
  /** One key per gift: a retry after a lost answer cannot pay twice. */
  #paymentKey: string | undefined;
  #moveFocus = false;

  constructor(
    private readonly host: GiftHost,
    /** What gets the focus after a gift or a problem outside a field: the title of what is given to. */
    private readonly headingSelector: string,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    if (!this.#moveFocus) return;
    this.#moveFocus = false;
    const field = this.invalid === undefined ? null : this.host.renderRoot.querySelector<HTMLElement>(`#${this.invalid}`);
    (field ?? this.host.renderRoot.querySelector<HTMLElement>(this.headingSelector))?.focus();
  }

  /** Moves the focus after the next update: to the invalid field, else the heading. */
  focusAfterUpdate(): void {
    this.#moveFocus = true;
    this.host.requestUpdate();
  }

  /** Shows a problem (loading what is given to, or paying); the element tells the page. */
  show(problem: Problem): void {
    this.problem = problem;
    this.focusAfterUpdate();
  }

  /** A gift for another target: nothing chosen or typed for the last one carries over, nor its payment's key. */
  startOver(): void {
    this.mode = 'seats';
    this.seats = 1;
    this.amount = '';
    this.invalid = undefined;
    this.#paymentKey = undefined;
    this.again();
  }

  /** A new gift: the form again, blank of problems. */
  again = (): void => {
    this.sponsorship = undefined;
    this.problem = undefined;
    this.focusAfterUpdate();
  };

  renderForm(gift: GiftTarget, { amountHint, maxSeats = maxSeatsPerGift }: { amountHint: string; maxSeats?: number }): TemplateResult {
    const locale = this.host.giftLocale();
    const total = this.total(gift, maxSeats);
    // Pay stays enabled while the gift is not valid yet: pressing it says what to change, next to the field.
    // With less than a seat left (maxSeats 0: a need's last part), only an amount.
    return html`<form part="form" novalidate @submit=${(event: Event) => this.#pay(event, gift, maxSeats)}>
      ${maxSeats < 1
        ? nothing
        : html`<fieldset>
            <legend>${msg('Your gift')}</legend>
            <label class="choice">
              <input type="radio" name="mode" value="seats" .checked=${this.mode === 'seats'} @change=${() => this.#changeGift(() => (this.mode = 'seats'))} />
              ${msg('Seats')}
            </label>
            <label class="choice">
              <input type="radio" name="mode" value="amount" .checked=${this.mode === 'amount'} @change=${() => this.#changeGift(() => (this.mode = 'amount'))} />
              ${msg('An amount of my choice')}
            </label>
          </fieldset>`}
      ${this.#mode(maxSeats) === 'seats'
        ? html`<label for="seats">${msg('How many seats?')}</label>
            <input
              id="seats"
              type="number"
              inputmode="numeric"
              min="1"
              max=${maxSeats}
              class="amount"
              .value=${String(this.seats)}
              aria-invalid=${String(this.invalid === 'seats')}
              aria-describedby=${this.invalid === 'seats' ? 'seats-error' : 'seats-hint'}
              @input=${(event: InputEvent) => this.#changeGift(() => (this.seats = Number((event.target as HTMLInputElement).value)))}
            />
            ${this.#fieldNote('seats', msg(str`${formatMoney(gift.seatPrice, gift.currency, locale)} each`), gift, maxSeats)}`
        : html`<label for="amount">${msg(str`Amount (${gift.currency})`)}</label>
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
            ${this.#fieldNote('amount', amountHint, gift, maxSeats)}`}
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
      ${this.#fieldNote('name', msg('A person, a shop or a company.'), gift, maxSeats)}
      <label class="choice">
        <input
          type="checkbox"
          .checked=${this.anonymous}
          @change=${(event: Event) => {
            this.anonymous = (event.target as HTMLInputElement).checked;
            this.host.requestUpdate();
          }}
        />
        ${msg('Stay anonymous')}
      </label>
      <label for="note">${msg('A message for the young people (optional)')}</label>
      <textarea id="note" maxlength="500" .value=${this.#message} @input=${(event: InputEvent) => (this.#message = (event.target as HTMLTextAreaElement).value)}></textarea>
      <div class="actions">
        <button part="button" type="submit" ?disabled=${this.busy}>
          ${total === undefined ? msg('Pay') : msg(str`Pay ${formatMoney(total, gift.currency, locale)}`)}
        </button>
        ${this.problem?.code === 'network_error' && !this.busy ? retryButton(() => this.#pay(undefined, gift, maxSeats)) : nothing}
      </div>
    </form>`;
  }

  /** The thank-you and receipt; `again` (a new gift by default) is the button under them. */
  renderThanks(againLabel: string, again: () => void = this.again): TemplateResult {
    const sponsorship = this.sponsorship!;
    const locale = this.host.giftLocale();
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
            </dl>
            ${sponsorship.reserved_until === null
              ? nothing
              : html`<p>${msg(str`Please make the transfer by ${formatDate(sponsorship.reserved_until, locale)}: until then your part of this need is kept for you.`)}</p>`}`}
      <div class="actions">
        <button part="button" type="button" class="secondary" @click=${again}>${againLabel}</button>
      </div>
    </div>`;
  }

  /** The live region's line: sending, the problem, the outcome of the gift; `idle` otherwise. */
  statusText(idle: string): string {
    if (this.busy) return msg('Sending your gift…');
    if (this.problem !== undefined) return this.#problemText(this.problem);
    if (this.sponsorship?.status === 'pending') return msg('Your gift is recorded: it counts once the transfer arrives.');
    if (this.sponsorship !== undefined) return msg('Your gift is paid and recorded.');
    return idle;
  }

  /** The gift in cents, or undefined while the form does not say one within the limits. */
  total(gift: GiftTarget, maxSeats: number): number | undefined {
    const cents = this.#mode(maxSeats) === 'seats' ? this.#seatsTotal(gift, maxSeats) : this.#amountTotal(gift);
    return cents !== undefined && (gift.maxAmount === undefined || cents <= gift.maxAmount) ? cents : undefined;
  }

  /** The mode chosen, or an amount once less than a seat is left (a need adopted in part meanwhile). */
  #mode(maxSeats: number): 'seats' | 'amount' {
    return maxSeats < 1 ? 'amount' : this.mode;
  }

  #seatsTotal(gift: GiftTarget, maxSeats: number): number | undefined {
    return Number.isInteger(this.seats) && this.seats >= 1 && this.seats <= maxSeats ? this.seats * gift.seatPrice : undefined;
  }

  #amountTotal(gift: GiftTarget): number | undefined {
    // Either decimal mark: a person in Italy writes 12,50, elsewhere 12.50.
    const amount = /^\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*$/.exec(this.amount);
    if (amount === null) return undefined;
    const cents = Number(amount[1]) * 100 + Number((amount[2] ?? '').padEnd(2, '0'));
    // At least a euro, as the API asks, or exactly a need's last cents.
    return cents >= 100 || (cents > 0 && cents === gift.maxAmount) ? cents : undefined;
  }

  #fieldNote(field: Field, hint: string, gift: GiftTarget, maxSeats: number): TemplateResult {
    return this.invalid === field
      ? html`<p id="${field}-error" class="field-error">${this.#fieldError(field, gift, maxSeats)}</p>`
      : html`<p id="${field}-hint" class="field-hint">${hint}</p>`;
  }

  #fieldError(field: Field, gift: GiftTarget, maxSeats: number): string {
    switch (field) {
      case 'seats':
        return msg(str`Choose from 1 to ${maxSeats} seats.`);
      case 'amount': {
        if (gift.maxAmount === undefined) return msg('Write an amount of at least 1, such as 25 or 12.50.');
        const most = formatMoney(gift.maxAmount, gift.currency, this.host.giftLocale());
        return gift.maxAmount < 100 ? msg(str`Write ${most}: what is left to adopt.`) : msg(str`Write an amount from 1 to ${most}.`);
      }
      case 'name':
        return msg('Write the name to thank, or choose to stay anonymous.');
    }
  }

  #problemText(problem: Problem): string {
    if (problem.code === 'payment_failed') return msg('The payment was declined and nothing was charged. Try again, or use another payment method.');
    if (problem.code === 'exceeds_need') return msg('Others adopted part of this need meanwhile: less is left now. Choose a smaller gift.');
    return formProblemMessage(problem);
  }

  /** A different gift is a different payment: it gets its own idempotency key. */
  #changeGift(change: () => void): void {
    change();
    this.#paymentKey = undefined;
    if (this.invalid === 'seats' || this.invalid === 'amount') this.invalid = undefined;
    this.host.requestUpdate();
  }

  async #pay(event: Event | undefined, gift: GiftTarget, maxSeats: number): Promise<void> {
    event?.preventDefault();
    if (this.busy) return;
    const name = this.#name.trim();
    const total = this.total(gift, maxSeats);
    this.problem = undefined;
    this.invalid = total === undefined ? this.#mode(maxSeats) : !this.anonymous && name === '' ? 'name' : undefined;
    if (this.invalid !== undefined) {
      this.focusAfterUpdate();
      return;
    }
    const message = this.#message.trim();
    const { provider, method } = this.host.giftPayment();
    const body: NewSponsorship = {
      ...gift.target,
      ...(this.#mode(maxSeats) === 'seats' ? { seats: this.seats } : { amount: total! }),
      ...(this.anonymous ? { anonymous: true } : { anonymous: false, display_name: name }),
      ...(message === '' ? {} : { message }),
      ...(provider === undefined ? {} : { payment_provider: provider }),
      ...(method === undefined ? {} : { payment_method: method }),
    };
    this.busy = true;
    this.host.requestUpdate();
    this.#paymentKey ??= crypto.randomUUID();
    try {
      const sponsorship = await request<Sponsorship>(this.host.giftApi(), 'POST', '/v1/sponsorships', {
        authorized: true,
        body,
        idempotencyKey: this.#paymentKey,
      });
      this.#paymentKey = undefined;
      this.sponsorship = sponsorship;
      this.focusAfterUpdate();
      await this.host.sponsored(sponsorship);
    } catch (error) {
      const problem = problemOf(error);
      // A declined payment is recorded as failed: trying again is a new payment.
      if (problem.code !== 'network_error') this.#paymentKey = undefined;
      this.show(problem);
      await this.host.failed(problem, problem.code === 'conflict' || problem.code === 'exceeds_need');
    } finally {
      this.busy = false;
      this.host.requestUpdate();
    }
  }
}

/** The base of the elements that take a gift: the payment attributes, and what the gift asks of its element. */
export abstract class GiftElement extends MentoringElement implements GiftHost {
  static override properties: PropertyDeclarations = {
    paymentProvider: { attribute: 'payment-provider' },
    paymentMethod: { attribute: 'payment-method' },
  };

  /** The payment provider: `test` by default with test keys; `bank_transfer` where the operator offers it. */
  paymentProvider: string | undefined;

  /** Provider-specific payment method; with test keys, `test_fail` tries a declined payment. */
  paymentMethod: string | undefined;

  /** Reloads what the gift is for, after a gift or a refusal that may have changed it. */
  protected abstract refresh(): Promise<void>;

  /** @internal */
  giftApi(): ApiSettings {
    return this.api;
  }

  /** @internal */
  giftLocale(): Locale {
    return this.locale;
  }

  /** @internal */
  giftPayment() {
    return { provider: this.paymentProvider, method: this.paymentMethod };
  }

  /** @internal */
  async sponsored(sponsorship: Sponsorship): Promise<void> {
    this.emit<SponsoredDetail>('mentoring-sponsored', { sponsorship });
    await this.refresh();
  }

  /** @internal */
  async failed(problem: Problem, refresh: boolean): Promise<void> {
    this.reportProblem(problem);
    if (refresh) await this.refresh();
  }
}

export function retryButton(action: () => unknown): TemplateResult {
  return html`<button part="button" type="button" class="secondary" @click=${action}>${msg('Try again')}</button>`;
}
