import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminKey, assertOk, call, createTestApi, type TestApi } from '../../test/api.js';
import { seedCircuit } from '../../test/fixtures/catalog.js';

let api: TestApi;
before(async () => {
  api = await createTestApi();
});
after(() => api.close());

describe('GET /v1/ledger/reconciliation', () => {
  it("shows an operator its own circuits' pools only, the admin every pool and the totals; both see whether it is clean", async () => {
    const vigevano = await seedCircuit(api, { name: 'Vigevano', funded: 50_000n });
    const pavia = await seedCircuit(api, { name: 'Pavia', funded: 20_000n });
    const poolsSeenBy = async (key: string) => {
      const report = assertOk(await call(api, 'GET', '/v1/ledger/reconciliation', { key }));
      assert.equal(report.clean, true, JSON.stringify(report.problems));
      // The whole ledger's totals are the admin's: another operator's money could be worked out from them.
      assert.equal('totals' in report, key === adminKey);
      return report.pools.map((pool: { account_id: string; funded: number }) => [pool.account_id, pool.funded]);
    };
    assert.deepEqual(await poolsSeenBy(vigevano.operator.secretKey), [[vigevano.generalPoolId, 50_000]]);
    assert.deepEqual(await poolsSeenBy(pavia.operator.secretKey), [[pavia.generalPoolId, 20_000]]);
    assert.deepEqual(await poolsSeenBy(adminKey), [
      [vigevano.generalPoolId, 50_000],
      [pavia.generalPoolId, 20_000],
    ]);
  });
});
