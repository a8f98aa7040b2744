import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey, keyPattern } from './keys.js';

/**
 * The admin key of a development server on the embedded database, when MENTORING_ADMIN_KEY is not
 * set: made once, kept (readable by its owner only) in the data folder beside the database, so
 * `npm start` can be used at once and keeps the same key across restarts. Never for DATABASE_URL.
 */
export function developmentAdminKey(dataDir: string): string {
  const file = join(dataDir, 'admin-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (keyPattern.test(key) && key.startsWith('sk_test_')) return key;
  }
  const { key } = generateKey('secret', 'test');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return key;
}
