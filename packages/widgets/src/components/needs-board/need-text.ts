import type { LocalizedText } from '../../internal/api.js';
import type { Locale } from '../../internal/locale.js';

/** A need's text in the locale, else Italian, else whichever language its referrer wrote it in (the board and the mentor's impact page). */
export function needText(text: Partial<LocalizedText>, locale: Locale): string {
  return text[locale] ?? text.it ?? text.en ?? text.sq ?? '';
}
