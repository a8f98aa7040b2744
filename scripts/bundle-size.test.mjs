// `npm run test:size`: the built widgets (npm run build) within their gzip budgets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgets, closure, failures, measure } from './bundle-size.mjs';

test('every size is within its budget, or within the ceiling of a row known to be over', () => {
  const rows = measure();
  assert.deepEqual(failures(rows), []);
  assert.ok(rows.find((row) => row.what.startsWith('loader (')).bytes <= budgets.loader);
  assert.ok(rows.at(-1).bytes <= budgets.allComponents);
});

test('a row over its budget fails', () => {
  assert.deepEqual(failures([{ what: 'loader', bytes: budgets.loader + 1, budget: budgets.loader }]).length, 1);
  assert.deepEqual(failures([{ what: 'c', bytes: 17_000, budget: budgets.loaderLitAndOneComponent, ceiling: 16_999 }]).length, 1);
});

test('a component counts Lit and the shared code, the QR chunk and its texts in one language', () => {
  const files = [...closure('redeem-voucher.js')];
  assert.ok(files.some((file) => file.startsWith('chunks/core-')));
  assert.ok(files.some((file) => file.startsWith('chunks/qr-code-')));
  assert.equal(files.filter((file) => /^chunks\/redeem-voucher\.(en|it|sq)-/.test(file)).length, 1);
});
