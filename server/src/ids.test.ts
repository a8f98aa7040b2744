import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { derivedId, firstIdAt, humanReference, newId } from './ids.js';

describe('ids and references', () => {
  it('new ids are UUIDv7, sort by creation time, and never repeat across many refills of the random pool', () => {
    const ids = Array.from({ length: 5000 }, (_, index) => newId(1_764_000_000_000 + index));
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids.map((id) => id.slice(14))).size, ids.length, 'the random parts differ');
  });

  it('ids made in the same millisecond sort in the order they were made, and differ', () => {
    const ids = Array.from({ length: 2000 }, () => newId(1_764_000_000_000));
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  it('the first id of a millisecond sorts before every id made from then on, and after every earlier one', () => {
    const moment = 1_764_000_000_000;
    const first = firstIdAt(new Date(moment));
    assert.equal(first, '019ab697-e800-7000-8000-000000000000');
    for (let index = 0; index < 1000; index++) {
      assert.ok(newId(moment) > first);
      assert.ok(newId(moment - 1) < first);
    }
  });

  it('derived ids are the same for the same parent and step, and differ otherwise', () => {
    const parent = newId();
    assert.equal(derivedId(parent, 'capture'), derivedId(parent, 'capture'));
    assert.notEqual(derivedId(parent, 'capture'), derivedId(parent, 'fund'));
    assert.match(derivedId(parent, 'capture'), /^[0-9a-f]{8}-[0-9a-f]{4}-8/);
  });

  it('references are Crockford base32 in the groups asked for, and random', () => {
    const references = Array.from({ length: 2000 }, () => humanReference('BK', [5, 5]));
    for (const reference of references) assert.match(reference, /^BK-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    assert.equal(new Set(references).size, references.length);
  });
});
