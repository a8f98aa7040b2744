import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyCache, type KeyRecord } from './authenticate.js';
import { hashKey } from './keys.js';

const hash = hashKey('pk_test_teatrocagnoni0000000000000000000000');
const record: KeyRecord = {
  key_id: '01a215b7-dea7-765f-875d-3eb926c34361',
  key_kind: 'publishable',
  mode: 'test',
  revoked: false,
  organization_id: '01a215b7-dea7-765f-875d-3eb926c34362',
  organization_kind: 'provider',
  name: 'Teatro Cagnoni',
  allowed_origins: ['https://teatrocagnoni.it'],
  managed_by: null,
  payable_account_id: null,
};

/** A lookup that answers when told to, counting how often it was started. */
function lookUp() {
  const started: ((answer: KeyRecord | undefined) => void)[] = [];
  return {
    started,
    run: () => new Promise<KeyRecord | undefined>((resolve) => started.push(resolve)),
  };
}

describe('KeyCache', () => {
  it('looks a key up once for all the requests that ask while the lookup runs, then remembers it', async () => {
    const cache = new KeyCache();
    const database = lookUp();
    const asked = Array.from({ length: 64 }, () => cache.load(hash, database.run));
    assert.equal(database.started.length, 1);
    database.started[0]!(record);
    for (const answer of await Promise.all(asked)) assert.equal(answer, record);
    assert.equal(cache.get(hash), record);
  });

  it('keeps nothing from a lookup that began before a clear(): it may have read the key before its revocation', async () => {
    const cache = new KeyCache();
    const database = lookUp();
    const before = cache.load(hash, database.run);
    cache.clear();
    const after = cache.load(hash, database.run);
    assert.equal(database.started.length, 2, 'a request after the clear() does not wait for the old lookup');
    database.started[0]!(record);
    assert.equal(await before, record);
    assert.equal(cache.get(hash), undefined);
    database.started[1]!({ ...record, revoked: true });
    assert.equal((await after)?.revoked, true);
    assert.equal(cache.get(hash)?.revoked, true);
  });

  it('remembers no unknown key and no failed lookup: the next request looks again', async () => {
    const cache = new KeyCache();
    assert.equal(await cache.load(hash, async () => undefined), undefined);
    await assert.rejects(cache.load(hash, () => Promise.reject(new Error('connection lost'))), /connection lost/);
    assert.equal(cache.get(hash), undefined);
    assert.equal(await cache.load(hash, async () => record), record);
    assert.equal(cache.get(hash), record);
  });
});
