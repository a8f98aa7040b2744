import { msg } from '@lit/localize';
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { problemOf, request, type ApiSettings, type Page, type Problem } from '../../internal/api.js';
import { problemMessage } from '../../internal/problem-messages.js';

/** How many entries a public list asks for at a time. */
const pageSize = 12;

/**
 * A list of a public endpoint (`/v1/public/…`, no key), page by page: the first page, then more
 * on request. Beside the directory and the stories, not in src/internal: the forms do not load it.
 */
export class PublicPages<T extends { id: string }, P extends Page<T> = Page<T>> implements ReactiveController {
  entries: T[] = [];
  /** The first page's answer, with what the endpoint says beside its entries. */
  first: P | undefined;
  hasMore = false;
  loading = false;
  problem: Problem | undefined;
  /** Index of the first entry of the page that came after "Show more"; -1 when there is none to focus. */
  #newFrom = -1;
  /** A newer request wins over one still on its way (a filter changed meanwhile). */
  #asked = 0;
  #path = '';

  /** `host` shows each entry under an h3, in order. */
  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: ParentNode },
    private readonly api: () => ApiSettings,
    private readonly onProblem: (problem: Problem) => void,
  ) {
    host.addController(this);
  }

  /** After "Show more", the focus goes to the first new entry's heading. */
  hostUpdated(): void {
    if (this.#newFrom < 0 || this.loading) return;
    this.host.renderRoot.querySelectorAll<HTMLElement>('h3')[this.#newFrom]?.focus();
    this.#newFrom = -1;
  }

  /** The first page of `path`, whose query string names at least the circuit, replacing what was shown. */
  load(path: string): Promise<void> {
    this.#path = path;
    return this.#fetch(undefined);
  }

  /** The page after the last entry shown. */
  more(): Promise<void> {
    return this.#fetch(this.entries.at(-1)?.id);
  }

  /** Asks again for what failed: the first page, or the next. */
  retry(): Promise<void> {
    return this.#fetch(this.first === undefined ? undefined : this.entries.at(-1)?.id);
  }

  /** The status line (a live region), then "Show more" or "Try again": the same under every list. */
  footer(empty: string, shown: (count: number) => string): TemplateResult {
    const status = this.loading
      ? msg('Loading…')
      : this.problem !== undefined
        ? problemMessage(this.problem)
        : this.first === undefined
          ? ''
          : this.entries.length === 0
            ? empty
            : shown(this.entries.length);
    // "Show more" stays while the next page comes (aria-disabled, not disabled): the focus stays on it.
    const button = (text: string, action: () => unknown) =>
      html`<button part="button" type="button" class="secondary" aria-disabled=${this.loading ? 'true' : 'false'}
        @click=${() => this.loading || action()}>${text}</button>`;
    return html`<p part="message" class=${this.problem === undefined ? 'muted' : 'error'} role="status" aria-live="polite">${status}</p>
      ${this.problem?.code === 'network_error'
        ? button(msg('Try again'), () => this.retry())
        : this.hasMore && this.problem === undefined
          ? button(msg('Show more'), () => this.more())
          : nothing}`;
  }

  async #fetch(startingAfter: string | undefined): Promise<void> {
    const asked = ++this.#asked;
    this.loading = true;
    this.problem = undefined;
    if (startingAfter === undefined) {
      this.entries = [];
      this.first = undefined;
      this.hasMore = false;
    }
    this.host.requestUpdate();
    const after = startingAfter === undefined ? '' : `&starting_after=${encodeURIComponent(startingAfter)}`;
    try {
      const page = await request<P>(this.api(), 'GET', `${this.#path}&limit=${pageSize}${after}`);
      if (asked !== this.#asked) return;
      this.first ??= page;
      this.#newFrom = startingAfter === undefined ? -1 : this.entries.length;
      this.entries = [...this.entries, ...page.data];
      this.hasMore = page.has_more;
    } catch (error) {
      if (asked !== this.#asked) return;
      this.problem = problemOf(error);
      this.onProblem(this.problem);
    } finally {
      if (asked === this.#asked) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }
}
