import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { DirectoryEntry, DirectoryKind, DirectoryPage } from '../../internal/api.js';
import { formatNumber, localizedText } from '../../internal/format.js';
import { plural, type Locale } from '../../internal/locale.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { baseStyles } from '../../internal/styles.js';
import { PublicPages } from '../public-pages/public-pages.js';
import { directoryStyles } from './directory.styles.js';

type Filter = 'kind' | 'category' | 'language';

/**
 * @tagname mentoring-directory
 * @summary A circuit's open directory: the culture venues, schools, associations and mentors that chose a public profile, with filters.
 *
 * @fires mentoring-error - The directory could not be loaded; `detail.code` says why.
 *
 * @csspart base - The widget's box.
 * @csspart filters - The filters' form.
 * @csspart list - The list of cards.
 * @csspart card - One organization's card.
 * @csspart link - A website or email link in a card.
 * @csspart button - "Show more" and "Try again".
 * @csspart message - The status line (a live region): how many are shown, or what went wrong.
 *
 * @cssprop --mentoring-font-family - Font of the widget; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour of the box, the cards and the filters.
 * @cssprop --mentoring-color-accent - Links and buttons.
 * @cssprop --mentoring-color-error - Error messages.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringDirectory extends MentoringElement {
  static override styles = [baseStyles, directoryStyles];

  static override properties: PropertyDeclarations = {
    circuit: {},
    kind: {},
    category: {},
    language: {},
  };

  /** The id of the circuit whose directory this is. */
  circuit = '';
  /** Show only `provider`s (culture venues), `referrer`s (schools and associations) or `mentor`s; all when empty. */
  kind: DirectoryKind | '' = '';
  /** Show only those with this category (its slug, e.g. `theatre`); all when empty. */
  category = '';
  /** Show only those who speak this language (`it`, `en`, `sq`, `ar`…); all when empty. */
  language = '';

  #pages = new PublicPages<DirectoryEntry, DirectoryPage>(
    this,
    () => this.api,
    (problem) => this.reportProblem(problem),
  );

  /** The circuit and what its filters offer, kept while the next page comes: the filters stay put. */
  #circuit: DirectoryPage['circuit'] | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('circuit')) this.#circuit = undefined;
    const filters = ['circuit', 'kind', 'category', 'language', 'apiOrigin'] as const;
    if (filters.some((name) => changed.has(name))) this.#load();
    this.#circuit = this.#pages.first?.circuit ?? this.#circuit;
  }

  protected override render(): TemplateResult {
    const pages = this.#pages;
    const circuit = this.#circuit;
    return html`<div class="root" part="base">
      <h2>${circuit === undefined ? msg('Directory') : msg(str`Who is who in the ${circuit.name} circuit`)}</h2>
      <form part="filters" class="filters" @change=${this.#filter} @submit=${(event: Event) => event.preventDefault()}>
        ${this.#select('kind', msg('Who'), [
          ['provider', msg('Culture venues')],
          ['referrer', msg('Schools and associations')],
          ['mentor', msg('Mentors')],
        ])}
        ${this.#select('category', msg('Category'), circuit?.categories.map((category) => [category.slug, localizedText(category.name, this.locale)]) ?? [])}
        ${this.#select('language', msg('Language spoken'), languages(circuit, this.language).map((code) => [code, languageName(code, this.locale)]))}
      </form>
      <ul part="list" class="cards">
        ${pages.entries.map((entry) => this.#card(entry))}
      </ul>
      ${pages.footer(msg('No one matches these filters yet.'), (count) =>
        plural(count, this.locale, {
          one: () => msg(str`${formatNumber(count, this.locale)} organization shown`),
          other: () => msg(str`${formatNumber(count, this.locale)} organizations shown`),
        }),
      )}
    </div>`;
  }

  #select(name: Filter, label: string, options: [string, string][]): TemplateResult {
    const value = this[name];
    // A filter set by an attribute that the circuit does not offer is still shown as chosen, never as "All".
    const choices: [string, string][] = value === '' || options.some(([option]) => option === value) ? options : [...options, [value, value]];
    return html`<div>
      <label for=${name}>${label}</label>
      <select id=${name} name=${name} .value=${value}>
        <option value="" ?selected=${value === ''}>${msg('All')}</option>
        ${choices.map(([option, text]) => html`<option value=${option} ?selected=${option === value}>${text}</option>`)}
      </select>
    </div>`;
  }

  #card(entry: DirectoryEntry): TemplateResult {
    const locale = this.locale;
    const place = entry.location;
    const categories = this.#circuit?.categories ?? [];
    const categoryNames = entry.categories.map((slug) => {
      const category = categories.find((known) => known.slug === slug);
      return category === undefined ? slug : localizedText(category.name, locale);
    });
    const website = entry.website?.startsWith('https://') ? entry.website : null;
    return html`<li part="card" class="card">
      <h3 tabindex="-1">${entry.display_name}</h3>
      <p class="muted">${kindName(entry.kind)}${place === null ? '' : ` · ${place.city}`}</p>
      ${entry.description === null ? nothing : html`<p>${localizedText(entry.description, locale)}</p>`}
      ${categoryNames.length === 0 ? nothing : html`<p class="tags">${categoryNames.join(' · ')}</p>`}
      ${entry.languages.length === 0
        ? nothing
        : html`<p>${msg(str`Speaks: ${entry.languages.map((code) => languageName(code, locale)).join(', ')}`)}</p>`}
      ${place?.address ? html`<p>${place.address}, ${place.city}</p>` : nothing}
      ${website === null && entry.contact_email === null
        ? nothing
        : html`<p class="links">
            ${website === null
              ? nothing
              : html`<a part="link" href=${website} target="_blank" rel="noopener noreferrer"
                  >${msg('Website')}<span class="hidden"> ${msg(str`of ${entry.display_name} (opens in a new tab)`)}</span></a
                >`}
            ${entry.contact_email === null
              ? nothing
              : html`<a part="link" href=${`mailto:${entry.contact_email}`}>${entry.contact_email}</a>`}
          </p>`}
    </li>`;
  }

  #filter(event: Event): void {
    const select = event.target as HTMLSelectElement;
    this[select.name as Filter] = select.value as DirectoryKind;
  }

  #load(): void {
    if (!this.circuit) {
      console.error('Mentoring: <mentoring-directory> needs a circuit attribute.');
      return;
    }
    const query = new URLSearchParams({ circuit: this.circuit });
    for (const name of ['kind', 'category', 'language'] as const) if (this[name]) query.set(name, this[name]);
    void this.#pages.load(`/v1/public/directory?${query}`);
  }
}

/** The languages the filter offers: those of the circuit's profiles, and the one asked for. */
function languages(circuit: DirectoryPage['circuit'] | undefined, chosen: string): string[] {
  const spoken = circuit?.languages ?? [];
  return chosen === '' || spoken.includes(chosen) ? spoken : [...spoken, chosen];
}

function kindName(kind: DirectoryKind): string {
  return kind === 'provider' ? msg('Culture venue') : kind === 'referrer' ? msg('School or association') : msg('Mentor');
}

/** The language's name in the locale (Italian names where the browser has no Albanian data), else its code. */
function languageName(code: string, locale: Locale): string {
  return new Intl.DisplayNames([locale, 'it'], { type: 'language' }).of(code) ?? code;
}
