import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DataDirInUseError } from './connection.js';
import { lockDataDir } from './data-dir-lock.js';

let dataDir: string;
const lockFile = () => join(dataDir, 'embedded.pid');

describe('the data folder lock', () => {
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mentoring-lock-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('holds the pid of its process while held, and nothing is left after release', () => {
    const release = lockDataDir(dataDir);
    assert.equal(readFileSync(lockFile(), 'utf8'), String(process.pid));
    release();
    assert.deepEqual(readdirSync(dataDir), []);
  });

  it('refuses a second holder in the same process', () => {
    const release = lockDataDir(dataDir);
    try {
      assert.throws(() => lockDataDir(dataDir), DataDirInUseError);
    } finally {
      release();
    }
  });

  it('refuses while another live process holds it, naming that process', async () => {
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)']);
    try {
      writeFileSync(lockFile(), String(other.pid));
      assert.throws(() => lockDataDir(dataDir), new RegExp(`in use by process ${other.pid}\\.`));
      assert.equal(readFileSync(lockFile(), 'utf8'), String(other.pid), 'the holder keeps its lock');
    } finally {
      other.kill();
    }
  });

  it('takes over the lock of a process that died', () => {
    writeFileSync(lockFile(), String(spawnSync(process.execPath, ['-e', '0']).pid));
    lockDataDir(dataDir)();
  });

  it('takes over its own pid left by a restart, as pid 1 in a container finds it', () => {
    writeFileSync(lockFile(), String(process.pid));
    const release = lockDataDir(dataDir);
    release();
    assert.equal(existsSync(lockFile()), false);
  });

  it('takes over a lock file that holds no pid', () => {
    writeFileSync(lockFile(), 'not a pid');
    lockDataDir(dataDir)();
  });

  it('does not remove a lock that another process has taken since', () => {
    const release = lockDataDir(dataDir);
    writeFileSync(lockFile(), '4242');
    release();
    assert.equal(readFileSync(lockFile(), 'utf8'), '4242');
  });
});
