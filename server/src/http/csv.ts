/**
 * A spreadsheet file: UTF-8 with a BOM (so spreadsheet programs read accents right), comma
 * separated, CRLF line ends, as the settlements' and the mentors' impact CSVs are sent.
 */
export function csvFile(rows: string[][]): string {
  return `\uFEFF${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/**
 * A CSV cell. Quoted when it holds a separator, a quote or a line break; text a spreadsheet would
 * run as a formula (an offer titled `=HYPERLINK(…)`) is prefixed with an apostrophe.
 */
export function csvCell(text: string): string {
  const inert = /^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text;
  return /[",\n\r;]/.test(inert) ? `"${inert.replaceAll('"', '""')}"` : inert;
}

export const csvContentType = 'text/csv; charset=utf-8';
