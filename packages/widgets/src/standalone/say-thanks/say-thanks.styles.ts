import { css } from 'lit';

export const sayThanksStyles = css`
  textarea {
    display: block;
    width: 100%;
    min-height: 96px;
    padding: 8px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    font: inherit;
    color: inherit;
    resize: vertical;
  }
  textarea[aria-invalid='true'] {
    border-color: var(--_error);
    border-width: 2px;
  }
  .pin {
    max-width: 160px;
    letter-spacing: 4px;
  }
`;
