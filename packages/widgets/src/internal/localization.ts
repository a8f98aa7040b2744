// The texts through @lit/localize's runtime in its reentrant mode, which asks getLocale() before
// every msg(): the tests and the npm package's modules. The script tag's build compiles the texts
// instead and puts localization.compiled.ts in this module's place (build/compile-messages.mjs).
import type { LocaleModule } from '@lit/localize';
import { configureReentrantLocalization } from '@lit/localize/init/reentrant.js';
import { sourceLocale, targetLocales } from '../locales/locale-codes.js';
import { renderingLocale, type Locale } from './locale.js';

// One chunk per language, fetched the first time an element needs it.
const loaders: Record<(typeof targetLocales)[number], () => Promise<LocaleModule>> = {
  it: () => import('../locales/it.js'),
  sq: () => import('../locales/sq.js'),
};

const loaded = new Map<Locale, LocaleModule>();
let configured = false;

function configure(): void {
  if (configured) return;
  configured = true;
  try {
    configureReentrantLocalization({
      sourceLocale,
      targetLocales: [...targetLocales],
      getLocale: renderingLocale,
      loadLocaleSync: (locale) => loaded.get(locale as Locale),
    });
  } catch {
    // A bundle of the host page already configured @lit/localize: our texts stay in English.
    console.warn('Mentoring: @lit/localize is configured by the page; the widgets show English.');
  }
}

/**
 * Loads the translations of `locale` once, those of every widget (the compiled texts of the script
 * tag load those of element `_tag` only); a language that fails to load shows English.
 */
export async function loadLocale(locale: Locale, _tag: string): Promise<void> {
  configure();
  if (locale === sourceLocale || loaded.has(locale)) return;
  try {
    loaded.set(locale, await loaders[locale]());
  } catch (error) {
    console.warn(`Mentoring: the ${locale} texts could not be loaded; showing English.`, error);
  }
}
