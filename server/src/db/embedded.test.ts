import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createEmbeddedDataDir } from '../../test/database.js';
import { DataDirInUseError, openDatabase } from './connection.js';

// These run on every machine, DATABASE_URL or not: the embedded database is what `npm start` uses.
describe('the embedded database', () => {
  const dataDir = createEmbeddedDataDir();
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps its data in the data folder across restarts, with int8 as bigint', async () => {
    const first = await openDatabase({ dataDir });
    assert.equal(first.kind, 'embedded');
    await first.sql`create table seats (offer text primary key, price_cents bigint not null)`;
    await first.sql`insert into seats values ('tosca-vigevano', ${9_007_199_254_740_993n})`;
    await first.close();

    const second = await openDatabase({ dataDir });
    try {
      const rows = await second.sql<{ offer: string; price_cents: bigint }[]>`select * from seats`;
      assert.deepEqual(rows.map((row) => ({ ...row })), [{ offer: 'tosca-vigevano', price_cents: 9_007_199_254_740_993n }]);
    } finally {
      await second.close();
    }
  });

  it('refuses a second opener while the first has it, naming the process', async () => {
    const first = await openDatabase({ dataDir });
    try {
      await assert.rejects(openDatabase({ dataDir }), (error: unknown) => {
        assert.ok(error instanceof DataDirInUseError);
        assert.match(error.message, new RegExp(`in use by process ${process.pid}\\. Stop that process, or set MENTORING_DATA_DIR`));
        return true;
      });
    } finally {
      await first.close();
    }
  });

  it('releases the folder when it cannot open the database', async () => {
    const broken = createEmbeddedDataDir();
    rmSync(join(broken, 'pgdata'), { recursive: true, force: true });
    writeFileSync(join(broken, 'pgdata'), 'a file where the database folder should be');
    try {
      await assert.rejects(openDatabase({ dataDir: broken }));
      assert.equal(existsSync(join(broken, 'embedded.pid')), false);
    } finally {
      rmSync(broken, { recursive: true, force: true });
    }
  });

  it('can be closed twice, as a failed start and a later signal both do', async () => {
    const database = await openDatabase({ dataDir });
    await Promise.all([database.close(), database.close()]);
    await database.close();
  });
});
