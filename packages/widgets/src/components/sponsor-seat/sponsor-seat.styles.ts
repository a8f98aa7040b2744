import { css } from 'lit';

export const sponsorSeatStyles = css`
  .campaign p {
    margin-bottom: 4px;
  }
  progress {
    display: block;
    width: 100%;
    height: 12px;
    margin: 12px 0 4px;
    border: 0;
    border-radius: 6px;
    background: var(--_border);
    color: var(--_accent);
    appearance: none;
    overflow: hidden;
  }
  progress::-webkit-progress-bar {
    background: var(--_border);
  }
  progress::-webkit-progress-value {
    background: var(--_accent);
  }
  progress::-moz-progress-bar {
    background: var(--_accent);
  }
  fieldset {
    margin: 16px 0 0;
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    font-weight: 600;
  }
  .choice {
    display: flex;
    align-items: center;
    gap: 8px;
    margin: 8px 0 0;
    font-weight: 400;
  }
  .choice input {
    width: 20px;
    height: 20px;
    margin: 0;
    accent-color: var(--_accent);
  }
  .amount {
    max-width: 200px;
  }
  textarea {
    min-height: 72px;
    resize: vertical;
  }
  .sponsors {
    margin: 12px 0 0;
    padding: 0;
    list-style: none;
  }
  .sponsors li {
    margin: 0 0 4px;
  }
  .receipt {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    font-size: 1.25em;
    font-weight: 700;
  }
`;
