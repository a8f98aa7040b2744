/**
 * The script-tag entry, `/embed/v1/mentoring.js`. Safe to load any number of times, in any
 * version: the first copy on the page starts, the others step aside with a console note.
 * It only finds the widgets' tags (and `<div data-mentoring>` fallbacks), now and later, and
 * imports each component's code from beside itself the first time its tag appears.
 */
import { embedState, setEmbedState } from '../internal/settings.js';
import { version } from '../internal/version.js';
import { findEmbedScript, readEmbedSettings } from './embed-script.js';
import { componentNames, upgradeFallback } from './fallback.js';

const running = embedState();
if (running === undefined) {
  const script = findEmbedScript(document);
  setEmbedState({ version, settings: script === null ? undefined : readEmbedSettings(script) });
  console.info(`Mentoring widgets ${version}`);
  if (script !== null) start(new URL('.', script.src).href);
} else if (running.version !== version) {
  console.warn(`Mentoring widgets ${version} not started: version ${running.version} is already on this page.`);
}

function start(base: string): void {
  const waiting = new Set(componentNames);
  const scan = () => {
    document.querySelectorAll<HTMLElement>('[data-mentoring]').forEach(upgradeFallback);
    for (const name of waiting) {
      if (document.querySelector(`mentoring-${name}`) !== null) {
        waiting.delete(name);
        import(`${base}${name}.js`).catch((error: unknown) => console.error(`Mentoring: could not load <mentoring-${name}>.`, error));
      }
    }
  };
  reserveSpace();
  scan();
  // Tags parsed after this async script ran, or added later by the page, a CMS or a tag manager.
  new MutationObserver(scan).observe(document, { childList: true, subtree: true });
}

/** Until its code arrives, a widget keeps the room it will take, so the page does not jump. */
function reserveSpace(): void {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(
    'mentoring-redeem-voucher:not(:defined),mentoring-sponsor-seat:not(:defined),mentoring-needs-board:not(:defined){display:block;min-height:240px}' +
      'mentoring-circuit-badge:not(:defined){display:inline-block;min-height:36px}' +
      'mentoring-circuit-badge[variant=full]:not(:defined){display:block;min-height:112px}',
  );
  // An observable array in every browser that runs the widgets (ES2022): push adds to the page's sheets.
  document.adoptedStyleSheets.push(sheet);
}
