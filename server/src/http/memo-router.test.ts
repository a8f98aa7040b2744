import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SmartRouter } from 'hono/router/smart-router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { TrieRouter } from 'hono/router/trie-router';
import { maxRemembered, MemoRouter } from './memo-router.js';

// The API's own kind of table: a static segment beside a parameter, which RegExpRouter refuses.
const routes: [string, string, string][] = [
  ['ALL', '/v1/*', 'middleware'],
  ['GET', '/v1/organizations/me', 'me'],
  ['GET', '/v1/organizations/:id', 'organization'],
  ['POST', '/v1/organizations/:id/keys', 'keys'],
  ['POST', '/v1/redemptions', 'redeem'],
];

function routers() {
  const memo = new MemoRouter<string>();
  const plain = new SmartRouter<string>({ routers: [new RegExpRouter(), new TrieRouter()] });
  for (const [method, path, handler] of routes) {
    memo.add(method, path, handler);
    plain.add(method, path, handler);
  }
  return { memo, plain };
}

describe('MemoRouter', () => {
  it("answers as Hono's default router does, and the same match again for a path without parameters", () => {
    const { memo, plain } = routers();
    for (const [method, path] of [
      ['POST', '/v1/redemptions'],
      ['GET', '/v1/organizations/me'],
      ['GET', '/v1/organizations/01a215b7-dea7-765f-875d-3eb926c34361'],
      ['POST', '/v1/organizations/abc/keys'],
      ['GET', '/v1/redemptions'],
      ['DELETE', '/nowhere'],
    ] as const) {
      assert.deepEqual(memo.match(method, path), plain.match(method, path), `${method} ${path}`);
      assert.deepEqual(memo.match(method, path), plain.match(method, path), `${method} ${path}, again`);
    }
    assert.equal(memo.match('POST', '/v1/redemptions'), memo.match('POST', '/v1/redemptions'), 'remembered');
  });

  it('keys a match by method and path, so parameters never leak from one path to another', () => {
    const { memo } = routers();
    const params = (path: string) => (memo.match('GET', path)[0].find(([handler]) => handler === 'organization')?.[1] as Record<string, string>).id;
    assert.equal(params('/v1/organizations/a'), 'a');
    assert.equal(params('/v1/organizations/b'), 'b');
    assert.equal(params('/v1/organizations/a'), 'a');
  });

  it('remembers no path with parameters in it, which seldom comes twice', () => {
    const { memo } = routers();
    memo.match('GET', '/v1/organizations/01a215b7-dea7-765f-875d-3eb926c34361');
    memo.match('POST', '/v1/organizations/abc/keys');
    assert.equal(memo.size, 0);
    memo.match('POST', '/v1/redemptions');
    assert.equal(memo.size, 1);
  });

  it(`remembers at most ${maxRemembered} paths, however many it is asked for`, () => {
    const { memo, plain } = routers();
    for (let index = 0; index < maxRemembered * 3; index += 1) memo.match('GET', `/v1/made-up-${index}`);
    assert.ok(memo.size > 0 && memo.size <= maxRemembered, `${memo.size} remembered`);
    assert.deepEqual(memo.match('GET', '/v1/made-up-7'), plain.match('GET', '/v1/made-up-7'));
  });
});
