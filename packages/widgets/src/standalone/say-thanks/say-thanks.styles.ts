import { css } from 'lit';

export const sayThanksStyles = css`
  /* The base styles make it a field; a note wants a few lines. */
  textarea {
    min-height: 96px;
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
