import type { Context } from 'hono';

/**
 * A spreadsheet file to download: UTF-8 with a BOM (so spreadsheet programs read accents right),
 * comma separated, CRLF line ends, as the settlements' and the mentors' impact CSVs are sent.
 */
export function csvAttachment(c: Context, filename: string, rows: string[][]): Response {
  c.header('Content-Disposition', `attachment; filename="${filename}"`);
  return c.body(`\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
}

/**
 * A CSV cell. Quoted when it holds a separator, a quote or a line break; text a spreadsheet would
 * run as a formula (an offer titled `=HYPERLINK(…)`) is prefixed with an apostrophe.
 */
function csvCell(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r;]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}
