// The texts of the script tag's build, which puts this module in place of localization.ts.
// build/compile-messages.mjs turns each msg() into msg(number, values), so the code holds no
// English, and gives each widget a chunk of texts per language, which its entry registers here:
// a page fetches the texts of the widgets it shows, in the languages it shows them in.
import { sourceLocale } from '../locales/locale-codes.js';
import { locales, renderingLocale, type Locale } from './locale.js';

/** A chunk of texts: the text of each number the widget uses, `{0}`, `{1}`… where the values go. */
type Texts = readonly (string | undefined)[];

/** A widget's chunks of texts, one per language. */
export type Catalogue = Record<Locale, () => Promise<{ default: Texts }>>;

const catalogues: Catalogue[] = [];
const texts = Object.fromEntries(locales.map((locale) => [locale, {}])) as Record<Locale, Record<number, string>>;
const loads = new Map<() => Promise<{ default: Texts }>, Promise<void>>();

/** Called by a widget's entry as it runs, before any of its elements renders. */
export function addCatalogue(catalogue: Catalogue): void {
  catalogues.push(catalogue);
}

function load(locale: Locale, catalogue: Catalogue): Promise<void> {
  const chunk = catalogue[locale];
  let loading = loads.get(chunk);
  if (loading === undefined) {
    loading = chunk().then(
      // The chunk's holes are texts of other widgets: assigning copies only the widget's own.
      (module) => void Object.assign(texts[locale], module.default),
      (error: unknown) => {
        loads.delete(chunk); // asked again at the next render
        throw error;
      },
    );
    loads.set(chunk, loading);
  }
  return loading;
}

/** Loads the texts of `locale` of every module on the page, once; a language that fails to load shows English. */
export async function loadLocale(locale: Locale): Promise<void> {
  try {
    await Promise.all(catalogues.map((catalogue) => load(locale, catalogue)));
  } catch (error) {
    if (locale === sourceLocale) throw error;
    console.warn(`Mentoring: the ${locale} texts could not be loaded; showing English.`, error);
    await loadLocale(sourceLocale);
  }
}

/** Text `id` in the locale of the render in progress (else English), with `values` in place. */
export function msg(id: number, values: readonly unknown[] = []): string {
  const text = texts[renderingLocale()][id] ?? texts[sourceLocale][id] ?? '';
  return values.length === 0 ? text : text.replace(/\{(\d+)\}/g, (_, index: string) => String(values[Number(index)]));
}
