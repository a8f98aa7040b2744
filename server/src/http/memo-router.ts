import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/** Paths whose matches are remembered at most; then it starts again. */
export const maxRemembered = 1000;

/**
 * Hono's default router, with its answer remembered for each method and path without parameters.
 * The API's routes put `/organizations/me` beside `/organizations/:id`, which Hono's RegExpRouter
 * refuses, so Hono falls back to its TrieRouter, which builds a new match for every request. At
 * full load those matches were a sixth of what outlived the server's minor GCs, since a request
 * keeps its match while it waits for its batch (docs/performance.md). Hono refuses a route added
 * after the first match, and a match is only read, never changed: one answer serves every request
 * for the same path, such as `POST /v1/redemptions`.
 */
export class MemoRouter<T> implements Router<T> {
  readonly name = 'MemoRouter';
  readonly #router: Router<T> = new SmartRouter({ routers: [new RegExpRouter(), new TrieRouter()] });
  readonly #matches = new Map<string, Result<T>>();

  add(method: string, path: string, handler: T): void {
    this.#router.add(method, path, handler);
  }

  /** How many matches are remembered. */
  get size(): number {
    return this.#matches.size;
  }

  match(method: string, path: string): Result<T> {
    const key = `${method} ${path}`;
    const remembered = this.#matches.get(key);
    if (remembered !== undefined) return remembered;
    const match = this.#router.match(method, path);
    // Only paths without parameters: a path with an id in it is seldom asked for twice, and
    // remembering it would only keep its match alive longer.
    if (!hasParameters(match)) {
      // Bounded: a scan of made-up paths cannot grow it without limit.
      if (this.#matches.size >= maxRemembered) this.#matches.clear();
      this.#matches.set(key, match);
    }
    return match;
  }
}

/** Whether any handler of `match` takes a parameter from the path (both of Hono's result shapes name them). */
function hasParameters<T>(match: Result<T>): boolean {
  for (const [, parameters] of match[0]) {
    for (const _ in parameters) return true;
  }
  return false;
}
