import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StartupError } from '../startup-error.js';
import type { Sql } from './connection.js';

export const migrationsDirectory = fileURLToPath(new URL('./migrations/', import.meta.url));

export interface Migration {
  version: number;
  /** File name, e.g. `001_ledger.sql`. */
  file: string;
  text: string;
  checksum: string;
}

export class MigrationError extends StartupError {
  override name = 'MigrationError';
}

const fileName = /^(\d{3})_[a-z0-9_]+\.sql$/;

// Every process that migrates takes this lock first, so two servers starting at once apply each file once.
const lockKey = 'mentoring:migrations';

/** The migration files of `directory`, in order; a badly named or duplicate-numbered file is an error. */
export async function readMigrations(directory = migrationsDirectory): Promise<Migration[]> {
  const files = (await readdir(directory)).filter((file) => file.endsWith('.sql')).sort();
  const migrations: Migration[] = [];
  for (const file of files) {
    const match = fileName.exec(file);
    if (match === null) {
      throw new MigrationError(`${file}: migration files are named NNN_lowercase_words.sql`);
    }
    const version = Number(match[1]);
    const previous = migrations.at(-1);
    if (previous?.version === version) {
      throw new MigrationError(`${previous.file} and ${file} have the same number`);
    }
    const text = await readFile(join(directory, file), 'utf8');
    migrations.push({ version, file, text, checksum: sha256(text) });
  }
  return migrations;
}

export interface MigrationResult {
  applied: string[];
  /** The highest version now in the database (0 when there is none). */
  version: number;
}

/**
 * Applies the migrations not yet recorded in `schema_migrations`, all in one transaction
 * under an advisory lock: either every pending file is applied or none is, and a second
 * process waits, then finds nothing left to do. An applied file that was since edited,
 * renamed or deleted is refused; versions above the newest file (applied by a newer release
 * before a rollback) are left alone.
 */
export async function migrate(sql: Sql, directory = migrationsDirectory): Promise<MigrationResult> {
  const migrations = await readMigrations(directory);
  return sql.begin(async (tx) => {
    // Waiting for another process's migrations may take a while; the migrations themselves keep
    // the connection's lock_timeout, so DDL never queues traffic on a busy table for long.
    await tx`set local statement_timeout = 0`;
    await tx`set local lock_timeout = '2min'`;
    await tx`select pg_advisory_xact_lock(hashtextextended(${lockKey}, 0))`;
    await tx`set local lock_timeout to default`;
    await tx`
      create table if not exists schema_migrations (
        version integer primary key,
        file text not null,
        checksum text not null,
        applied_at timestamptz not null default now()
      )`;
    const recorded = await tx<{ version: number; file: string; checksum: string }[]>`
      select version, file, checksum from schema_migrations order by version`;
    const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));
    const newest = migrations.at(-1)?.version ?? 0;
    for (const row of recorded) {
      const migration = byVersion.get(row.version);
      // Versions above our newest file were applied by a newer release (a rollback): allowed.
      if (migration === undefined && row.version < newest) {
        throw new MigrationError(`${row.file} was applied but its file is gone; migrations are never deleted`);
      }
      if (migration !== undefined && migration.file !== row.file) {
        throw new MigrationError(`${row.file} was applied but is now named ${migration.file}; migrations are never renamed`);
      }
      if (migration !== undefined && migration.checksum !== row.checksum) {
        throw new MigrationError(
          `${migration.file} was edited after it was applied; put the change in a new migration instead`,
        );
      }
    }
    const done = new Set(recorded.map((row) => row.version));
    const pending = migrations.filter((migration) => !done.has(migration.version));
    for (const migration of pending) {
      try {
        await tx.unsafe(migration.text).simple();
      } catch (error) {
        throw new MigrationError(`${migration.file} failed: ${describe(error, migration.text)}`, { cause: error });
      }
      await tx`
        insert into schema_migrations (version, file, checksum)
        values (${migration.version}, ${migration.file}, ${migration.checksum})`;
    }
    const versions = [...done, ...pending.map((migration) => migration.version)];
    return { applied: pending.map((migration) => migration.file), version: Math.max(0, ...versions) };
  });
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The database's message, with the line of the file it points at when it gives a position. */
function describe(error: unknown, text: string): string {
  if (!(error instanceof Error)) return String(error);
  const position = Number((error as { position?: string }).position);
  if (!Number.isInteger(position) || position <= 0) return error.message;
  const line = text.slice(0, position - 1).split('\n').length;
  return `${error.message} (line ${line})`;
}
