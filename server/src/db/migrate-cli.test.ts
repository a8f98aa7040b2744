import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { createEmbeddedDataDir } from '../../test/database.js';
import { startScript } from '../../test/process.js';
import { readMigrations } from './migrate.js';

const cli = fileURLToPath(new URL('./migrate-cli.ts', import.meta.url));

describe('npm run migrate', () => {
  const dataDir = createEmbeddedDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies the pending migrations to the embedded database, then finds nothing left', async () => {
    const files = (await readMigrations()).map((migration) => migration.file);
    const version = files.length === 0 ? 0 : Number(files.at(-1)!.slice(0, 3));
    const first = startScript(cli, { MENTORING_DATA_DIR: dataDir });
    assert.equal(await first.exited, 0, first.output());
    const did = files.length === 0 ? 'nothing to apply' : `applied ${files.join(', ')}`;
    assert.equal(first.output(), `${dataDir}: ${did}; schema version ${version}\n`);

    const second = startScript(cli, { MENTORING_DATA_DIR: dataDir });
    assert.equal(await second.exited, 0, second.output());
    assert.equal(second.output(), `${dataDir}: nothing to apply; schema version ${version}\n`);
  });

  it('exits 1 with a readable line on a bad variable', async () => {
    const run = startScript(cli, { MENTORING_DATA_DIR: dataDir, DATABASE_URL: 'localhost:5432' });
    assert.equal(await run.exited, 1);
    assert.equal(
      run.output(),
      'Migration failed: Invalid environment:\n  DATABASE_URL=(value hidden): must be a postgres:// or postgresql:// URL\n',
    );
  });
});
