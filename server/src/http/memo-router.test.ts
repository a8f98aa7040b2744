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
  it("answers as Hono's default router does, the same match again for the same method and path", () => {
    const { memo, plain } = routers();
    for (const [method, path] of [
      ['POST', '/v1/redemptions'],
      ['GET', '/v1/organizations/me'],
      ['GET', '/v1/organizations/01a215b7-dea7-765f-875d-3eb926c34361'],
      ['POST', '/v1/organizations/abc/keys'],
      ['GET', '/v1/redemptions'],
      ['DELETE', '/nowhere'],
    ] as const) {
      const first = memo.match(method, path);
      assert.deepEqual(first, plain.match(method, path), `${method} ${path}`);
      assert.equal(memo.match(method, path), first, `${method} ${path} remembered`);
    }
  });

  it('keys a match by method and path, so parameters never leak from one path to another', () => {
    const { memo } = routers();
    const params = (path: string) => (memo.match('GET', path)[0].find(([handler]) => handler === 'organization')?.[1] as Record<string, string>).id;
    assert.equal(params('/v1/organizations/a'), 'a');
    assert.equal(params('/v1/organizations/b'), 'b');
    assert.equal(params('/v1/organizations/a'), 'a');
  });

  it(`remembers at most ${maxRemembered} paths, however many it is asked for`, () => {
    const { memo, plain } = routers();
    for (let index = 0; index < maxRemembered * 3; index += 1) memo.match('GET', `/v1/organizations/${index}`);
    assert.ok(memo.size <= maxRemembered, `${memo.size} remembered`);
    assert.deepEqual(memo.match('GET', '/v1/organizations/7'), plain.match('GET', '/v1/organizations/7'));
  });

});
