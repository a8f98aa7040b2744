import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { needText } from '../../components/needs-board/need-text.js';
import { request } from '../../internal/api.js';
import { formatDate, formatMoney, formatMonth, formatNumber, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { baseStyles } from '../../internal/styles.js';
import { fetchFile, languageName, listAll, type Adoption, type ImpactFigures, type MentorImpact, type Organization } from '../internal/desk-api.js';
import { DeskElement } from '../internal/desk-element.js';
import { deskStyles } from '../internal/desk-styles.js';
import { impactChart } from './impact-chart.js';
import { mentorImpactStyles } from './mentor-impact.styles.js';

/**
 * @tagname mentoring-mentor-impact
 * @summary For a mentor (a shop, a business, a foundation): what its money did. Given, seats funded and seats used (its share, pro rata by amount), a chart by month, the breakdown by category, the needs it adopted on the needs board, the languages of the young people reached (counts only), their approved thank-you notes, and the figures as a CSV file. Opens with the mentor's desk key (rk_…), which reads and does nothing else.
 *
 * @fires mentoring-error - The API refused a step or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The page's box.
 * @csspart organization - The mentor's name.
 * @csspart form - The form that takes a desk key.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart totals - The totals.
 * @csspart chart - The chart of money given by month.
 * @csspart adoptions - The needs of the needs board the mentor adopted.
 * @csspart notes - The thank-you notes.
 *
 * @cssprop --mentoring-font-family - Font of the page; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour, the chart's labels.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour, the chart's lines.
 * @cssprop --mentoring-color-accent - Buttons and the chart's bars.
 * @cssprop --mentoring-color-on-accent - Text on buttons.
 * @cssprop --mentoring-color-error - Error messages.
 * @cssprop --mentoring-color-success - Confirmations.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringMentorImpact extends DeskElement {
  static override styles = [baseStyles, deskStyles, mentorImpactStyles];

  static override properties: PropertyDeclarations = {
    ...DeskElement.properties,
    impact: { state: true, attribute: false },
    adoptions: { state: true, attribute: false },
  };

  protected readonly deskKind = 'mentor';

  private impact: MentorImpact | undefined;
  /** The needs of the needs board the mentor adopted. */
  private adoptions: Adoption[] = [];

  protected deskTitle(): string {
    return msg('What your gifts did');
  }

  protected wrongKindText(): string {
    return msg("This key is not a mentor's: this page opens with the mentor's desk key.");
  }

  protected async opened(): Promise<void> {
    [this.impact, this.adoptions] = await Promise.all([
      request<MentorImpact>(this.api, 'GET', '/v1/mentors/me/impact', { authorized: true, fresh: true }),
      listAll<Adoption>(this.api, '/v1/mentors/me/adoptions', (adoption) => adoption.need.id),
    ]);
  }

  protected renderDesk(_organization: Organization): TemplateResult {
    const impact = this.impact;
    if (impact === undefined) return html`<p class="muted">${msg('Loading…')}</p>`;
    if (impact.totals.sponsorships === 0) {
      return html`<p>${msg('No gift yet: once you sponsor seats, this page shows what they became.')}</p>`;
    }
    return html`${this.#renderTotals(impact)}
      <section aria-labelledby="months-heading">
        <h3 id="months-heading">${msg('By month')}</h3>
        ${impactChart(impact.months, impact.currency, this.locale)}
        ${this.#renderTable(
          'months',
          msg('Month'),
          impact.months.map((month) => ({ label: formatMonth(month.month, this.locale), figures: month })),
          impact.currency,
        )}
      </section>
      <section aria-labelledby="categories-heading">
        <h3 id="categories-heading">${msg('By category')}</h3>
        ${this.#renderTable(
          'categories',
          msg('Category'),
          impact.categories.map((category) => ({
            label: category.name === null ? (category.category ?? msg('Not tied to a category')) : localizedText(category.name, this.locale),
            figures: category,
          })),
          impact.currency,
        )}
      </section>
      ${this.#renderAdoptions()} ${this.#renderLanguages(impact)} ${this.#renderNotes(impact)}`;
  }

  #renderTotals(impact: MentorImpact): TemplateResult {
    const locale = this.locale;
    const { totals } = impact;
    const reached = impact.languages.reduce((sum, language) => sum + language.beneficiaries, 0);
    return html`<dl class="totals" part="totals">
        <div><dt>${msg('Given')}</dt><dd>${formatMoney(totals.given, impact.currency, locale)}</dd></div>
        <div><dt>${msg('Seats funded')}</dt><dd>${formatNumber(totals.seats_funded, locale)}</dd></div>
        <div><dt>${msg('Seats used')}</dt><dd>${formatNumber(totals.seats_used, locale)}</dd></div>
        <div><dt>${msg('Young people reached')}</dt><dd>${formatNumber(reached, locale)}</dd></div>
      </dl>
      <p class="field-hint">
        ${msg('Seats used: your share of the seats booked with money from the funds you gave to, in proportion to what you gave.')}
      </p>
      <div class="actions">
        <button part="button" type="button" class="secondary" ?disabled=${this.busy} @click=${this.#download}>${msg('Download CSV')}</button>
      </div>`;
  }

  #renderTable(id: string, what: string, rows: { label: string; figures: ImpactFigures }[], currency: string): TemplateResult {
    const locale = this.locale;
    // Focusable, so a table wider than a phone can be scrolled from the keyboard.
    return html`<div class="table" tabindex="0">
      <table id="${id}-table">
        <thead>
          <tr>
            <th scope="col">${what}</th>
            <th scope="col">${msg('Given')}</th>
            <th scope="col">${msg('Seats funded')}</th>
            <th scope="col">${msg('Seats used')}</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            ({ label, figures }) => html`<tr>
              <th scope="row">${label}</th>
              <td>${formatMoney(figures.given, currency, locale)}</td>
              <td>${formatNumber(figures.seats_funded, locale)}</td>
              <td>${formatNumber(figures.seats_used, locale)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>`;
  }

  #renderAdoptions(): TemplateResult | typeof nothing {
    if (this.adoptions.length === 0) return nothing;
    const locale = this.locale;
    return html`<section aria-labelledby="adoptions-heading" part="adoptions">
      <h3 id="adoptions-heading">${msg('Needs you adopted')}</h3>
      <ul class="rows">
        ${this.adoptions.map(({ need, given_amount: given, seats_given: seats, outcome }) => {
          return html`<li>
            <div class="grow">
              <p><strong>${needText(need.title, locale)}</strong> · ${need.referrer_name}</p>
              <p class="muted">
                ${msg(str`Your part: ${formatMoney(given, need.currency, locale)}`)} ·
                ${plural(seats, locale, { one: () => msg(str`${seats} seat`), other: () => msg(str`${seats} seats`) })} ·
                ${msg(str`${need.seats_funded} of ${need.seats} seats funded`)}
              </p>
              <p>
                ${plural(outcome.vouchers_issued, locale, {
                  one: () => msg(str`${outcome.vouchers_issued} voucher issued`),
                  other: () => msg(str`${outcome.vouchers_issued} vouchers issued`),
                })},
                ${plural(outcome.seats_used, locale, {
                  one: () => msg(str`${outcome.seats_used} seat used`),
                  other: () => msg(str`${outcome.seats_used} seats used`),
                })}
              </p>
            </div>
            <span class="status">${needStatusText(need.status)}</span>
          </li>`;
        })}
      </ul>
    </section>`;
  }

  #renderLanguages(impact: MentorImpact): TemplateResult | typeof nothing {
    if (impact.languages.length === 0) return nothing;
    const locale = this.locale;
    return html`<section aria-labelledby="languages-heading">
      <h3 id="languages-heading">${msg('Young people reached, by language')}</h3>
      <ul class="languages">
        ${impact.languages.map(
          ({ language, beneficiaries }) => html`<li>
            <span lang=${language}>${languageName(language)}</span>:
            ${plural(beneficiaries, locale, {
              one: () => msg(str`${beneficiaries} young person`),
              other: () => msg(str`${beneficiaries} young people`),
            })}
          </li>`,
        )}
      </ul>
    </section>`;
  }

  #renderNotes(impact: MentorImpact): TemplateResult {
    const locale = this.locale;
    return html`<section aria-labelledby="notes-heading" part="notes">
      <h3 id="notes-heading">${msg('Thank-you notes')}</h3>
      ${impact.thank_you_notes.length === 0
        ? html`<p class="muted">${msg('No thank-you note yet. Young people can leave one after booking; their school checks it first.')}</p>`
        : html`<ul class="notes">
            ${impact.thank_you_notes.map(
              (note) => html`<li>
                <blockquote lang=${note.language}>${note.text}</blockquote>
                <p class="muted">${formatDate(note.created_at, locale)}</p>
              </li>`,
            )}
          </ul>`}
    </section>`;
  }

  /** The same figures as a spreadsheet: fetched with the key in the header (never in a URL), saved as the server sent it. */
  async #download(): Promise<void> {
    const csv = await this.attempt(() => fetchFile(this.api, '/v1/mentors/me/impact.csv'));
    if (csv === undefined) return;
    this.save(csv, `mentoring-impact-${new Date().toISOString().slice(0, 10)}.csv`);
    this.tell('success', () => msg('Figures downloaded.'));
  }
}

/** A need's state, as the mentor reads it. */
function needStatusText(status: Adoption['need']['status']): string {
  switch (status) {
    case 'open':
      return msg('Still open');
    case 'funded':
      return msg('Funded');
    case 'expired':
      return msg('Deadline passed');
    case 'closed':
      return msg('Withdrawn');
  }
}
