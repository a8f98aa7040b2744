import type { Result, Router } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';

/** Paths whose matches are remembered at most; then it starts again. */
export const maxRemembered = 1000;

/**
 * Hono's default router, with its answer remembered for each method and path. The API's routes
 * put `/organizations/me` beside `/organizations/:id`, which Hono's RegExpRouter refuses, so Hono
 * falls back to its TrieRouter, which builds a new match for every request. At full load those
 * matches were a sixth of what outlived the server's minor GCs, since a request keeps its match
 * while it waits for its batch (docs/performance.md). Hono refuses a route added after the first match,
 * and a match is only read, never changed: one answer serves every request for the same path.
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
    let match = this.#matches.get(key);
    if (match === undefined) {
      match = this.#router.match(method, path);
      // Bounded: paths with ids in them, or a scan of made-up paths, cannot grow it without limit.
      if (this.#matches.size >= maxRemembered) this.#matches.clear();
      this.#matches.set(key, match);
    }
    return match;
  }
}
