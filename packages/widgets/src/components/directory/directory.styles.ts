import { css } from 'lit';
import { selectStyles } from '../../styles/select-styles.js';

export const directoryStyles = css`
  ${selectStyles}
  .filters {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
    gap: 0 12px;
    margin-bottom: 16px;
  }
  .cards {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
    gap: 12px;
    margin: 0 0 12px;
    padding: 0;
    list-style: none;
  }
  .card {
    padding: 12px 16px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .card p {
    margin: 0 0 6px;
  }
  h3 {
    margin: 0 0 4px;
    font-size: 1.05em;
    line-height: 1.3;
  }
  .tags {
    font-size: 0.875em;
    font-weight: 600;
  }
  .links {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 16px;
  }
  a {
    display: inline-block;
    padding: 10px 0;
    color: var(--_accent);
    font-weight: 600;
  }
  .hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
