import { defineElement } from '../../internal/define.js';
import {
  MentoringReferrerDesk,
  type BeneficiaryCreatedDetail,
  type VoucherUnlockedDetail,
  type VouchersIssuedDetail,
} from './referrer-desk.component.js';

export { MentoringReferrerDesk };

defineElement('mentoring-referrer-desk', MentoringReferrerDesk);

declare global {
  interface HTMLElementTagNameMap {
    'mentoring-referrer-desk': MentoringReferrerDesk;
  }
  interface HTMLElementEventMap {
    'mentoring-beneficiary-created': CustomEvent<BeneficiaryCreatedDetail>;
    'mentoring-voucher-issued': CustomEvent<VouchersIssuedDetail>;
    'mentoring-voucher-unlocked': CustomEvent<VoucherUnlockedDetail>;
  }
}
