import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { captureErrors } from '../../test/console.js';
import { every } from './every.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('periodic work', () => {
  it('never starts a run while the last one is still going, goes on after a failure, and stops after the run in progress', async () => {
    let running = 0;
    let overlapped = false;
    let runs = 0;
    let finished = 0;
    const errors = await captureErrors(async () => {
      const job = every('test job', 1, async () => {
        runs += 1;
        running += 1;
        overlapped ||= running > 1;
        await pause(15);
        running -= 1;
        finished += 1;
        if (runs === 1) throw new Error('the first run fails');
      });
      await pause(60);
      await job.stop();
    });
    const stoppedAt = runs;
    await pause(30);
    assert.equal(overlapped, false);
    assert.ok(runs >= 2, 'it went on after the failed run');
    assert.equal(finished, runs, 'stop() waited for the run in progress');
    assert.equal(runs, stoppedAt, 'nothing ran after stop()');
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]![0]), /^test job:/);
  });
});
