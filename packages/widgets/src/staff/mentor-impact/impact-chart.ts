import { msg, str } from '@lit/localize';
import { svg, type TemplateResult } from 'lit';
import { formatMoney, formatMonth } from '../../internal/format.js';
import type { Locale } from '../../internal/locale.js';
import type { ImpactFigures } from '../internal/desk-api.js';

/** The chart's height in px; its width is the element's, so labels keep their size at 320 px. */
const height = 200;
/** Room above the bars (the top value) and below them (the months), in px. */
const top = 28;
const bottom = 28;
/** The most month labels written under the bars; with more months, every second or third is. */
const maxLabels = 6;

/**
 * Money given by month, as bars: drawn by the element itself (inline SVG, no library), coloured
 * with the `--mentoring-*` tokens. Widths are percentages, so it fits any width; `role="img"` and
 * its label say what it shows, and the table under it holds every figure.
 */
export function impactChart(months: (ImpactFigures & { month: string })[], currency: string, locale: Locale): TemplateResult {
  const most = Math.max(...months.map((month) => month.given), 1);
  const slot = 100 / months.length;
  const barHeight = (given: number) => ((height - top - bottom) * given) / most;
  const every = Math.ceil(months.length / maxLabels);
  const largest = months.reduce((best, month) => (month.given > best.given ? month : best), months[0]!);
  const label =
    msg(str`Money given by month, from ${formatMonth(months[0]!.month, locale)} to ${formatMonth(months[months.length - 1]!.month, locale)}.`) +
    ' ' +
    msg(str`The most in ${formatMonth(largest.month, locale)}: ${formatMoney(largest.given, currency, locale)}.`);
  return svg`<svg class="chart" part="chart" role="img" aria-label=${label} width="100%" height=${height}>
    <text class="axis" x="0" y="14">${formatMoney(most, currency, locale)}</text>
    <line class="grid" x1="0" x2="100%" y1=${top} y2=${top}></line>
    <line class="axis-line" x1="0" x2="100%" y1=${height - bottom} y2=${height - bottom}></line>
    ${months.map((month, index) => {
      const bar = barHeight(month.given);
      return svg`<rect class="bar" x="${index * slot + slot * 0.2}%" width="${slot * 0.6}%" y=${height - bottom - bar} height=${bar}></rect>
        ${index % every === 0
          ? svg`<text class="axis" x="${(index + 0.5) * slot}%" y=${height - 8} text-anchor="middle">${formatMonth(month.month, locale, { short: true })}</text>`
          : ''}`;
    })}
  </svg>`;
}
