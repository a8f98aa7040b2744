import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createTestDatabase, needsRealPostgres, type TestDatabase } from '../../test/database.js';
import { openDatabase } from './connection.js';
import { migrate, MigrationError, migrationsDirectory, readMigrations } from './migrate.js';

let database: TestDatabase;
let directory: string;

function migrationFiles(files: Record<string, string>): string {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(directory, name), text);
  return directory;
}

async function tableExists(name: string): Promise<boolean> {
  const [row] = await database.sql<{ found: boolean }[]>`select to_regclass(${name}) is not null as found`;
  return row!.found;
}

const accounts = `
create table accounts (id bigint primary key, credits_posted bigint not null default 0);
`;
const transfers = `
create table transfers (
  id bigint primary key,
  debit_account_id bigint not null references accounts (id),
  amount bigint not null check (amount > 0)
);
`;

describe('migrate', () => {
  beforeEach(async () => {
    database = await createTestDatabase();
    directory = mkdtempSync(join(tmpdir(), 'mentoring-migrations-'));
  });
  afterEach(async () => {
    await database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('applies the files in number order, records them, and finds nothing to do the second time', async () => {
    migrationFiles({ '002_transfers.sql': transfers, '001_accounts.sql': accounts });
    const first = await migrate(database.sql, directory);
    assert.deepEqual(first, { applied: ['001_accounts.sql', '002_transfers.sql'], version: 2 });
    assert.ok(await tableExists('transfers'));

    const second = await migrate(database.sql, directory);
    assert.deepEqual(second, { applied: [], version: 2 });
    const recorded = await database.sql`select version, file from schema_migrations order by version`;
    assert.deepEqual(
      recorded.map((row) => ({ ...row })),
      [
        { version: 1, file: '001_accounts.sql' },
        { version: 2, file: '002_transfers.sql' },
      ],
    );
  });

  it('applies only the files added since the last run', async () => {
    migrationFiles({ '001_accounts.sql': accounts });
    await migrate(database.sql, directory);
    migrationFiles({ '002_transfers.sql': transfers });
    assert.deepEqual(await migrate(database.sql, directory), { applied: ['002_transfers.sql'], version: 2 });
  });

  it('leaves the database as it was when a file fails, and names the file and the line', async () => {
    migrationFiles({
      '001_accounts.sql': accounts,
      '002_transfers.sql': 'create table transfers (\n  id bigint primary key,\n  amount bigint not nul\n);\n',
    });
    await assert.rejects(migrate(database.sql, directory), (error: unknown) => {
      assert.ok(error instanceof MigrationError);
      assert.match(error.message, /^002_transfers\.sql failed: syntax error at or near "nul" \(line 3\)$/);
      return true;
    });
    assert.equal(await tableExists('accounts'), false, 'the file before the failing one is rolled back too');
    assert.equal(await tableExists('schema_migrations'), false);
  });

  it('refuses to start when a file that was applied has been edited', async () => {
    migrationFiles({ '001_accounts.sql': accounts });
    await migrate(database.sql, directory);
    migrationFiles({ '001_accounts.sql': `${accounts}\nalter table accounts add column flags integer;\n` });
    await assert.rejects(migrate(database.sql, directory), /001_accounts\.sql was edited after it was applied/);
  });

  it('refuses to start when a file that was applied has been deleted or renamed', async () => {
    migrationFiles({ '001_accounts.sql': accounts, '002_transfers.sql': transfers });
    await migrate(database.sql, directory);
    rmSync(join(directory, '002_transfers.sql'));
    migrationFiles({ '002_transfer_table.sql': transfers });
    await assert.rejects(migrate(database.sql, directory), /002_transfers\.sql was applied but is now named 002_transfer_table\.sql/);
    rmSync(join(directory, '002_transfer_table.sql'));
    migrationFiles({ '003_holds.sql': 'create table holds (id bigint primary key);' });
    await assert.rejects(migrate(database.sql, directory), /002_transfers\.sql was applied but its file is gone/);
  });

  it('starts after a rollback to a release that lacks the newest migrations', async () => {
    migrationFiles({ '001_accounts.sql': accounts, '002_transfers.sql': transfers });
    await migrate(database.sql, directory);
    rmSync(join(directory, '002_transfers.sql'));
    assert.deepEqual(await migrate(database.sql, directory), { applied: [], version: 2 });
  });

  it('runs the files with the connection\'s lock timeout, not the long wait for the migration lock', async () => {
    migrationFiles({ '001_settings.sql': "create table seen as select current_setting('lock_timeout') as lock_timeout;" });
    await migrate(database.sql, directory);
    const [seen] = await database.sql<{ lock_timeout: string }[]>`select lock_timeout from seen`;
    const [connection] = await database.sql<{ lock_timeout: string }[]>`select current_setting('lock_timeout') as lock_timeout`;
    assert.equal(seen!.lock_timeout, connection!.lock_timeout);
  });

  it('refuses badly named files and two files with one number', async () => {
    migrationFiles({ '1_accounts.sql': accounts });
    await assert.rejects(readMigrations(directory), /1_accounts\.sql: migration files are named NNN_lowercase_words\.sql/);
    rmSync(join(directory, '1_accounts.sql'));
    migrationFiles({ '001_accounts.sql': accounts, '001_transfers.sql': transfers });
    await assert.rejects(readMigrations(directory), /001_accounts\.sql and 001_transfers\.sql have the same number/);
  });

  it('applies the project migrations to an empty database', async () => {
    const files = await readMigrations(migrationsDirectory);
    const result = await migrate(database.sql);
    assert.deepEqual(result.applied, files.map((file) => file.file));
    assert.deepEqual(await migrate(database.sql), { applied: [], version: result.version });
  });

  it('applies each file once when two servers start at the same moment', { skip: needsRealPostgres }, async () => {
    // The sleep keeps the first transaction open long enough for the second to queue behind it.
    migrationFiles({ '001_accounts.sql': `${accounts}\nselect pg_sleep(0.3);\n`, '002_transfers.sql': transfers });
    const other = await openDatabase({ url: database.url, dataDir: '' });
    try {
      const results = await Promise.all([migrate(database.sql, directory), migrate(other.sql, directory)]);
      const applied = results.map((result) => result.applied).sort((a, b) => b.length - a.length);
      assert.deepEqual(applied, [['001_accounts.sql', '002_transfers.sql'], []]);
      assert.deepEqual(results.map((result) => result.version), [2, 2]);
    } finally {
      await other.close();
    }
  });
});
