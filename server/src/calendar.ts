// Days as people in the circuits live them: Italian time (Europe/Rome), whatever the server's zone.

const italianDay = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Rome', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The day of `time` in Italy, as YYYY-MM-DD: a booking at 00:30 on 1 December in Vigevano is 23:30 UTC on 30 November. */
export function italianDate(time: Date): string {
  // From the parts, not the formatted text, whose order and separators vary with ICU's data.
  const parts = Object.fromEntries(italianDay.formatToParts(time).map((part) => [part.type, part.value]));
  return `${parts['year']}-${parts['month']}-${parts['day']}`;
}
