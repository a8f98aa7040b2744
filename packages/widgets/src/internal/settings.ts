import type { ApiSettings } from './api.js';

/** What the script tag (or `configure()`) left for the elements, shared by every copy of the code on the page. */
export interface EmbedState {
  version: string;
  settings: ApiSettings | undefined;
}

// Symbol.for is shared by every bundle on the page: the loader and the component chunks meet here.
export const embedStateKey = Symbol.for('mentoring.embed');

type Page = typeof globalThis & { [embedStateKey]?: EmbedState };

export function embedState(): EmbedState | undefined {
  return (globalThis as Page)[embedStateKey];
}

export function setEmbedState(state: EmbedState): void {
  (globalThis as Page)[embedStateKey] = state;
}
