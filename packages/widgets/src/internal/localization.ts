// Each element renders in its own locale (its `lang`, else the page's, else the browser's, else
// Italian), so an Albanian and an Italian widget can sit on one page. @lit/localize's reentrant
// mode asks getLocale() before every msg(): the element sets it for the duration of its render.
import type { LocaleModule } from '@lit/localize';
import { configureReentrantLocalization } from '@lit/localize/init/reentrant.js';
import { sourceLocale, targetLocales } from '../locales/locale-codes.js';

export const locales = [sourceLocale, ...targetLocales] as const;
export type Locale = (typeof locales)[number];

/** Where the circuits are: the locale when nothing else says. */
export const fallbackLocale: Locale = 'it';

// One chunk per language, fetched the first time an element needs it.
const loaders: Record<(typeof targetLocales)[number], () => Promise<LocaleModule>> = {
  it: () => import('../locales/it.js'),
  sq: () => import('../locales/sq.js'),
};

const loaded = new Map<Locale, LocaleModule>();
let rendering: Locale = sourceLocale;
let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  try {
    configureReentrantLocalization({
      sourceLocale,
      targetLocales: [...targetLocales],
      getLocale: () => rendering,
      loadLocaleSync: (locale) => loaded.get(locale as Locale),
    });
  } catch {
    // A bundle of the host page already configured @lit/localize: our texts stay in English.
    console.warn('Mentoring: @lit/localize is configured by the page; the widgets show English.');
  }
}

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

/** Loads the translations of `locale` once; a language that fails to load shows English. */
export async function loadLocale(locale: Locale): Promise<void> {
  configure();
  if (locale === sourceLocale || loaded.has(locale)) return;
  try {
    loaded.set(locale, await loaders[locale]());
  } catch (error) {
    console.warn(`Mentoring: the ${locale} texts could not be loaded; showing English.`, error);
  }
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
