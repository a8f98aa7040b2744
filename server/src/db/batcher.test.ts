import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from './batcher.js';

/** An `apply` the test resolves by hand, recording what each call carried. */
function manualApply() {
  const calls: { rows: number[]; finish(fail?: boolean): void }[] = [];
  const apply = (rows: number[]) =>
    new Promise<string[]>((resolve, reject) => {
      calls.push({ rows, finish: (fail = false) => (fail ? reject(new Error('batch refused')) : resolve(rows.map((row) => `done ${row}`))) });
    });
  return { calls, apply };
}

describe('Batcher', () => {
  it('sends the callers who wait during a call together in the next, each getting its own outcomes', async () => {
    const { calls, apply } = manualApply();
    const batcher = new Batcher(apply, { writers: 1, batchSize: 64 });
    const first = batcher.submit([1]);
    const waiting = [batcher.submit([2, 3]), batcher.submit([4])];
    assert.deepEqual(calls.map((call) => call.rows), [[1]]);
    calls[0]!.finish();
    assert.deepEqual(await first, ['done 1']);
    assert.deepEqual(calls.map((call) => call.rows), [[1], [2, 3, 4]]);
    calls[1]!.finish();
    assert.deepEqual(await Promise.all(waiting), [['done 2', 'done 3'], ['done 4']]);
  });

  it('starts the next batch before the callers of the last one run on', async () => {
    const { calls, apply } = manualApply();
    const batcher = new Batcher(apply, { writers: 1, batchSize: 64 });
    const first = batcher.submit([1]);
    void batcher.submit([2]);
    let batchesWhenFirstResumed = 0;
    const resumed = first.then(() => (batchesWhenFirstResumed = calls.length));
    calls[0]!.finish();
    await resumed;
    assert.equal(batchesWhenFirstResumed, 2);
  });

  it('never splits a caller and never exceeds the batch size, except for a caller larger than it', async () => {
    const { calls, apply } = manualApply();
    const batcher = new Batcher(apply, { writers: 1, batchSize: 3 });
    void batcher.submit([0]);
    void batcher.submit([1, 2]);
    void batcher.submit([3, 4]);
    void batcher.submit([5, 6, 7, 8]);
    calls[0]!.finish();
    await new Promise((resolve) => setImmediate(resolve));
    calls[1]!.finish();
    await new Promise((resolve) => setImmediate(resolve));
    calls[2]!.finish();
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(calls.map((call) => call.rows), [[0], [1, 2], [3, 4], [5, 6, 7, 8]]);
  });

  it('when a batch fails as a whole, sends each caller again alone: only the caller whose rows broke it fails', async () => {
    const failing = async (rows: number[]) => {
      if (rows.includes(13)) throw new Error('row 13 is malformed');
      return rows.map((row) => `done ${row}`);
    };
    const batcher = new Batcher(failing, { writers: 1, batchSize: 64 });
    const first = batcher.submit([1]);
    const together = [batcher.submit([2]), batcher.submit([13]), batcher.submit([4])];
    assert.deepEqual(await first, ['done 1']);
    const settled = await Promise.allSettled(together);
    assert.deepEqual(
      settled.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : (outcome.reason as Error).message)),
      [['done 2'], 'row 13 is malformed', ['done 4']],
    );
  });
});
