import { LitElement, type PropertyDeclarations, type PropertyValues } from 'lit';
import type { ApiSettings, Problem } from './api.js';
import { inLocale, localeOf, type Locale } from './locale.js';
import { loadLocale } from './localization.js';
import { embedState } from './settings.js';

/** `detail` of `mentoring-error`, which every widget fires: the problem the person was shown. */
export interface ErrorDetail {
  code: string;
  problem: Problem;
}

declare global {
  interface HTMLElementEventMap {
    'mentoring-error': CustomEvent<ErrorDetail>;
  }
}

/** Elements on the page, re-rendered when `<html lang>` changes. */
const connected = new Set<MentoringElement>();
let pageLanguage: MutationObserver | undefined;

/** The base of every Mentoring element: events, the API, and rendering in the element's own locale. */
export class MentoringElement extends LitElement {
  // Static properties, not decorators: the same reactive properties without the decorators' code.
  // Internal state is declared as @state() would, `{ state: true, attribute: false }`; the
  // manifest reads `attribute: false`.
  static override properties: PropertyDeclarations = {
    lang: { reflect: true },
    apiOrigin: { attribute: 'api-origin' },
    publishableKey: { attribute: 'publishable-key' },
  };

  /** The language of the element (`it`, `en` or `sq`); else the page's, else the browser's, else Italian. */
  override lang!: string;

  /** The Mentoring server's origin; by default the origin the script tag was loaded from. */
  apiOrigin: string | undefined;

  /** The provider's publishable key (`pk_…`); by default the script tag's `data-key`. */
  publishableKey: string | undefined;

  /** The locale of the current render; set before every update. */
  protected locale: Locale = 'it';

  /** The API as this element reaches it (for request()): its own attributes first, then what the script tag said. */
  protected get api(): ApiSettings {
    const settings = embedState()?.settings;
    return {
      apiOrigin: this.apiOrigin ?? settings?.apiOrigin ?? location.origin,
      publishableKey: this.publishableKey ?? settings?.publishableKey,
    };
  }

  override connectedCallback(): void {
    super.connectedCallback();
    connected.add(this);
    pageLanguage ??= new MutationObserver(() => connected.forEach((element) => element.requestUpdate()));
    pageLanguage.observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    connected.delete(this);
  }

  /** Waits for the translations before rendering, so a page never flashes English first. */
  protected override async scheduleUpdate(): Promise<void> {
    const locale = localeOf(this);
    await loadLocale(locale, this.localName);
    this.locale = locale;
    super.scheduleUpdate();
  }

  protected override update(changed: PropertyValues): void {
    inLocale(this.locale, () => super.update(changed));
  }

  /** Tells the host page what the person was shown: `mentoring-error`, with the problem. */
  protected reportProblem(problem: Problem): void {
    this.emit<ErrorDetail>('mentoring-error', { code: problem.code, problem });
  }

  /** Fires an event the host page can listen to anywhere above the element: it bubbles and crosses shadow roots. */
  protected emit<Detail>(type: `mentoring-${string}`, detail: Detail): void {
    // Built apart from dispatchEvent(), so custom-elements.json does not list an event named "type".
    const event = new CustomEvent<Detail>(type, { detail, bubbles: true, composed: true });
    this.dispatchEvent(event);
  }
}
