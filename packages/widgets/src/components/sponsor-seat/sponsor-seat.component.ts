import { msg, str } from '@lit/localize';
import { html, nothing, type PropertyDeclarations, type PropertyValues, type TemplateResult } from 'lit';
import { problemOf, request, type Problem, type PublicCampaign } from '../../internal/api.js';
import { formatDate, formatMoney, formatNumber, localizedText } from '../../internal/format.js';
import { plural } from '../../internal/locale.js';
import { baseStyles } from '../../internal/styles.js';
import { Gift, GiftElement, retryButton, type SponsoredDetail } from './gift.js';
import { sponsorSeatStyles } from './sponsor-seat.styles.js';

export type { SponsoredDetail };

/**
 * @tagname mentoring-sponsor-seat
 * @summary "Sponsor a seat": a campaign's progress, and a mentor's gift of seats or an amount, paid through Mentoring.
 *
 * @fires mentoring-sponsored - The gift is recorded (paid, or waiting for a bank transfer); `detail.sponsorship` is it.
 * @fires mentoring-error - The API refused the gift or could not be reached; `detail.code` is the problem's code.
 *
 * @csspart base - The widget's box.
 * @csspart campaign - The campaign's title, offer and deadline.
 * @csspart progress - The progress bar of seats funded.
 * @csspart form - The gift form.
 * @csspart button - Every button.
 * @csspart message - The status and error line (a live region).
 * @csspart receipt - The receipt reference in the thank-you.
 *
 * @cssprop --mentoring-font-family - Font of the widget; the system font by default.
 * @cssprop --mentoring-font-size - Base font size, in px (16px).
 * @cssprop --mentoring-color-text - Text colour.
 * @cssprop --mentoring-color-muted - Secondary text colour.
 * @cssprop --mentoring-color-surface - Background colour.
 * @cssprop --mentoring-color-border - Border colour, and the empty part of the progress bar.
 * @cssprop --mentoring-color-accent - Buttons and the funded part of the progress bar.
 * @cssprop --mentoring-color-on-accent - Text on buttons.
 * @cssprop --mentoring-color-error - Error messages and invalid fields.
 * @cssprop --mentoring-color-success - Confirmations.
 * @cssprop --mentoring-color-focus - The focus ring.
 * @cssprop --mentoring-radius - Corner radius (8px).
 */
export class MentoringSponsorSeat extends GiftElement {
  static override styles = [baseStyles, sponsorSeatStyles];

  static override properties: PropertyDeclarations = {
    campaign: {},
    details: { state: true, attribute: false },
  };

  /** The id of the campaign to fund. */
  campaign = '';

  private details: PublicCampaign | undefined;
  readonly #gift = new Gift(this, 'h2');

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('campaign')) void this.#loadCampaign();
  }

  protected override render(): TemplateResult {
    const campaign = this.details;
    const gift = this.#gift;
    return html`<div class="root" part="base">
      ${campaign === undefined
        ? html`<h2 tabindex="-1">${msg('Sponsor a seat')}</h2>
            ${gift.problem?.code === 'network_error' ? retryButton(() => this.#loadCampaign()) : nothing}`
        : html`${this.#renderCampaign(campaign)}
          ${gift.sponsorship !== undefined
            ? gift.renderThanks(msg('Sponsor more seats'))
            : Date.parse(campaign.deadline) <= Date.now()
              ? nothing
              : gift.renderForm(
                  { target: { campaign_id: campaign.id }, seatPrice: campaign.seat_price, currency: campaign.currency },
                  { amountHint: msg('At least 1. Every whole seat price funds one seat.') },
                )}`}
      <p part="message" id="message" class=${gift.problem === undefined ? 'muted' : 'error'} role="status" aria-live="polite">
        ${gift.statusText(campaign === undefined ? msg('Loading the campaign…') : '')}
      </p>
    </div>`;
  }

  #renderCampaign(campaign: PublicCampaign): TemplateResult {
    const locale = this.locale;
    const offer = campaign.offer;
    const funded = Math.min(campaign.seats_funded, campaign.target_seats);
    return html`<div class="campaign" part="campaign">
      <h2 tabindex="-1">${localizedText(campaign.title, locale)}</h2>
      ${offer === null
        ? nothing
        : html`<p>${offer.provider_name} · ${formatDate(offer.starts_at, locale, { time: true })}${offer.venue === null ? '' : ` · ${offer.venue}`}</p>`}
      <p class="muted">${msg(str`${formatMoney(campaign.seat_price, campaign.currency, locale)} a seat`)}</p>
      <progress part="progress" id="progress" max=${campaign.target_seats} .value=${funded} aria-labelledby="progress-text"></progress>
      <p id="progress-text">
        ${msg(str`${formatNumber(campaign.seats_funded, locale)} of ${formatNumber(campaign.target_seats, locale)} seats funded`)} ·
        ${plural(campaign.sponsors_count, locale, {
          one: () => msg(str`${formatNumber(campaign.sponsors_count, locale)} mentor`),
          other: () => msg(str`${formatNumber(campaign.sponsors_count, locale)} mentors`),
        })}
      </p>
      <p class="muted">
        ${Date.parse(campaign.deadline) <= Date.now()
          ? msg(str`This campaign closed on ${formatDate(campaign.deadline, locale)}. Thank you to all its mentors.`)
          : msg(str`Open until ${formatDate(campaign.deadline, locale)}`)}
      </p>
      ${campaign.recent_sponsors.length === 0
        ? nothing
        : html`<ul class="sponsors" aria-label=${msg('Latest mentors')}>
            ${campaign.recent_sponsors.map(
              (sponsor) =>
                html`<li>
                  <strong>${sponsor.display_name}</strong> ·
                  ${plural(sponsor.seats, locale, {
                    one: () => msg(str`${sponsor.seats} seat`),
                    other: () => msg(str`${sponsor.seats} seats`),
                  })}${sponsor.message === null ? '' : html` · <q>${sponsor.message}</q>`}
                </li>`,
            )}
          </ul>`}
    </div>`;
  }

  async #loadCampaign(fresh = false): Promise<void> {
    if (this.campaign === '') return;
    if (!fresh) this.#gift.problem = undefined;
    try {
      this.details = await request<PublicCampaign>(this.api, 'GET', `/v1/public/campaigns/${encodeURIComponent(this.campaign)}`, { fresh });
    } catch (error) {
      this.#fail(problemOf(error));
    }
  }

  protected override refresh(): Promise<void> {
    return this.#loadCampaign(true);
  }

  #fail(problem: Problem): void {
    this.#gift.show(problem);
    this.reportProblem(problem);
  }
}
