import { css } from 'lit';

export const providerDeskStyles = css`
  .pin {
    max-width: 160px;
    letter-spacing: 4px;
  }
  video {
    display: block;
    width: 100%;
    max-width: 360px;
    aspect-ratio: 4 / 3;
    border-radius: var(--_radius);
    background: #000000;
  }
  .hold,
  .booking {
    margin: 0 0 12px;
  }
  .reference {
    margin: 0 0 4px;
    font-size: 1.5em;
    font-weight: 700;
  }
  /* The question before a cancellation, on a line of its own above its two answers. */
  .confirm-cancel {
    flex-basis: 100%;
    font-weight: 700;
  }
  .status-captured {
    color: var(--_success);
  }
  .status-held {
    color: var(--_accent);
  }
  .status-voided,
  .status-expired,
  .status-reversed {
    color: var(--_muted);
  }
`;
