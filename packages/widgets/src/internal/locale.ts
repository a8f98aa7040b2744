// Each element renders in its own locale (its `lang`, else the page's, else the browser's, else
// Italian), so an Albanian and an Italian widget can sit on one page. Texts are asked for while an
// element renders: inLocale() says in which language.
import { sourceLocale, targetLocales } from '../locales/locale-codes.js';

export const locales = [sourceLocale, ...targetLocales] as const;
export type Locale = (typeof locales)[number];

/** Where the circuits are: the locale when nothing else says. */
export const fallbackLocale: Locale = 'it';

let rendering: Locale = sourceLocale;

/** The first supported language among `candidates` (`it-IT` counts as `it`), else Italian. */
export function chooseLocale(candidates: readonly (string | null | undefined)[]): Locale {
  for (const candidate of candidates) {
    const language = candidate?.split('-')[0]?.toLowerCase();
    const locale = locales.find((supported) => supported === language);
    if (locale !== undefined) return locale;
  }
  return fallbackLocale;
}

/** The element's locale: its own or an ancestor's `lang` (`<html lang>` included), else the browser's. */
export function localeOf(element: Element): Locale {
  return chooseLocale([element.closest('[lang]')?.getAttribute('lang'), ...navigator.languages]);
}

/** The locale of the render in progress: the language msg() answers in. */
export function renderingLocale(): Locale {
  return rendering;
}

/** Runs `render` with msg() answering in `locale`. */
export function inLocale<T>(locale: Locale, render: () => T): T {
  const previous = rendering;
  rendering = locale;
  try {
    return render();
  } finally {
    rendering = previous;
  }
}

/** Picks the `one` or the `other` form of a count, by the locale's plural rules. */
export function plural<T>(count: number, locale: Locale, forms: { one: () => T; other: () => T }): T {
  return new Intl.PluralRules(locale).select(count) === 'one' ? forms.one() : forms.other();
}
