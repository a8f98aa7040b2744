import { msg } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, request, type ApiSettings, type Problem } from '../../internal/api.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { embedState } from '../../internal/settings.js';
import type { Organization } from './desk-api.js';
import { deskProblemMessage } from './desk-problems.js';

/** The Mentoring server, when the desk's code came from its /embed/v1/desk/ (the script tag of a staff page). */
const servedFrom = new URL(import.meta.url).origin;

/** A key a desk can open with: rk_test_… or rk_live_… */
const deskKeyPattern = /^rk_(test|live)_[A-Za-z0-9]{32,64}$/;

/**
 * A line for the live region, worded when the element renders, so it follows the element's
 * language: how a step went, or (`error`) a refusal of the desk's own, such as a field typed wrong.
 */
export type Notice = { tone: 'muted' | 'success' | 'error'; text: () => string };

/**
 * The base of the staff desks: a desk key (`desk-key`, or typed into the desk and kept in memory
 * only), the organization it opens, and one status line. A desk never takes a secret or a
 * publishable key: a secret key must never reach a web page, and a publishable one cannot do
 * the desk's work.
 */
export abstract class DeskElement extends MentoringElement {
  static override properties: PropertyDeclarations = {
    ...MentoringElement.properties,
    // A desk takes no publishable key: it cannot do a desk's work.
    publishableKey: { attribute: false },
    deskKey: { attribute: 'desk-key' },
    organization: { state: true, attribute: false },
    opening: { state: true, attribute: false },
    problem: { state: true, attribute: false },
    notice: { state: true, attribute: false },
    busy: { state: true, attribute: false },
  };

  /** The organization's desk key (`rk_…`); without it, the desk asks staff to type one. */
  deskKey: string | undefined;

  /** Not used by a desk, which takes a desk key (`desk-key`), never a publishable one. */
  declare publishableKey: string | undefined;

  /** The organization the key opened; the desk's work starts once it is known. */
  protected organization: Organization | undefined;
  protected opening = false;
  /** The last refusal, shown in the status line (and under a field, where a field caused it). */
  protected problem: Problem | undefined;
  protected notice: Notice | undefined;
  /** Set while a request of the desk runs: its buttons wait. */
  protected busy = false;

  /** A key typed into the desk: kept in this element only, gone when the page closes. */
  #typedKey: string | undefined;
  #moveFocus: string | undefined;

  /** The kind of organization whose desk this is. */
  protected abstract readonly deskKind: 'provider' | 'referrer' | 'mentor';
  /** The desk's name, in the heading. */
  protected abstract deskTitle(): string;
  /** Why a key of another kind of organization does not open this desk. */
  protected abstract wrongKindText(): string;
  /** The desk itself, once open. */
  protected abstract renderDesk(organization: Organization): TemplateResult;
  /** Loads what the desk shows, once the key opened it. */
  protected abstract opened(): Promise<void>;

  /** The API with the desk key: request() sends `publishableKey` as the bearer key, here the desk's. */
  protected override get api(): ApiSettings {
    return {
      apiOrigin: this.apiOrigin ?? embedState()?.settings?.apiOrigin ?? servedFrom,
      publishableKey: this.deskKey ?? this.#typedKey,
    };
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('deskKey') || changed.has('apiOrigin')) void this.#open();
  }

  protected override updated(): void {
    const target = this.#moveFocus;
    if (target === undefined) return;
    this.#moveFocus = undefined;
    this.renderRoot.querySelector<HTMLElement>(target)?.focus();
  }

  protected override render(): TemplateResult {
    const organization = this.organization;
    return html`<div class="root" part="base">
      <header class="desk-header">
        <h2 tabindex="-1">${this.deskTitle()}</h2>
        ${organization === undefined
          ? nothing
          : html`<p class="muted" part="organization">${organization.name}</p>
              ${this.#typedKey === undefined
                ? nothing
                : html`<button part="button" type="button" class="secondary" @click=${this.#close}>${msg('Close the desk')}</button>`}`}
      </header>
      ${organization === undefined ? this.#renderSignIn() : this.renderDesk(organization)}
      <p part="message" id="message" tabindex="-1" class=${this.problem === undefined ? (this.notice?.tone ?? 'muted') : 'error'} role="status" aria-live="polite">
        ${this.problem === undefined ? (this.notice?.text() ?? '') : this.problemText(this.problem)}
      </p>
    </div>`;
  }

  /** What staff read for a refusal; a desk adds the refusals only it meets. */
  protected problemText(problem: Problem): string {
    return deskProblemMessage(problem);
  }

  /**
   * Whether the last step's refusal may still be followed by its answer: the connection dropped, the
   * first try is still running, or the server failed. Its Idempotency-Key is kept for the retry then,
   * which gets the answer made; after any other refusal the next try is a new request.
   */
  protected answerMayStillCome(): boolean {
    const problem = this.problem;
    return problem !== undefined && (problem.code === 'network_error' || problem.code === 'idempotency_in_flight' || problem.status >= 500);
  }

  /** Shows a refusal, tells the host page, and moves the focus to `focus` (a selector), else to the status line. */
  protected fail(problem: Problem, focus = '#message'): void {
    this.problem = problem;
    this.notice = undefined;
    this.reportProblem(problem);
    this.focusLater(focus);
  }

  /** Says how a step went, in the status line. */
  protected tell(tone: Notice['tone'], text: () => string): void {
    this.problem = undefined;
    this.notice = { tone, text };
  }

  /** Moves the keyboard focus to `selector` after the next render (a heading, a field). */
  protected focusLater(selector: string): void {
    this.#moveFocus = selector;
  }

  /** Runs a request of the desk: one at a time, its refusal shown; answers undefined when refused. */
  protected async attempt<T>(run: () => Promise<T>, focus?: string): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.problem = undefined;
    try {
      return await run();
    } catch (error) {
      this.fail(problemOf(error), focus);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  /** Has the browser save `file` (a CSV the API answered) as `name`: no key in any URL, the bytes as sent. */
  protected save(file: Blob, name: string): void {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(file);
    link.download = name;
    this.renderRoot.append(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(link.href);
  }

  #renderSignIn(): TemplateResult {
    if (this.opening) return html`<p class="muted">${msg('Opening the desk…')}</p>`;
    return html`<form part="form" novalidate @submit=${this.#signIn}>
      <label for="desk-key">${msg('Desk key')}</label>
      <input
        id="desk-key"
        name="desk-key"
        type="password"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="desk-key-hint"
        aria-invalid=${String(this.problem !== undefined || this.notice?.tone === 'error')}
      />
      <p id="desk-key-hint" class="field-hint">
        ${msg("Your organization's desk key, rk_live_… It stays in this page only, until you close the desk or the page.")}
      </p>
      <div class="actions"><button part="button" type="submit">${msg('Open the desk')}</button></div>
    </form>`;
  }

  #signIn(event: Event): void {
    event.preventDefault();
    const key = this.renderRoot.querySelector<HTMLInputElement>('#desk-key')!.value.trim();
    // A key the desk does not send anywhere: the status line says why.
    if (key.startsWith('sk_')) {
      this.tell('error', () => msg('This is a secret key: it must never be typed into a web page. Have it revoked, and use a desk key (rk_…).'));
      this.focusLater('#desk-key');
    } else if (!deskKeyPattern.test(key)) {
      this.tell('error', () => msg('A desk key starts with rk_live_ or rk_test_. Check it and try again.'));
      this.focusLater('#desk-key');
    } else {
      this.#typedKey = key;
      void this.#open();
    }
  }

  async #open(): Promise<void> {
    this.organization = undefined;
    this.problem = undefined;
    this.notice = undefined;
    if (this.api.publishableKey === undefined) return;
    this.opening = true;
    try {
      const organization = await request<Organization>(this.api, 'GET', '/v1/organizations/me', { authorized: true, fresh: true });
      if (organization.kind !== this.deskKind) {
        this.#typedKey = undefined;
        this.tell('error', () => this.wrongKindText());
        this.focusLater('#desk-key');
        return;
      }
      this.organization = organization;
      this.focusLater('h2');
    } catch (error) {
      this.#typedKey = undefined;
      this.fail(problemOf(error), '#desk-key');
      return;
    } finally {
      this.opening = false;
    }
    await this.attempt(() => this.opened());
  }

  #close(): void {
    this.#typedKey = undefined;
    this.organization = undefined;
    this.problem = undefined;
    this.notice = undefined;
    this.focusLater('#desk-key');
  }
}
