import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { request } from '../../internal/api.js';
import { formatDate, formatMoney, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { loadLocale } from '../../internal/localization.js';
import { baseStyles } from '../../internal/styles.js';
import {
  languageName,
  listAll,
  type AgeBand,
  type Allocation,
  type Beneficiary,
  type BeneficiaryPath,
  type IssuedVoucher,
  type Language,
  type Organization,
  type Pool,
  type ThankYouNote,
  type Voucher,
} from '../internal/desk-api.js';
import { DeskElement } from '../internal/desk-element.js';
import { deskStyles } from '../internal/desk-styles.js';
import { officeProblemMessage, type OfficeProblem } from './office-problems.js';
import { referrerDeskStyles } from './referrer-desk.styles.js';
import { voucherCard, type VoucherCard } from './voucher-card.js';

/** The most vouchers one batch issues, as the API allows (maxVouchersPerBatch). */
const maxVouchersPerBatch = 100;
/** The most pupils the class form adds at once. */
const maxClassSize = 40;

const ageBands: AgeBand[] = ['0-13', '14-17', '18-25', '26+'];
const languages: Language[] = ['it', 'en', 'sq'];

/** `detail` of `mentoring-beneficiary-created`. */
export interface BeneficiaryCreatedDetail {
  beneficiary: Beneficiary;
}

/** `detail` of `mentoring-voucher-issued`: the vouchers as the API lists them, without their codes and PINs. */
export interface VouchersIssuedDetail {
  vouchers: Voucher[];
}

/** `detail` of `mentoring-voucher-unlocked`. */
export interface VoucherUnlockedDetail {
  voucher: Voucher;
}

type Field = 'reference' | 'class-name' | 'class-size' | 'amount' | 'expires';

/**
 * While cards are on screen, printing shows the desk alone: every other element of the page is
 * left out of the print (the cards' own print styles then put one card on each page).
 */
let printTheDeskOnly: CSSStyleSheet | undefined;

/**
 * @tagname mentoring-referrer-desk
 * @summary Staff only: a school's or association's desk. Nominate beneficiaries (pseudonymous), alone or a class at a time; issue vouchers within the allocation, one or a class in one batch; print the cards in each beneficiary's language; see what each beneficiary used; unlock a card.
 *
 * @fires mentoring-beneficiary-created - A beneficiary was nominated; `detail.beneficiary`.
 * @fires mentoring-voucher-issued - Vouchers were issued; `detail.vouchers`, without their codes and PINs.
 * @fires mentoring-voucher-unlocked - A voucher locked by wrong PINs was unlocked; `detail.voucher`.
 * @fires mentoring-error - The API refused a step or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The desk's box.
 * @csspart organization - The school's or association's name.
 * @csspart form - Every form.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart allocation - What is left to issue.
 * @csspart beneficiaries - The list of beneficiaries and what they used.
 * @csspart cards - The cards just issued, to print.
 * @csspart card - One voucher card.
 * @csspart card-qr - The QR code of a card's voucher code.
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
export class MentoringReferrerDesk extends DeskElement {
  static override styles = [baseStyles, deskStyles, referrerDeskStyles];

  static override properties: PropertyDeclarations = {
    ...DeskElement.properties,
    allocations: { state: true, attribute: false },
    pools: { state: true, attribute: false },
    beneficiaries: { state: true, attribute: false },
    vouchers: { state: true, attribute: false },
    selected: { state: true, attribute: false },
    filter: { state: true, attribute: false },
    shown: { state: true, attribute: false },
    cards: { state: true, attribute: false },
    invalid: { state: true, attribute: false },
    notes: { state: true, attribute: false },
    bonuses: { state: true, attribute: false },
  };

  protected readonly deskKind = 'referrer';

  private allocations: Allocation[] = [];
  private pools: Pool[] = [];
  private beneficiaries: Beneficiary[] = [];
  private vouchers: Voucher[] = [];
  /** The beneficiaries to issue vouchers to. */
  private selected: ReadonlySet<string> = new Set();
  /** Shows the beneficiaries whose reference contains this (a class: `3B`). */
  private filter = '';
  /** The beneficiary whose vouchers are shown. */
  private shown: string | undefined;
  /** The cards just issued, to print: the only time their codes and PINs exist. */
  private cards: VoucherCard[] | undefined;
  private invalid: Field | undefined;
  /** Thank-you notes of the office's beneficiaries waiting to be checked. */
  private notes: ThankYouNote[] = [];
  /** By beneficiary, once their vouchers are shown: the bonuses of completed paths still without a card. */
  private bonuses: ReadonlyMap<string, BeneficiaryPath[]> = new Map();

  /** One key per issuing (the same vouchers): a retry after a lost answer gets the same cards, not new ones. */
  #issueIntent: { body: string; key: string } | undefined;
  /** The idempotency key of each bonus card asked for (by beneficiary and path) until its answer arrives. */
  readonly #bonusKeys = new Map<string, string>();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#printCards(false);
  }

  protected deskTitle(): string {
    return msg('Vouchers office');
  }

  protected wrongKindText(): string {
    return msg("This key is not a school's or association's: this desk opens with its office's desk key.");
  }

  protected override problemText(problem: OfficeProblem): string {
    return officeProblemMessage(problem, this.locale);
  }

  protected async opened(): Promise<void> {
    const [allocations, beneficiaries, vouchers, notes] = await Promise.all([
      this.#allocations(),
      listAll<Beneficiary>(this.api, '/v1/beneficiaries'),
      listAll<Voucher>(this.api, '/v1/vouchers'),
      listAll<ThankYouNote>(this.api, '/v1/thanks?status=pending'),
    ]);
    this.notes = notes;
    this.pools = await Promise.all(allocations.map((allocation) => request<Pool>(this.api, 'GET', `/v1/pools/${allocation.pool_id}`, { authorized: true })));
    this.allocations = allocations;
    this.beneficiaries = beneficiaries;
    this.vouchers = vouchers;
  }

  protected renderDesk(organization: Organization): TemplateResult {
    if (this.cards !== undefined) return this.#renderCards(this.cards, organization);
    return html`${this.#renderAllocations()}
      <section aria-labelledby="beneficiaries-heading" part="beneficiaries">
        <h3 id="beneficiaries-heading">${msg('Beneficiaries')}</h3>
        ${this.#renderBeneficiaries()}
      </section>
      <section aria-labelledby="issue-heading">
        <h3 id="issue-heading" tabindex="-1">${msg('Issue vouchers')}</h3>
        ${this.#renderIssue()}
      </section>
      <section aria-labelledby="add-heading">
        <h3 id="add-heading">${msg('Add beneficiaries')}</h3>
        ${this.#renderAdd()}
      </section>
      ${this.#renderNotes()}`;
  }

  /** Notes young people left after a booking: the office approves them (their mentors see them) or rejects them. */
  #renderNotes(): TemplateResult | typeof nothing {
    if (this.notes.length === 0) return nothing;
    const locale = this.locale;
    return html`<section aria-labelledby="notes-heading" part="notes">
      <h3 id="notes-heading" tabindex="-1">${msg('Thank-you notes to check')}</h3>
      <p class="field-hint">${msg('Approved notes are shown as written, with no name beside them, to the mentors who paid for the seats: reject one that says who wrote it.')}</p>
      <ul class="rows">
        ${this.notes.map(
          (note) => html`<li>
            <div class="grow">
              <blockquote lang=${note.language}>${note.text}</blockquote>
              <p class="muted">${localizedText(note.offer.title, locale)} · ${note.offer.provider_name} · ${formatDate(note.created_at, locale)}</p>
            </div>
            <div class="actions">
              <button part="button" type="button" ?disabled=${this.busy} aria-label=${msg(str`Approve: ${note.text}`)} @click=${() => this.#moderate(note, 'approve')}>
                ${msg('Approve')}
              </button>
              <button part="button" type="button" class="secondary" ?disabled=${this.busy} aria-label=${msg(str`Reject: ${note.text}`)} @click=${() => this.#moderate(note, 'reject')}>
                ${msg('Reject')}
              </button>
            </div>
          </li>`,
        )}
      </ul>
    </section>`;
  }

  async #moderate(note: ThankYouNote, action: 'approve' | 'reject'): Promise<void> {
    const moderated = await this.attempt(() => request<ThankYouNote>(this.api, 'POST', `/v1/thanks/${note.id}/${action}`, { authorized: true }));
    if (moderated === undefined) return;
    this.notes = this.notes.filter((candidate) => candidate.id !== note.id);
    this.tell('success', () => (action === 'approve' ? msg('Note approved: its mentors will see it.') : msg('Note rejected: nobody will see it.')));
    this.focusLater(this.notes.length === 0 ? '#message' : '#notes-heading');
  }

  #renderAllocations(): TemplateResult {
    const locale = this.locale;
    return html`<div part="allocation" class="allocation">
      ${this.allocations.length === 0
        ? html`<p class="error">${msg("You have no allocation yet: the circuit's operator gives you one.")}</p>`
        : this.allocations.map(
            (allocation) => html`<p>
              ${msg(str`Left to issue from ${this.#poolName(allocation.pool_id)}:`)}
              <strong>${formatMoney(allocation.remaining, 'EUR', locale)}</strong>
              <span class="muted">${msg(str`of ${formatMoney(allocation.amount, 'EUR', locale)}`)}</span>
            </p>`,
          )}
    </div>`;
  }

  #renderBeneficiaries(): TemplateResult {
    const locale = this.locale;
    const shown = this.#filtered();
    return html`<label for="filter">${msg('Find by reference')}</label>
      <input id="filter" type="search" autocomplete="off" spellcheck="false" .value=${this.filter} @input=${(event: InputEvent) => (this.filter = (event.target as HTMLInputElement).value)} />
      <div class="actions">
        <button part="button" type="button" class="secondary" ?disabled=${shown.length === 0} @click=${() => this.#select(shown, true)}>
          ${plural(shown.length, locale, {
            one: () => msg('Select the one shown'),
            other: () => msg(str`Select the ${shown.length} shown`),
          })}
        </button>
        <button part="button" type="button" class="secondary" ?disabled=${this.selected.size === 0} @click=${() => (this.selected = new Set())}>
          ${msg('Clear the selection')}
        </button>
      </div>
      ${this.beneficiaries.length === 0
        ? html`<p class="muted">${msg('No beneficiaries yet: add them below.')}</p>`
        : html`<ul class="rows" aria-labelledby="beneficiaries-heading">
            ${shown.map((beneficiary) => this.#renderBeneficiary(beneficiary))}
          </ul>`}`;
  }

  #renderBeneficiary(beneficiary: Beneficiary): TemplateResult {
    const locale = this.locale;
    const reference = beneficiary.reference ?? msg('(erased)');
    const vouchers = this.vouchers.filter((voucher) => voucher.beneficiary_id === beneficiary.id);
    const available = vouchers.reduce((sum, voucher) => sum + voucher.available, 0);
    const spent = vouchers.reduce((sum, voucher) => sum + voucher.spent, 0);
    const open = this.shown === beneficiary.id;
    return html`<li>
      <input
        type="checkbox"
        id="pick-${beneficiary.id}"
        .checked=${this.selected.has(beneficiary.id)}
        ?disabled=${beneficiary.erased_at !== null}
        @change=${(event: Event) => this.#select([beneficiary], (event.target as HTMLInputElement).checked)}
      />
      <label class="grow inline" for="pick-${beneficiary.id}">
        <span class="code">${reference}</span>
        <span class="muted">${languageName(beneficiary.language)} · ${beneficiary.age_band}</span>
      </label>
      <p class="usage">
        ${plural(vouchers.length, locale, {
          one: () => msg(str`${vouchers.length} voucher`),
          other: () => msg(str`${vouchers.length} vouchers`),
        })}
        · ${msg(str`${formatMoney(available, 'EUR', locale)} left`)} · ${msg(str`${formatMoney(spent, 'EUR', locale)} used`)}
      </p>
      ${vouchers.length === 0
        ? nothing
        : html`<button
            part="button"
            type="button"
            class="secondary"
            aria-expanded=${String(open)}
            aria-controls="vouchers-${beneficiary.id}"
            aria-label=${msg(str`Vouchers of ${reference}`)}
            @click=${() => this.#showVouchers(open ? undefined : beneficiary)}
          >
            ${msg('Vouchers')}
          </button>`}
      ${open ? this.#renderVouchers(beneficiary, vouchers) : nothing}
    </li>`;
  }

  #renderVouchers(beneficiary: Beneficiary, vouchers: Voucher[]): TemplateResult {
    const locale = this.locale;
    return html`<ul class="vouchers" id="vouchers-${beneficiary.id}">
      ${vouchers.map(
        (voucher) => html`<li>
          ${voucher.code_hint === '' ? html`<span>${msg('Path bonus')}</span>` : html`<span class="code">…${voucher.code_hint}</span>`} ·
          ${msg(str`${formatMoney(voucher.available, voucher.currency, locale)} left of ${formatMoney(voucher.amount, voucher.currency, locale)}`)} ·
          ${msg(str`until ${formatDate(voucher.expires_at, locale)}`)}
          ${voucher.locked
            ? html`<span class="status locked">${msg('Locked')}</span>
                <button
                  part="button"
                  type="button"
                  ?disabled=${this.busy}
                  aria-label=${msg(str`Unlock …${voucher.code_hint}`)}
                  @click=${() => this.#unlock(voucher)}
                >
                  ${msg('Unlock')}
                </button>`
            : nothing}
        </li>`,
      )}
      ${(this.bonuses.get(beneficiary.id) ?? []).map((path) => this.#renderBonus(beneficiary, path))}
    </ul>`;
  }

  /** A completed path's bonus without its card yet: the office prints it now (a pending one is issued first, if the fund has the money). */
  #renderBonus(beneficiary: Beneficiary, path: BeneficiaryPath): TemplateResult {
    const locale = this.locale;
    const bonus = path.bonus!;
    const name = localizedText(path.name, locale);
    return html`<li class="bonus">
      ${msg(str`Bonus for completing ${name}: ${formatMoney(bonus.amount, bonus.currency, locale)}`)}
      ${bonus.status === 'pending' ? html`<span class="status">${msg('Waiting for the fund')}</span>` : nothing}
      <button part="button" type="button" ?disabled=${this.busy} @click=${() => this.#bonusCard(beneficiary, path)}>
        ${msg(str`Print the bonus card for ${name}`)}
      </button>
    </li>`;
  }

  #renderIssue(): TemplateResult {
    const locale = this.locale;
    const count = this.selected.size;
    const amount = this.#amountField();
    const total = amount === undefined ? undefined : amount * count;
    return html`<form part="form" novalidate @submit=${this.#issue}>
      <p>
        ${plural(count, locale, {
          one: () => msg(str`${count} beneficiary selected.`),
          other: () => msg(str`${count} beneficiaries selected.`),
        })}
      </p>
      <label for="amount">${msg('Amount of each voucher (€)')}</label>
      <input id="amount" name="amount" inputmode="decimal" autocomplete="off" placeholder="50" aria-invalid=${String(this.invalid === 'amount')} @input=${() => this.requestUpdate()} />
      <label for="expires">${msg('Valid until')}</label>
      <input id="expires" name="expires" type="date" aria-describedby="expires-hint" aria-invalid=${String(this.invalid === 'expires')} />
      <p id="expires-hint" class="field-hint">${msg('Empty: the end of the season, 31 August.')}</p>
      ${this.allocations.length > 1
        ? html`<label for="pool">${msg('From')}</label>
            <select id="pool" name="pool">
              ${this.allocations.map((allocation) => html`<option value=${allocation.pool_id}>${this.#poolName(allocation.pool_id)}</option>`)}
            </select>`
        : nothing}
      <div class="actions">
        <button part="button" type="submit" ?disabled=${this.busy || count === 0 || this.allocations.length === 0}>
          ${plural(count, locale, {
            one: () => msg(str`Issue ${count} voucher`),
            other: () => msg(str`Issue ${count} vouchers`),
          })}${total === undefined || count === 0 ? '' : ` · ${formatMoney(total, 'EUR', locale)}`}
        </button>
      </div>
      <p class="field-hint">${msg('The codes and PINs are shown once, right after issuing, to print the cards.')}</p>
    </form>`;
  }

  #renderAdd(): TemplateResult {
    return html`<form part="form" novalidate @submit=${this.#addOne}>
        <h4>${msg('One beneficiary')}</h4>
        <label for="reference">${msg('Your reference')}</label>
        <input
          id="reference"
          name="reference"
          class="code"
          autocomplete="off"
          spellcheck="false"
          placeholder="3B-07"
          aria-describedby="reference-hint"
          aria-invalid=${String(this.invalid === 'reference')}
        />
        <p id="reference-hint" class="field-hint">
          ${msg('Your own code for the young person, such as 3B-07: never a name, a date of birth, an email or a phone number. Keep who is who in your own records.')}
        </p>
        ${this.#profileFields('one')}
        <div class="actions"><button part="button" type="submit" ?disabled=${this.busy}>${msg('Add')}</button></div>
      </form>
      <form part="form" novalidate @submit=${this.#addClass}>
        <h4>${msg('A class')}</h4>
        <label for="class-name">${msg('Class')}</label>
        <input id="class-name" name="class-name" class="code" autocomplete="off" placeholder="3B" aria-describedby="class-hint" aria-invalid=${String(this.invalid === 'class-name')} />
        <label for="class-size">${msg('Pupils')}</label>
        <input id="class-size" name="class-size" type="number" inputmode="numeric" min="1" max=${maxClassSize} aria-invalid=${String(this.invalid === 'class-size')} />
        <p id="class-hint" class="field-hint">${msg('Class 3B with 20 pupils adds 3B-01 to 3B-20, and selects them.')}</p>
        ${this.#profileFields('class')}
        <div class="actions"><button part="button" type="submit" ?disabled=${this.busy}>${msg('Add the class')}</button></div>
      </form>`;
  }

  /** Age band and language, for one beneficiary or a class. */
  #profileFields(form: 'one' | 'class'): TemplateResult {
    return html`<label for="${form}-age">${msg('Age')}</label>
      <select id="${form}-age" name="age">
        ${ageBands.map((band) => html`<option value=${band} ?selected=${band === '14-17'}>${band}</option>`)}
      </select>
      <label for="${form}-language">${msg('Language of the card')}</label>
      <select id="${form}-language" name="language">
        ${languages.map((language) => html`<option value=${language} ?selected=${language === this.locale}>${languageName(language)}</option>`)}
      </select>`;
  }

  #renderCards(cards: VoucherCard[], organization: Organization): TemplateResult {
    const locale = this.locale;
    return html`<section aria-labelledby="cards-heading" part="cards" class="cards">
      <div class="screen">
        <h3 id="cards-heading" tabindex="-1">
          ${plural(cards.length, locale, {
            one: () => msg(str`${cards.length} voucher issued`),
            other: () => msg(str`${cards.length} vouchers issued`),
          })}
        </h3>
        <p class="warning" role="alert">
          ${msg('Print the cards now: their codes and PINs are shown only this once and cannot be shown again.')}
        </p>
        <div class="actions">
          <button part="button" type="button" @click=${() => window.print()}>${msg('Print the cards')}</button>
          <button part="button" type="button" class="secondary" @click=${this.#closeCards}>${msg('Done: the cards are printed')}</button>
        </div>
      </div>
      ${cards.map((card) => voucherCard(card, organization.name))}
    </section>`;
  }

  #filtered(): Beneficiary[] {
    const filter = this.filter.trim().toLowerCase();
    return filter === '' ? this.beneficiaries : this.beneficiaries.filter((beneficiary) => beneficiary.reference?.toLowerCase().includes(filter));
  }

  #select(beneficiaries: Beneficiary[], on: boolean): void {
    const selected = new Set(this.selected);
    for (const beneficiary of beneficiaries) {
      if (on && beneficiary.erased_at === null) selected.add(beneficiary.id);
      else selected.delete(beneficiary.id);
    }
    this.selected = selected;
  }

  #poolName(poolId: string): string {
    const pool = this.pools.find((candidate) => candidate.id === poolId);
    if (pool === undefined) return poolId;
    // The server names a circuit's general pool in English ("Vigevano general pool"); the other
    // kinds carry a title or an operator's name. Two circuits' general pools keep their names apart.
    const generalPools = this.pools.filter((candidate) => candidate.kind === 'general').length;
    return pool.kind === 'general' && generalPools === 1 ? msg('General fund of the circuit') : pool.name;
  }

  /** The amount typed, in cents (`50`, `50,00`, `12.5`); undefined when it is not one. */
  #amountField(): number | undefined {
    const text = this.renderRoot.querySelector<HTMLInputElement>('#amount')?.value.trim().replace(',', '.') ?? '';
    if (!/^\d{1,6}(\.\d{1,2})?$/.test(text)) return undefined;
    const cents = Math.round(Number(text) * 100);
    return cents > 0 ? cents : undefined;
  }

  #refuse(field: Field, text: () => string): void {
    this.invalid = field;
    this.tell('error', text);
    this.focusLater(`#${field}`);
  }

  async #issue(event: Event): Promise<void> {
    event.preventDefault();
    const locale = this.locale;
    const amount = this.#amountField();
    const ids = this.beneficiaries.filter((beneficiary) => this.selected.has(beneficiary.id)).map((beneficiary) => beneficiary.id);
    if (ids.length > maxVouchersPerBatch) return this.#refuse('amount', () => msg(str`At most ${maxVouchersPerBatch} vouchers at a time.`));
    if (amount === undefined) return this.#refuse('amount', () => msg('Type the amount of each voucher in euros, such as 50 or 12,50.'));
    const poolId = this.renderRoot.querySelector<HTMLSelectElement>('#pool')?.value ?? this.allocations[0]!.pool_id;
    const remaining = this.allocations.find((allocation) => allocation.pool_id === poolId)!.remaining;
    if (amount * ids.length > remaining) {
      return this.#refuse('amount', () =>
        msg(str`${formatMoney(amount * ids.length, 'EUR', locale)} is more than your allocation has left: ${formatMoney(remaining, 'EUR', locale)}.`),
      );
    }
    const date = this.renderRoot.querySelector<HTMLInputElement>('#expires')!.value;
    // The end of the chosen day, on the desk's clock (Italian time in the circuits).
    const expiresAt = date === '' ? undefined : new Date(`${date}T23:59:59`);
    if (expiresAt !== undefined && !(expiresAt.getTime() > Date.now())) return this.#refuse('expires', () => msg('Choose a day after today.'));
    this.invalid = undefined;
    const body = {
      vouchers: ids.map((beneficiary_id) => ({
        beneficiary_id,
        pool_id: poolId,
        amount,
        ...(expiresAt === undefined ? {} : { expires_at: expiresAt.toISOString() }),
      })),
    };
    if (this.#issueIntent?.body !== JSON.stringify(body)) this.#issueIntent = { body: JSON.stringify(body), key: crypto.randomUUID() };
    const idempotencyKey = this.#issueIntent.key;
    const issued = await this.attempt(() => request<{ data: IssuedVoucher[] }>(this.api, 'POST', '/v1/vouchers/batch', { authorized: true, body, idempotencyKey }), '#amount');
    if (issued === undefined) {
      if (!this.answerMayStillCome()) this.#issueIntent = undefined;
      return;
    }
    this.#issueIntent = undefined;
    const cards = issued.data.map((voucher) => ({ voucher, beneficiary: this.beneficiaries.find((beneficiary) => beneficiary.id === voucher.beneficiary_id)! }));
    const vouchers = await this.#showCards(cards);
    this.selected = new Set();
    this.tell('success', () =>
      plural(cards.length, locale, {
        one: () => msg(str`${cards.length} voucher issued. Print its card now.`),
        other: () => msg(str`${cards.length} vouchers issued. Print their cards now.`),
      }),
    );
    this.emit<VouchersIssuedDetail>('mentoring-voucher-issued', { vouchers });
    await this.attempt(async () => void (this.allocations = await this.#allocations()));
  }

  async #showVouchers(beneficiary: Beneficiary | undefined): Promise<void> {
    this.shown = beneficiary?.id;
    if (beneficiary === undefined) return;
    const paths = await this.attempt(() =>
      request<{ data: BeneficiaryPath[] }>(this.api, 'GET', `/v1/beneficiaries/${beneficiary.id}/paths`, { authorized: true, fresh: true }),
    );
    if (paths === undefined) return;
    const waiting = paths.data.filter((path) => path.bonus !== null && path.bonus.status !== 'to_earn' && path.bonus.card_issued_at === null);
    this.bonuses = new Map([...this.bonuses, [beneficiary.id, waiting]]);
  }

  /** The bonus voucher's code and PIN are made now, shown on its card once, like an issued voucher's. */
  async #bonusCard(beneficiary: Beneficiary, path: BeneficiaryPath): Promise<void> {
    const card = `${beneficiary.id}/paths/${path.path_id}`;
    // Its code and PIN are shown once: a retry after a lost answer must get the same card back, not a 409.
    const idempotencyKey = this.#bonusKeys.get(card) ?? crypto.randomUUID();
    this.#bonusKeys.set(card, idempotencyKey);
    const voucher = await this.attempt(() =>
      request<IssuedVoucher>(this.api, 'POST', `/v1/beneficiaries/${card}/bonus-card`, { authorized: true, idempotencyKey }),
    );
    if (voucher === undefined && this.answerMayStillCome()) return;
    this.#bonusKeys.delete(card);
    if (voucher === undefined) return;
    await this.#showCards([{ voucher, beneficiary }]);
    this.bonuses = new Map([...this.bonuses, [beneficiary.id, (this.bonuses.get(beneficiary.id) ?? []).filter((candidate) => candidate !== path)]]);
    this.tell('success', () => msg('Bonus voucher ready. Print its card now.'));
  }

  /** Shows new cards to print, and lists their vouchers without code and PIN (in place of any listed before); answers those. */
  async #showCards(cards: VoucherCard[]): Promise<Voucher[]> {
    // Each card speaks its beneficiary's language: those texts are loaded before the cards show.
    await Promise.all([...new Set(cards.map((card) => card.beneficiary.language))].map((language) => loadLocale(language, this.localName)));
    const listed = cards.map(({ voucher: { code: _code, pin: _pin, ...voucher } }) => voucher);
    this.vouchers = [...this.vouchers.filter((voucher) => !listed.some((card) => card.id === voucher.id)), ...listed];
    this.cards = cards;
    this.#printCards(true);
    this.focusLater('#cards-heading');
    return listed;
  }

  #closeCards(): void {
    this.cards = undefined;
    this.notice = undefined;
    this.#printCards(false);
    this.focusLater('#issue-heading');
  }

  /** While cards are shown, the page prints the desk alone. */
  #printCards(on: boolean): void {
    if (printTheDeskOnly === undefined) {
      printTheDeskOnly = new CSSStyleSheet();
      printTheDeskOnly.replaceSync(
        '@media print { body :not(mentoring-referrer-desk):not(:has(mentoring-referrer-desk)) { display: none !important; } @page { margin: 12mm; } }',
      );
    }
    const sheets = document.adoptedStyleSheets.filter((sheet) => sheet !== printTheDeskOnly);
    document.adoptedStyleSheets = on ? [...sheets, printTheDeskOnly] : sheets;
  }

  async #addOne(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const reference = (form.elements.namedItem('reference') as HTMLInputElement).value.trim();
    if (reference === '') return this.#refuse('reference', () => msg('Type your reference for the beneficiary, such as 3B-07.'));
    this.invalid = undefined;
    const profile = profileOf(form);
    const beneficiary = await this.attempt(() => this.#create(reference, profile), '#reference');
    if (beneficiary === undefined) {
      this.invalid = 'reference';
      return;
    }
    form.reset();
    this.#select([beneficiary], true);
    this.tell('success', () => msg(str`${reference} added and selected.`));
    this.focusLater('#reference');
  }

  async #addClass(event: Event): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const name = (form.elements.namedItem('class-name') as HTMLInputElement).value.trim().toUpperCase();
    const size = Number((form.elements.namedItem('class-size') as HTMLInputElement).value);
    if (!/^[\p{L}\d]{1,8}$/u.test(name)) return this.#refuse('class-name', () => msg('Type the class, such as 3B: letters and digits only.'));
    if (!Number.isInteger(size) || size < 1 || size > maxClassSize) {
      return this.#refuse('class-size', () => msg(str`From 1 to ${maxClassSize} pupils.`));
    }
    this.invalid = undefined;
    const profile = profileOf(form);
    const references = Array.from({ length: size }, (_, index) => `${name}-${String(index + 1).padStart(2, '0')}`);
    const added = await this.attempt(async () => {
      let created = 0;
      for (const reference of references) {
        // A pupil added before (a class entered twice, a dropped connection) is kept as is.
        if (this.beneficiaries.some((beneficiary) => beneficiary.reference === reference)) continue;
        await this.#create(reference, profile);
        created++;
      }
      return created;
    }, '#class-name');
    if (added === undefined) return;
    form.reset();
    this.filter = name;
    this.#select(
      this.beneficiaries.filter((beneficiary) => beneficiary.reference !== null && references.includes(beneficiary.reference)),
      true,
    );
    const locale = this.locale;
    this.tell('success', () =>
      plural(size, locale, {
        one: () => msg(str`Class ${name}: its pupil is selected (${added} new).`),
        other: () => msg(str`Class ${name}: ${size} pupils selected (${added} new).`),
      }),
    );
    this.focusLater('#issue-heading');
  }

  async #create(reference: string, profile: { age_band: AgeBand; language: Language }): Promise<Beneficiary> {
    const beneficiary = await request<Beneficiary>(this.api, 'POST', '/v1/beneficiaries', { authorized: true, body: { reference, ...profile } });
    this.beneficiaries = [...this.beneficiaries, beneficiary];
    this.emit<BeneficiaryCreatedDetail>('mentoring-beneficiary-created', { beneficiary });
    return beneficiary;
  }

  async #unlock(voucher: Voucher): Promise<void> {
    const unlocked = await this.attempt(() => request<Voucher>(this.api, 'POST', `/v1/vouchers/${voucher.id}/unlock`, { authorized: true }));
    if (unlocked === undefined) return;
    this.vouchers = this.vouchers.map((candidate) => (candidate.id === unlocked.id ? unlocked : candidate));
    this.tell('success', () => msg(str`Voucher …${unlocked.code_hint} unlocked: the beneficiary can type the PIN again.`));
    this.focusLater('#message');
    this.emit<VoucherUnlockedDetail>('mentoring-voucher-unlocked', { voucher: unlocked });
  }

  #allocations(): Promise<Allocation[]> {
    return listAll<Allocation>(this.api, '/v1/allocations', (allocation) => allocation.pool_id);
  }
}

function profileOf(form: HTMLFormElement): { age_band: AgeBand; language: Language } {
  return {
    age_band: (form.elements.namedItem('age') as HTMLSelectElement).value as AgeBand,
    language: (form.elements.namedItem('language') as HTMLSelectElement).value as Language,
  };
}
