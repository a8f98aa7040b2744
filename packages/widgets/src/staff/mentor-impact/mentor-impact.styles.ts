import { css } from 'lit';

export const mentorImpactStyles = css`
  .totals {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(130px, 1fr));
    gap: 8px;
    margin: 0 0 8px;
  }
  .totals div {
    padding: 8px 12px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
  }
  .totals dt {
    color: var(--_muted);
    font-size: 0.875em;
  }
  .totals dd {
    margin: 0;
    font-size: 1.5em;
    font-weight: 700;
  }
  .chart {
    display: block;
    margin: 0 0 12px;
    overflow: visible;
  }
  .chart .bar {
    fill: var(--_accent);
  }
  .chart .grid {
    stroke: var(--_border);
    stroke-dasharray: 4 4;
  }
  .chart .axis-line {
    stroke: var(--_muted);
  }
  .chart .axis {
    fill: var(--_muted);
    font-size: 12px;
  }
  .table {
    overflow-x: auto;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    font-variant-numeric: tabular-nums;
  }
  th,
  td {
    padding: 4px 8px 4px 0;
    border-bottom: 1px solid var(--_border);
    text-align: end;
  }
  th:first-child {
    text-align: start;
  }
  thead th {
    color: var(--_muted);
    font-size: 0.875em;
    font-weight: 600;
  }
  .languages,
  .notes {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .notes li {
    padding: 8px 0;
    border-bottom: 1px solid var(--_border);
  }
  blockquote {
    margin: 0;
    font-style: italic;
  }
  .notes p {
    margin: 0;
    font-size: 0.875em;
  }
`;
