import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataDirInUseError } from './connection.js';

/** Data folders this process holds, so that its own pid in a lock file left by a restart (pid 1 in a container) is stale. */
const heldHere = new Set<string>();

/**
 * PGlite's files must have one writer. The lock is `<dataDir>/embedded.pid`, holding the pid
 * of the process that has the folder open. It is created whole (written aside, then hard-linked
 * into place, which fails if it exists), so a reader never sees it empty. A lock whose process is
 * gone is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const folder = resolve(dataDir);
  const path = join(folder, 'embedded.pid');
  for (let attempt = 0; attempt < 10; attempt++) {
    if (create(path)) {
      heldHere.add(folder);
      return () => {
        heldHere.delete(folder);
        if (holderOf(path) === process.pid) rmSync(path, { force: true });
      };
    }
    const holder = holderOf(path);
    if (holder === undefined) continue; // released between our two looks: try again
    if (isHeld(holder, folder)) {
      throw new DataDirInUseError(
        `the embedded database in ${folder} is in use by process ${holder}. ` +
          'Stop that process, or set MENTORING_DATA_DIR to another folder.',
      );
    }
    takeOver(path, holder);
  }
  throw new DataDirInUseError(`could not lock the embedded database in ${folder}: other processes keep taking it.`);
}

function create(path: string): boolean {
  const aside = `${path}.${randomBytes(6).toString('hex')}`;
  writeFileSync(aside, String(process.pid));
  try {
    linkSync(aside, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(aside, { force: true });
  }
}

/** The pid in the lock file; 0 when the file holds no pid; undefined when there is no file. */
function holderOf(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : 0;
}

/** Moves a stale lock aside; if another process replaced it meanwhile, puts that one back. */
function takeOver(path: string, stale: number): void {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // another process took it over first
    throw error;
  }
  if (holderOf(aside) !== stale) {
    try {
      linkSync(aside, path);
    } catch {
      // A third process locked in between: it holds the folder now, and the next look says so.
    }
  }
  rmSync(aside, { force: true });
}

function isHeld(holder: number, folder: string): boolean {
  if (holder === 0) return false; // no pid: and process.kill(0) would signal our own group
  if (holder === process.pid) return heldHere.has(folder);
  return isRunning(holder);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
