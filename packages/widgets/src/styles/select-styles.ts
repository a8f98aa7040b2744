import { css } from 'lit';

/**
 * A `<select>` that looks like the base styles' text fields. Not in src/internal/ (the shared
 * `core` chunk every widget loads): only the directory and the desks have a select, and every
 * byte of that chunk counts against the redeem form's budget.
 */
export const selectStyles = css`
  select {
    display: block;
    width: 100%;
    min-height: 44px;
    padding: 8px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: inherit;
    font: inherit;
  }
`;
