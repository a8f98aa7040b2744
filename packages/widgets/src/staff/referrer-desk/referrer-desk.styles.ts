import { css } from 'lit';

/**
 * The office's lists and forms, and the voucher cards: on screen one under the other; printed,
 * the cards alone, one a page, the PIN below a dashed fold line halfway down the page, so that
 * the sheet folded in half hides it.
 */
export const referrerDeskStyles = css`
  blockquote {
    margin: 0;
    font-style: italic;
  }
  .allocation p {
    margin: 0 0 4px;
  }
  label.inline {
    display: flex;
    flex-wrap: wrap;
    gap: 0 8px;
    margin: 0;
    font-weight: 400;
  }
  input[type='checkbox'] {
    width: 24px;
    height: 24px;
    margin: 0;
    accent-color: var(--_accent);
  }
  .usage {
    flex: 1 1 100%;
    color: var(--_muted);
    font-size: 0.875em;
  }
  .vouchers {
    flex: 1 1 100%;
    margin: 0;
    padding: 0 0 0 16px;
  }
  .vouchers li {
    margin: 4px 0;
  }
  .locked {
    color: var(--_error);
  }
  form + form {
    margin-top: 16px;
  }
  h4 {
    margin: 0;
    font-size: 1em;
  }
  .warning {
    padding: 8px 12px;
    border-left: 4px solid var(--_error);
    font-weight: 600;
  }
  .card {
    max-width: 420px;
    margin: 16px 0 0;
    padding: 16px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: #ffffff;
    color: #000000;
    text-align: center;
  }
  .card p {
    margin: 0 0 8px;
  }
  .card h4 {
    font-size: 1.3em;
  }
  .card-issuer,
  .card-reference {
    font-size: 0.875em;
  }
  .card-amount {
    font-size: 2em;
    font-weight: 700;
  }
  .card-qr {
    display: block;
    width: 160px;
    height: 160px;
    margin: 8px auto;
  }
  .card-code,
  .card-pin {
    font-size: 1.25em;
    font-weight: 700;
  }
  .card-how {
    font-size: 0.875em;
  }
  .fold {
    margin: 16px -16px;
    border-top: 2px dashed #000000;
    font-size: 0.75em;
  }
  .fold span {
    position: relative;
    top: -0.8em;
    padding: 0 8px;
    background: #ffffff;
  }
  @media print {
    .root,
    .cards {
      border: 0;
      padding: 0;
    }
    .desk-header,
    #message,
    .screen {
      display: none !important;
    }
    .card {
      max-width: none;
      margin: 0;
      padding: 0;
      border: 0;
      break-after: page;
      break-inside: avoid;
    }
    .card:last-child {
      break-after: auto;
    }
    .card-front {
      height: 125mm;
    }
    .card-qr {
      width: 45mm;
      height: 45mm;
    }
    .fold {
      margin: 8mm 0;
    }
  }
`;
