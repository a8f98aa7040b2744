import { css } from 'lit';

/**
 * What every widget shares: the reset that keeps the host page's styles out, the design tokens
 * (each `--mentoring-*` custom property with its light default) and the native controls.
 * The reset sits on `.root`, not `:host`, so a page can still place the element (margin, width).
 * Every browser that runs the widgets' code (ES2022) has `system-ui`: no older font names.
 */
export const baseStyles = css`
  :host {
    display: block;
    max-width: 100%;
    min-width: 0;
  }
  :host([hidden]) {
    display: none;
  }
  .root {
    all: initial;
    --_font: var(--mentoring-font-family, system-ui, sans-serif);
    --_text: var(--mentoring-color-text, #1d2433);
    --_muted: var(--mentoring-color-muted, #4b5565);
    --_surface: var(--mentoring-color-surface, #ffffff);
    --_border: var(--mentoring-color-border, #c5cbd6);
    --_accent: var(--mentoring-color-accent, #1d4ed8);
    --_on-accent: var(--mentoring-color-on-accent, #ffffff);
    --_error: var(--mentoring-color-error, #b42318);
    --_success: var(--mentoring-color-success, #067647);
    --_focus: var(--mentoring-color-focus, #f59e0b);
    --_radius: var(--mentoring-radius, 8px);
    display: block;
    box-sizing: border-box;
    width: 100%;
    padding: 16px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    font-family: var(--_font);
    font-size: var(--mentoring-font-size, 16px);
    line-height: 1.45;
    text-align: start;
    overflow-wrap: anywhere;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h2 {
    margin: 0 0 8px;
    font-size: 1.2em;
    line-height: 1.25;
  }
  p {
    margin: 0 0 12px;
  }
  .muted {
    color: var(--_muted);
    font-size: 0.875em;
  }
  label {
    display: block;
    margin: 12px 0 4px;
    font-weight: 600;
  }
  input,
  textarea,
  button {
    font: inherit;
    color: inherit;
    letter-spacing: normal;
    margin: 0;
  }
  input:not([type='radio'], [type='checkbox']),
  textarea {
    display: block;
    width: 100%;
    min-height: 44px;
    padding: 8px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  input[aria-invalid='true'] {
    border-color: var(--_error);
    border-width: 2px;
  }
  button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 8px;
    min-height: 44px;
    padding: 8px 16px;
    border: 1px solid var(--_accent);
    border-radius: var(--_radius);
    background: var(--_accent);
    color: var(--_on-accent);
    font-weight: 600;
    cursor: pointer;
  }
  button.secondary {
    background: transparent;
    color: var(--_accent);
  }
  button[disabled] {
    opacity: 0.6;
    cursor: default;
  }
  :focus-visible {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    margin-top: 16px;
  }
  .field-hint {
    margin: 4px 0 0;
    color: var(--_muted);
    font-size: 0.875em;
  }
  .field-error,
  .error {
    color: var(--_error);
    font-weight: 600;
  }
  .field-error {
    margin: 4px 0 0;
    font-size: 0.875em;
  }
  .error {
    margin: 12px 0 0;
  }
  .success {
    color: var(--_success);
    font-weight: 600;
  }
  dl {
    display: grid;
    grid-template-columns: auto 1fr;
    gap: 4px 12px;
    margin: 0 0 12px;
  }
  dt {
    color: var(--_muted);
  }
  dd {
    margin: 0;
    font-weight: 600;
  }
`;
