import type { ApiSettings } from '../internal/api.js';

const embedPath = '/embed/v1/mentoring.js';

/**
 * Finds our script tag: `document.currentScript` while a classic script runs, else the
 * first tag that loads the embed path (a module, or a tag added by a tag manager).
 */
export function findEmbedScript(document: Document): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src.includes(embedPath)) return current;
  return document.querySelector<HTMLScriptElement>(`script[src*="${embedPath}"]`);
}

/** What the page's `<script src=".../embed/v1/mentoring.js" data-key="pk_…">` tells the widgets. */
export function readEmbedSettings(script: HTMLScriptElement): ApiSettings {
  const key = script.dataset['key']?.trim();
  let publishableKey: string | undefined;
  if (!key) {
    console.error('Mentoring: the script tag has no data-key; add data-key="pk_…" from your operator.');
  } else if (key.startsWith('sk_')) {
    // A secret key in a public page can move money: refuse it loudly instead of sending it anywhere.
    console.error('Mentoring: data-key holds a secret key (sk_…). Revoke it now and use your publishable key (pk_…).');
  } else if (!/^pk_(test|live)_\w+$/.test(key)) {
    console.error(`Mentoring: data-key "${key}" is not a publishable key (pk_test_… or pk_live_…).`);
  } else {
    publishableKey = key;
  }
  // The `src` property is the attribute resolved against the page's base: always an absolute URL.
  return { apiOrigin: new URL(script.src).origin, publishableKey };
}
