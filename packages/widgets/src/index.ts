/**
 * `@mentoring/widgets` for bundler users: the element classes, without side effects. Define the
 * tags by importing `@mentoring/widgets/redeem-voucher.js` (and the others), or call
 * `customElements.define()` with your own names; call `configure()` once with your server and key.
 */
import type { ApiSettings } from './internal/api.js';
import { setEmbedState } from './internal/settings.js';
import { version } from './internal/version.js';

export { MentoringCircuitBadge } from './components/circuit-badge/circuit-badge.component.js';
export { MentoringDirectory } from './components/directory/directory.component.js';
export { MentoringNeedsBoard } from './components/needs-board/needs-board.component.js';
export { MentoringRedeemVoucher, type RedeemedDetail } from './components/redeem-voucher/redeem-voucher.component.js';
export { MentoringSponsorSeat, type SponsoredDetail } from './components/sponsor-seat/sponsor-seat.component.js';
export { MentoringStories } from './components/stories/stories.component.js';
export { MentoringSayThanks, type ThankedDetail } from './standalone/say-thanks/say-thanks.component.js';
export type { ErrorDetail } from './internal/mentoring-element.js';
// Staff only (docs/widgets.md, Staff desks): they run on a desk key, never on a public page.
export { MentoringProviderDesk, type DeskRedemptionDetail } from './staff/provider-desk/provider-desk.component.js';
export {
  MentoringReferrerDesk,
  type BeneficiaryCreatedDetail,
  type VoucherUnlockedDetail,
  type VouchersIssuedDetail,
} from './staff/referrer-desk/referrer-desk.component.js';
export { MentoringMentorImpact } from './staff/mentor-impact/mentor-impact.component.js';
export type { Badge, DirectoryEntry, DirectoryPage, Problem, PublicCampaign, PublicNeed, PublicStory, Redemption, Sponsorship } from './internal/api.js';
export { version };

/** Where every element on the page finds the API: what the script tag's URL and `data-key` give script-tag users. */
export function configure(settings: ApiSettings): void {
  setEmbedState({ version, settings });
}
