import { css } from 'lit';
import { selectStyles } from '../../styles/select-styles.js';

/**
 * What both desks add to the widgets' base styles: a header, sections, lists of rows that wrap at
 * 320 px, selects and numbers like the text fields. Only `--mentoring-*` tokens, as everywhere.
 */
export const deskStyles = css`
  ${selectStyles}
  .desk-header {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 4px 12px;
    margin-bottom: 8px;
  }
  .desk-header h2 {
    margin: 0;
  }
  .desk-header p {
    margin: 0;
    flex: 1 1 auto;
  }
  section {
    margin: 0;
    padding: 16px 0 0;
    border-top: 1px solid var(--_border);
  }
  section + section {
    margin-top: 16px;
  }
  h3 {
    margin: 0 0 8px;
    font-size: 1.05em;
  }
  select[aria-invalid='true'] {
    border-color: var(--_error);
    border-width: 2px;
  }
  input[type='number'] {
    max-width: 120px;
  }
  .code {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    letter-spacing: 1px;
  }
  .rows {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .rows > li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 4px 12px;
    padding: 8px 0;
    border-bottom: 1px solid var(--_border);
  }
  .rows > li > .grow {
    flex: 1 1 160px;
    min-width: 0;
  }
  .rows p {
    margin: 0;
  }
  .rows .actions {
    margin: 0;
  }
  .status {
    display: inline-block;
    padding: 0 8px;
    border: 1px solid currentColor;
    border-radius: var(--_radius);
    font-size: 0.875em;
    font-weight: 600;
  }
`;
