import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import type { PublicStory } from '../../internal/api.js';
import { formatDate, formatNumber, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { baseStyles } from '../../internal/styles.js';
import { PublicPages } from '../public-pages/public-pages.js';
import { storiesStyles } from './stories.styles.js';

/**
 * @tagname mentoring-stories
 * @summary A circuit's stories of good practice, written by its venues and schools and approved by its operator, with the numbers behind them.
 *
 * @fires mentoring-error - The stories could not be loaded; `detail.code` says why.
 *
 * @csspart base - The widget's box.
 * @csspart list - The list of stories.
 * @csspart story - One story's card.
 * @csspart photo - A story's photo.
 * @csspart numbers - The numbers behind a story.
 * @csspart button - "Show more" and "Try again".
 * @csspart message - The status line (a live region).
 *
 * @cssprop --mentoring-font-family - Font of the widget; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour of the box and the cards.
 * @cssprop --mentoring-color-accent - The numbers and the buttons.
 * @cssprop --mentoring-color-error - Error messages.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringStories extends MentoringElement {
  static override styles = [baseStyles, storiesStyles];

  static override properties: PropertyDeclarations = {
    circuit: {},
  };

  /** The id of the circuit whose stories these are. */
  circuit = '';

  #pages = new PublicPages<PublicStory>(
    this,
    () => this.api,
    (problem) => this.reportProblem(problem),
  );

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('circuit') && !changed.has('apiOrigin')) return;
    if (this.circuit) void this.#pages.load(`/v1/public/stories?circuit=${encodeURIComponent(this.circuit)}`);
    else console.error('Mentoring: <mentoring-stories> needs a circuit attribute.');
  }

  protected override render(): TemplateResult {
    return html`<div class="root" part="base">
      <h2>${msg('Stories of good practice')}</h2>
      <ul part="list" class="stories">
        ${this.#pages.entries.map((story) => this.#story(story))}
      </ul>
      ${this.#pages.footer(msg('No stories yet: the first ones are being written.'), () => '')}
    </div>`;
  }

  #story(story: PublicStory): TemplateResult {
    const locale = this.locale;
    const photo = story.photo;
    const numbers = story.numbers;
    const count = (value: number) => formatNumber(value, locale);
    /** A line of the numbers; none where the number is missing (undefined), or where no path was completed. */
    const line = (value: number | undefined, forms: { one: () => string; other: () => string }) =>
      value === undefined ? nothing : html`<li>${plural(value, locale, forms)}</li>`;
    return html`<li part="story" class="story">
      ${photo === null
        ? nothing
        : html`<img part="photo" src=${new URL(photo.url, this.api.apiOrigin).href} width=${photo.width} height=${photo.height}
            alt=${localizedText(photo.alt, locale)} loading="lazy" decoding="async" />`}
      <h3 tabindex="-1">${localizedText(story.title, locale)}</h3>
      <p class="muted">${story.author.name} · ${formatDate(story.published_at, locale)}</p>
      ${localizedText(story.body, locale)
        .split(/\n+/)
        .map((paragraph) => html`<p>${paragraph}</p>`)}
      <ul part="numbers" class="numbers" aria-label=${msg(str`The numbers behind it, on ${formatDate(numbers.as_of, locale)}`)}>
        ${line(numbers.seats_redeemed, {
          one: () => msg(str`${count(numbers.seats_redeemed)} seat taken with culture vouchers`),
          other: () => msg(str`${count(numbers.seats_redeemed)} seats taken with culture vouchers`),
        })}
        ${line(numbers.vouchers_issued, {
          one: () => msg(str`${count(numbers.vouchers_issued!)} voucher issued`),
          other: () => msg(str`${count(numbers.vouchers_issued!)} vouchers issued`),
        })}
        ${line(numbers.paths_completed || undefined, {
          one: () => msg(str`${count(numbers.paths_completed)} path completed`),
          other: () => msg(str`${count(numbers.paths_completed)} paths completed`),
        })}
        ${line(numbers.offers, {
          one: () => msg(str`${count(numbers.offers!)} offer in the circuit`),
          other: () => msg(str`${count(numbers.offers!)} offers in the circuit`),
        })}
      </ul>
    </li>`;
  }
}
