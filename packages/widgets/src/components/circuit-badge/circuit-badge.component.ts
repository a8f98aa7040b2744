import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, request, type ApiSettings, type Badge, type BadgeKind, type Problem } from '../../internal/api.js';
import { formatNumber } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { MentoringElement } from '../../internal/mentoring-element.js';
import { problemMessage } from '../../internal/problem-messages.js';
import { baseStyles } from '../../internal/styles.js';
import { circuitBadgeStyles } from './circuit-badge.styles.js';
import { PathStamps } from '../../paths/path-stamps.js';

/** One request per badge subject and page, however many badges show it (the browser caches the answer for 30 s too). */
const badges = new Map<string, Promise<Badge>>();

function badgeOf(api: ApiSettings, kind: BadgeKind, id: string): Promise<Badge> {
  const key = `${api.apiOrigin} ${kind} ${id}`;
  let badge = badges.get(key);
  if (badge === undefined) {
    badge = request<Badge>(api, 'GET', `/v1/public/badges/${kind}/${encodeURIComponent(id)}`);
    // A failure is not kept: the next badge (or a retry) asks again.
    badge.catch(() => badges.delete(key));
    badges.set(key, badge);
  }
  return badge;
}

/**
 * @tagname mentoring-circuit-badge
 * @summary A badge that says a provider, a circuit or a mentor is part of Mentoring, with this season's sponsored seats.
 *
 * With `beneficiary` (and `circuit`), a young person also sees their path stamps: they enter their voucher's code
 * and PIN, or a booking reference, and get each path of the circuit with its steps done and to do.
 *
 * @fires mentoring-error - The counts could not be loaded, or the stamps not shown; `detail.code` says why.
 *
 * @csspart base - The badge's box.
 * @csspart stamps - The path stamps (with `beneficiary`): the form, then the paths.
 * @csspart form - The code and PIN (or booking reference) form.
 * @csspart code-input - The voucher code field.
 * @csspart pin-input - The PIN field.
 * @csspart booking-input - The booking reference field.
 * @csspart button - Every button of the stamps.
 * @csspart path - One path and its steps.
 * @csspart message - The status and error line of the stamps (a live region).
 * @csspart link - The link to the circuit's page (with `href`).
 * @csspart name - The provider's, circuit's or mentor's name (full variant).
 *
 * @cssprop --mentoring-color-accent - The mark and the link.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour.
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-font-family - Font of the badge; the system font by default.
 * @cssprop --mentoring-radius - Corner radius of the full variant (8px).
 */
export class MentoringCircuitBadge extends MentoringElement {
  static override styles = [baseStyles, circuitBadgeStyles];

  static override properties: PropertyDeclarations = {
    provider: {},
    circuit: {},
    mentor: {},
    variant: { reflect: true },
    href: {},
    beneficiary: { type: Boolean, reflect: true },
    badge: { state: true, attribute: false },
    problem: { state: true, attribute: false },
  };

  /** A provider's id: its circuit and the seats sponsored for its offers. */
  provider: string | undefined;
  /** A circuit's id: the seats sponsored in the whole circuit. */
  circuit: string | undefined;
  /** A mentor's id: the seats it sponsored. */
  mentor: string | undefined;
  /** `compact` (one line, 36 px high) or `full` (a card, 112 px high). */
  variant: 'compact' | 'full' = 'compact';
  /** The page of the circuit the badge links to; without it, the badge is plain text. */
  href: string | undefined;
  /** With `circuit`: adds the form where a voucher's holder sees their path stamps (needs the publishable key). */
  beneficiary = false;

  readonly #stamps = new PathStamps({
    api: () => this.api,
    locale: () => this.locale,
    render: () => {
      this.requestUpdate();
      return this.updateComplete;
    },
    root: () => this.renderRoot,
    report: (problem) => this.reportProblem(problem),
  });

  private badge: Badge | undefined;
  private problem: Problem | undefined;

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('provider') || changed.has('circuit') || changed.has('mentor') || changed.has('apiOrigin')) void this.#load();
  }

  protected override render(): TemplateResult {
    const full = this.variant === 'full';
    return html`<div class="root ${full ? 'full' : ''}" part="base">
        ${full ? nothing : html`<span class="mark" aria-hidden="true"></span>`}
        ${this.badge === undefined ? this.#renderWaiting() : full ? this.#renderFull(this.badge) : this.#renderCompact(this.badge)}
      </div>
      ${this.beneficiary && this.circuit ? this.#stamps.render() : nothing}`;
  }

  #renderWaiting(): TemplateResult {
    return html`<span class="line placeholder" role="status">
      ${this.problem === undefined ? msg('Mentoring circuit') : problemMessage(this.problem)}
    </span>`;
  }

  #renderCompact(badge: Badge): TemplateResult {
    return html`<span class="line">${this.#link(badge, this.#summary(badge))}</span>`;
  }

  #renderFull(badge: Badge): TemplateResult {
    const redeemed = badge.seats_redeemed;
    return html`<span class="line name" part="name">${badge.name}</span>
      <span class="line">${this.#seatsSponsored(badge)}</span>
      ${redeemed === undefined
        ? nothing
        : html`<span class="line muted">
            ${plural(redeemed, this.locale, {
              one: () => msg(str`${formatNumber(redeemed, this.locale)} seat taken here with culture vouchers`),
              other: () => msg(str`${formatNumber(redeemed, this.locale)} seats taken here with culture vouchers`),
            })}
          </span>`}
      ${badge.circuit === null
        ? nothing
        : html`<span class="line">${this.#link(badge, msg(str`Part of the ${badge.circuit.name} circuit`))}</span>`}`;
  }

  /** The one line of the compact badge. */
  #summary(badge: Badge): string {
    if (badge.kind === 'mentor' || badge.circuit === null) return this.#seatsSponsored(badge);
    return `${msg(str`Part of the ${badge.circuit.name} circuit`)} · ${this.#seatsSponsored(badge)}`;
  }

  #seatsSponsored(badge: Badge): string {
    const seats = badge.seats_sponsored;
    const count = formatNumber(seats, this.locale);
    if (badge.kind === 'mentor') {
      return plural(seats, this.locale, {
        one: () => msg(str`${badge.name} sponsored ${count} seat this season`),
        other: () => msg(str`${badge.name} sponsored ${count} seats this season`),
      });
    }
    return plural(seats, this.locale, {
      one: () => msg(str`${count} seat sponsored this season`),
      other: () => msg(str`${count} seats sponsored this season`),
    });
  }

  #link(badge: Badge, text: string): TemplateResult | string {
    if (this.href === undefined || badge.circuit === null) return text;
    return html`<a part="link" href=${this.href}>${text}</a>`;
  }

  async #load(): Promise<void> {
    const subject = this.#subject();
    this.badge = undefined;
    this.problem = undefined;
    if (subject === undefined) return;
    try {
      this.badge = await badgeOf(this.api, subject.kind, subject.id);
    } catch (error) {
      this.problem = problemOf(error);
      this.reportProblem(this.problem);
    }
  }

  #subject(): { kind: BadgeKind; id: string } | undefined {
    if (this.provider) return { kind: 'provider', id: this.provider };
    if (this.circuit) return { kind: 'circuit', id: this.circuit };
    if (this.mentor) return { kind: 'mentor', id: this.mentor };
    console.error('Mentoring: <mentoring-circuit-badge> needs a provider, circuit or mentor attribute.');
    return undefined;
  }
}
