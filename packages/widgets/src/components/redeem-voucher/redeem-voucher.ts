import { defineElement } from '../../internal/define.js';
import { MentoringRedeemVoucher, type RedeemedDetail } from './redeem-voucher.component.js';

export { MentoringRedeemVoucher };

defineElement('mentoring-redeem-voucher', MentoringRedeemVoucher);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-redeem-voucher': MentoringRedeemVoucher;
  }
  interface HTMLElementEventMap {
    'mentoring-redeemed': CustomEvent<RedeemedDetail>;
  }
}
