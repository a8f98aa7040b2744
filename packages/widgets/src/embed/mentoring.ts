/**
 * The script-tag entry, `/embed/v1/mentoring.js`. Safe to load any number of times, in any
 * version: the first copy on the page starts, the others step aside with a console note.
 */
import { version } from '../internal/version.js';
import { findEmbedScript, readEmbedSettings, type EmbedSettings } from './embed-script.js';

interface EmbedState {
  version: string;
  settings: EmbedSettings | undefined;
}

// Symbol.for is shared by every copy of the script on the page, whatever bundle it came from.
const stateKey = Symbol.for('mentoring.embed');
const page = globalThis as typeof globalThis & { [stateKey]?: EmbedState };

const running = page[stateKey];
if (running === undefined) {
  const script = findEmbedScript(document);
  page[stateKey] = { version, settings: script === null ? undefined : readEmbedSettings(script) };
  console.info(`Mentoring widgets ${version}`);
} else if (running.version !== version) {
  console.warn(`Mentoring widgets ${version} not started: version ${running.version} is already on this page.`);
}
