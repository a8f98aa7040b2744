import { css } from 'lit';

export const redeemVoucherStyles = css`
  .offer {
    margin: 0 0 12px;
    padding-bottom: 12px;
    border-bottom: 1px solid var(--_border);
  }
  .offer h2 {
    margin-bottom: 4px;
  }
  .offer p {
    margin: 0;
  }
  .code-input {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    text-transform: uppercase;
    letter-spacing: 1px;
  }
  .pin-input {
    max-width: 160px;
    letter-spacing: 4px;
  }
  .seats {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .seats input {
    width: 80px;
    text-align: center;
  }
  .seats button {
    min-width: 44px;
    padding: 8px;
    font-size: 1.25em;
  }
  .total {
    margin: 12px 0 0;
    font-size: 1.1em;
  }
  .booking {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 8px;
    margin: 12px 0;
    text-align: center;
  }
  .reference {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    font-size: 1.5em;
    font-weight: 700;
    letter-spacing: 1px;
  }
  .qr {
    display: block;
    width: 200px;
    height: 200px;
    padding: 8px;
    background: #ffffff;
    border-radius: var(--_radius);
  }
`;
