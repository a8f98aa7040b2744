import { css } from 'lit';

// Fixed heights, the same while loading: a badge in a footer or beside a text never moves the page.
export const circuitBadgeStyles = css`
  :host {
    display: inline-block;
    vertical-align: middle;
  }
  :host([variant='full']) {
    display: block;
  }
  .root {
    display: flex;
    align-items: center;
    gap: 8px;
    height: 36px;
    padding: 0 12px;
    border-radius: 18px;
    font-size: 14px;
    line-height: 34px;
    white-space: nowrap;
  }
  .root.full {
    flex-direction: column;
    align-items: flex-start;
    justify-content: center;
    gap: 2px;
    height: 112px;
    padding: 12px 16px;
    border-radius: var(--_radius);
    line-height: 1.35;
  }
  .line {
    display: block;
    max-width: 100%;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .name {
    font-size: 16px;
    font-weight: 700;
  }
  .mark {
    flex: none;
    width: 12px;
    height: 12px;
    border-radius: 50%;
    background: var(--_accent);
  }
  a {
    color: var(--_accent);
    font-weight: 600;
    text-decoration: underline;
    text-underline-offset: 2px;
  }
  .placeholder {
    color: var(--_muted);
  }
  /* The path stamps (beneficiary): a block under the badge, as tall as its content. */
  :host([beneficiary]) {
    display: block;
  }
  .root.stamps {
    display: block;
    height: auto;
    margin-top: 8px;
    padding: 16px;
    border-radius: var(--_radius);
    font-size: 16px;
    line-height: 1.45;
    white-space: normal;
  }
  fieldset {
    min-width: 0;
    margin: 0;
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    font-size: 1.1em;
    font-weight: 700;
  }
  .choice {
    display: flex;
    flex-wrap: wrap;
    gap: 0 16px;
    margin-top: 4px;
  }
  .option {
    display: inline-flex;
    align-items: center;
    gap: 8px;
    min-height: 44px;
    margin: 0;
    font-weight: 400;
  }
  .option input {
    width: 20px;
    height: 20px;
    margin: 0;
    accent-color: var(--_accent);
  }
  .paths,
  .steps {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .path + .path {
    margin-top: 16px;
    padding-top: 16px;
    border-top: 1px solid var(--_border);
  }
  .path p {
    margin: 0 0 4px;
  }
  .path-name {
    font-weight: 700;
  }
  .step {
    display: flex;
    align-items: center;
    gap: 8px;
    min-height: 32px;
  }
  .stamp {
    flex: none;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    width: 24px;
    height: 24px;
    border: 2px solid var(--_border);
    border-radius: 50%;
    font-size: 14px;
    font-weight: 700;
  }
  .done .stamp {
    border-color: var(--_success);
    background: var(--_success);
    color: var(--_surface);
  }
  .state {
    margin-inline-start: auto;
    color: var(--_muted);
    font-size: 0.875em;
  }
  .path .bonus {
    margin-top: 8px;
  }
`;
