import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { developmentAdminKey } from './development-admin-key.js';
import { parseKey } from './keys.js';

describe('the development admin key', () => {
  it('is a test secret key, made once and kept for the owner only', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mentoring-admin-key-'));
    try {
      const key = developmentAdminKey(dataDir);
      assert.deepEqual(parseKey(key), { kind: 'secret', mode: 'test' });
      assert.equal(developmentAdminKey(dataDir), key, 'the same key after a restart');
      assert.equal(statSync(join(dataDir, 'admin-key')).mode & 0o777, 0o600);
      writeFileSync(join(dataDir, 'admin-key'), 'sk_live_not-a-development-key\n');
      assert.notEqual(developmentAdminKey(dataDir), key, 'anything else in the file is replaced');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
