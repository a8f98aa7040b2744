// The beneficiary's side of the circuit badge (<mentoring-circuit-badge circuit="…" beneficiary>):
// a voucher's code and PIN, or a booking reference, then the stamps of every path of the circuit.
// The code is checked by the server (a typo is a 400 there, never a wrong PIN).
import { msg, str } from '@lit/localize';
import { html, nothing, type TemplateResult } from 'lit';
import { problemOf, request, type ApiSettings, type PathProgress, type Problem, type PublicPath } from '../internal/api.js';
import { formProblemMessage } from '../internal/form-problem-messages.js';
import { formatMoney, formatNumber, localizedText } from '../internal/format.js';
import { plural, type Locale } from '../internal/locale.js';

type Proof = 'card' | 'booking';
type Field = 'code' | 'pin' | 'booking';

/** What the badge lends the form: its API settings and locale, its rendering, and its events. */
export interface PathStampsHost {
  api(): ApiSettings;
  locale(): Locale;
  /** Renders the badge again; resolves once it has. */
  render(): Promise<unknown>;
  root(): ParentNode;
  /** Tells the host page what went wrong (mentoring-error). */
  report(problem: Problem): void;
}

export class PathStamps {
  readonly #host: PathStampsHost;
  #proof: Proof = 'card';
  #code = '';
  #pin = '';
  #booking = '';
  #busy = false;
  #problem: Problem | undefined;
  #invalid: Field | undefined;
  #progress: PathProgress | undefined;

  constructor(host: PathStampsHost) {
    this.#host = host;
  }

  render(): TemplateResult {
    return html`<div class="root stamps" part="stamps">
      ${this.#progress === undefined ? this.#renderForm() : this.#renderProgress(this.#progress)}
      <p class=${this.#problem === undefined ? 'muted' : 'error'} part="message" role="status" aria-live="polite">${this.#statusText()}</p>
    </div>`;
  }

  #renderForm(): TemplateResult {
    const card = this.#proof === 'card';
    return html`<form part="form" novalidate @submit=${(event: Event) => this.#show(event)}>
      <fieldset>
        <legend>${msg('Your path stamps')}</legend>
        <div class="choice" role="radiogroup" aria-label=${msg('I have')}>
          ${this.#choice('card', msg('My voucher card'))} ${this.#choice('booking', msg('A booking reference'))}
        </div>
        ${card
          ? html`${this.#field('code', msg('Voucher code'), this.#code, msg('As printed on your card.'), {
              placeholder: 'MNT-XXXX-XXXX-XXXX-X',
              autocapitalize: 'characters',
            })}
            ${this.#field('pin', msg('PIN'), this.#pin, msg('The 4 to 6 digits that came with the code.'), {
              type: 'password',
              inputmode: 'numeric',
              maxlength: '6',
            })}`
          : this.#field('booking', msg('Booking reference'), this.#booking, msg('On your ticket or confirmation, for example BK-7K3Q9-XPAW2.'), {
              placeholder: 'BK-XXXXX-XXXXX',
              autocapitalize: 'characters',
            })}
      </fieldset>
      <div class="actions">
        <button part="button" type="submit" ?disabled=${this.#busy}>${msg('Show my stamps')}</button>
      </div>
    </form>`;
  }

  #choice(proof: Proof, label: string): TemplateResult {
    return html`<label class="option"
      ><input type="radio" name="proof" .checked=${this.#proof === proof} @change=${() => this.#choose(proof)} />${label}</label
    >`;
  }

  #field(field: Field, label: string, value: string, hint: string, attributes: Record<string, string>): TemplateResult {
    const invalid = this.#invalid === field;
    return html`<label for=${field}>${label}</label>
      <input
        id=${field}
        part="${field}-input"
        name=${field}
        autocomplete="off"
        spellcheck="false"
        type=${attributes.type ?? 'text'}
        inputmode=${attributes.inputmode ?? 'text'}
        maxlength=${attributes.maxlength ?? '40'}
        autocapitalize=${attributes.autocapitalize ?? 'off'}
        placeholder=${attributes.placeholder ?? ''}
        .value=${value}
        aria-invalid=${String(invalid)}
        aria-describedby="${field}-note"
        @input=${(event: InputEvent) => this.#type(field, (event.target as HTMLInputElement).value)}
      />
      <p id="${field}-note" class=${invalid ? 'field-error' : 'field-hint'}>${invalid ? this.#fieldError(field) : hint}</p>`;
  }

  #renderProgress(progress: PathProgress): TemplateResult {
    const locale = this.#host.locale();
    return html`<h2 tabindex="-1">${msg(str`Your paths in ${progress.circuit.name}`)}</h2>
      ${progress.paths.length === 0
        ? html`<p>${msg('This circuit has no paths yet.')}</p>`
        : html`<ul class="paths">
            ${progress.paths.map((path) => this.#renderPath(path, locale))}
          </ul>`}
      <div class="actions">
        <button part="button" type="button" class="secondary" @click=${() => this.#again()}>${msg('Check another card')}</button>
      </div>`;
  }

  #renderPath(path: PublicPath, locale: Locale): TemplateResult {
    const steps = path.steps.map(
      (step) => html`<li class=${step.stamped ? 'step done' : 'step'}>
        <span class="stamp" aria-hidden="true">${step.stamped ? '✓' : ''}</span>
        <span>${localizedText(step.title, locale)}</span>
        <span class="state">${step.stamped ? msg('done') : msg('to do')}</span>
      </li>`,
    );
    const done = formatNumber(path.steps_done, locale);
    const total = formatNumber(path.steps_total, locale);
    return html`<li class="path" part="path">
      <p class="path-name">${localizedText(path.name, locale)}</p>
      <p class=${path.completed ? 'success' : 'muted'}>
        ${path.completed ? msg('Completed!') : msg(str`${done} of ${total} done`)}
        ${path.ordered ? html` · ${msg('in this order')}` : nothing}
      </p>
      ${path.ordered ? html`<ol class="steps">${steps}</ol>` : html`<ul class="steps">${steps}</ul>`} ${this.#renderBonus(path, locale)}
    </li>`;
  }

  #renderBonus(path: PublicPath, locale: Locale): TemplateResult | typeof nothing {
    const bonus = path.bonus;
    if (bonus === null) return nothing;
    const amount = formatMoney(bonus.amount, bonus.currency, locale);
    switch (bonus.status) {
      case 'to_earn':
        return html`<p class="bonus">${msg(str`Complete the path for a ${amount} bonus voucher.`)}</p>`;
      case 'pending':
        return html`<p class="bonus">${msg(str`Your ${amount} bonus voucher is on its way: the fund is being topped up.`)}</p>`;
      case 'issued':
        return html`<p class="bonus success">${msg(str`You earned a ${amount} bonus voucher: your school or association has its card.`)}</p>`;
    }
  }

  #statusText(): string {
    if (this.#busy) return msg('Looking up your stamps…');
    if (this.#problem !== undefined) return this.#problemText(this.#problem);
    return '';
  }

  #fieldError(field: Field): string {
    if (this.#problem !== undefined) return this.#problemText(this.#problem);
    if (field === 'pin') return msg('The PIN is 4 to 6 digits.');
    if (field === 'booking') return msg('A booking reference looks like BK-7K3Q9-XPAW2.');
    return msg('Enter the code printed on your card.');
  }

  #problemText(problem: Problem): string {
    const locale = this.#host.locale();
    switch (problem.code) {
      case 'not_found':
        return this.#proof === 'card'
          ? msg('No voucher has this code. Check it against your card.')
          : msg('No booking has this reference. Check it against your ticket or confirmation.');
      case 'invalid_request':
        return problem.errors?.some((error) => error.path === 'code')
          ? msg('This is not a voucher code. Check it against your card.')
          : formProblemMessage(problem);
      case 'wrong_pin': {
        const left = problem.attempts_left ?? 0;
        return plural(left, locale, {
          one: () => msg(str`Wrong PIN. ${left} attempt left before the voucher locks.`),
          other: () => msg(str`Wrong PIN. ${left} attempts left before the voucher locks.`),
        });
      }
      case 'voucher_locked':
        return msg('This voucher is locked after too many wrong PINs. The school or association that gave it to you can unlock it.');
      case 'voucher_expired':
        return msg('This voucher has expired. The school or association that gave it to you can tell you more.');
      case 'rate_limited': {
        const seconds = problem.retry_after ?? 60;
        return msg(str`Too many attempts in a short time. Try again in ${seconds} seconds.`);
      }
      default:
        return formProblemMessage(problem);
    }
  }

  #choose(proof: Proof): void {
    this.#proof = proof;
    this.#invalid = undefined;
    this.#problem = undefined;
    void this.#host.render();
  }

  #type(field: Field, value: string): void {
    if (field === 'code') this.#code = value;
    else if (field === 'pin') this.#pin = value;
    else this.#booking = value;
  }

  async #show(event: Event): Promise<void> {
    event.preventDefault();
    if (this.#busy) return;
    this.#problem = undefined;
    const card = this.#proof === 'card';
    this.#invalid = card
      ? this.#code.trim() === ''
        ? 'code'
        : /^\d{4,6}$/.test(this.#pin)
          ? undefined
          : 'pin'
      : /^BK-?[0-9A-Z]{5}-?[0-9A-Z]{5}$/i.test(this.#booking.trim())
        ? undefined
        : 'booking';
    if (this.#invalid !== undefined) {
      await this.#focus(`#${this.#invalid}`);
      return;
    }
    this.#busy = true;
    void this.#host.render();
    try {
      const body = card ? { code: this.#code.trim(), pin: this.#pin } : { booking_reference: this.#booking.trim() };
      this.#progress = await request<PathProgress>(this.#host.api(), 'POST', '/v1/public/path-progress', { authorized: true, body });
      // Nothing of the card stays in the page once the stamps are shown.
      this.#code = this.#pin = this.#booking = '';
      this.#busy = false;
      await this.#focus('h2');
    } catch (error) {
      const problem = problemOf(error);
      this.#problem = problem;
      this.#busy = false;
      if (problem.code === 'wrong_pin') {
        this.#pin = '';
        this.#invalid = 'pin';
      } else if (problem.code === 'not_found' || problem.code === 'invalid_request') {
        this.#invalid = card ? 'code' : 'booking';
      }
      this.#host.report(problem);
      await this.#focus(this.#invalid === undefined ? 'button[type=submit]' : `#${this.#invalid}`);
    }
  }

  async #again(): Promise<void> {
    this.#progress = undefined;
    this.#problem = undefined;
    await this.#focus(this.#proof === 'card' ? '#code' : '#booking');
  }

  /** Renders, then moves the focus to what the person should read or fix next. */
  async #focus(selector: string): Promise<void> {
    await this.#host.render();
    this.#host.root().querySelector<HTMLElement>(selector)?.focus();
  }
}
