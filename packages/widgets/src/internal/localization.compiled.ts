// The texts of the script tag's build, which puts this module in place of localization.ts.
// build/compile-messages.mjs turns each msg() into msg(number, values), so the code holds no
// English, and gives each widget a chunk of texts per language, which its entry registers here:
// a page fetches the texts of the widgets it shows, in the languages it shows them in.
import { sourceLocale } from '../locales/locale-codes.js';
import { renderingLocale, type Locale } from './locale.js';

/** A chunk of texts: the text of each number the widget uses, `{0}`, `{1}`… where the values go. */
type Texts = readonly (string | undefined)[];

/** A widget's chunks of texts, one per language. */
export type Catalogue = Record<Locale, () => Promise<{ default: Texts }>>;

const catalogues = new Map<string, Catalogue>();
const texts: Partial<Record<Locale, Record<number, string>>> = {};
const loads = new Map<() => Promise<{ default: Texts }>, Promise<void>>();

/** Called by a widget's entry as it runs, before any of its elements renders: `tag` is the element it defines. */
export function addCatalogue(tag: string, catalogue: Catalogue): void {
  catalogues.set(tag, catalogue);
}

/** Loads the texts of element `tag` in `locale`, once; a language that fails to load shows English. */
export async function loadLocale(locale: Locale, tag: string): Promise<void> {
  const chunk = catalogues.get(tag)?.[locale];
  if (chunk === undefined) throw new Error(`Mentoring: <${tag}> has no texts.`);
  if (!loads.has(chunk)) {
    const loading = chunk().then(
      // The chunk's holes are other widgets' texts: assigning copies only its own.
      (module) => void Object.assign((texts[locale] ??= {}), module.default),
      (error: unknown) => {
        loads.delete(chunk); // asked again at the next render
        throw error;
      },
    );
    loads.set(chunk, loading);
  }
  try {
    await loads.get(chunk);
  } catch (error) {
    if (locale === sourceLocale) throw error;
    console.warn(`Mentoring: the ${locale} texts could not be loaded; showing English.`, error);
    await loadLocale(sourceLocale, tag);
  }
}

/** Text `id` in the locale of the render in progress (else English), with `values` in place of `{0}`, `{1}`… */
export function msg(id: number, values: readonly unknown[] = []): string {
  const text = texts[renderingLocale()]?.[id] ?? texts[sourceLocale]?.[id] ?? '';
  return text.replace(/\{(\d+)\}/g, (_, index: number) => String(values[index]));
}
