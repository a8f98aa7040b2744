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
`;
