// The printed voucher card, in the beneficiary's language: what it is worth, until when, the code
// (also as a QR code a box office scans: the code alone, never the PIN) and, below a fold line, the
// PIN. One card a page when printed (referrer-desk.styles.ts); the codes and PINs exist only in the
// answer that issued them, so the cards are printed from it or never.
import { msg, str } from '@lit/localize';
import { html, type TemplateResult } from 'lit';
import { encodeQr, qrSvgPath } from '../../components/redeem-voucher/qr-code.js';
import { formatDate, formatMoney } from '../../internal/format.js';
import { inLocale } from '../../internal/locale.js';
import type { Beneficiary, IssuedVoucher } from '../internal/desk-api.js';

export interface VoucherCard {
  voucher: IssuedVoucher;
  beneficiary: Beneficiary;
}

/** The card, with every text and date in the beneficiary's language whatever the desk's. */
export function voucherCard({ voucher, beneficiary }: VoucherCard, issuer: string): TemplateResult {
  const locale = beneficiary.language;
  const qr = encodeQr(voucher.code);
  return inLocale(
    locale,
    () => html`<article class="card" part="card" lang=${locale} aria-labelledby="card-${voucher.id}">
      <div class="card-front">
        <p class="card-issuer">${issuer}</p>
        <h4 id="card-${voucher.id}">${msg('Culture voucher')}</h4>
        <p class="card-amount">${formatMoney(voucher.amount, voucher.currency, locale)}</p>
        <p>${msg(str`Valid until ${formatDate(voucher.expires_at, locale)}`)}</p>
        <svg class="card-qr" part="card-qr" role="img" aria-label=${msg('QR code of the voucher code')} viewBox="-4 -4 ${qr.size + 8} ${qr.size + 8}" shape-rendering="crispEdges">
          <path fill="#000000" d=${qrSvgPath(qr)}></path>
        </svg>
        <p class="card-code code">${voucher.code}</p>
        <p class="card-how">
          ${msg('Show this card at the box office of a theatre or museum of the circuit, or type the code on its website. Then type your PIN yourself.')}
        </p>
        <p class="card-reference">${beneficiary.reference}</p>
      </div>
      <div class="fold" role="separator"><span>${msg('Fold here: the PIN stays inside')}</span></div>
      <div class="card-back">
        <p>${msg('PIN')}</p>
        <p class="card-pin code">${voucher.pin}</p>
        <p class="card-how">${msg('Keep the PIN secret: never show it or say it to anyone, not even at the box office.')}</p>
      </div>
    </article>`,
  );
}
