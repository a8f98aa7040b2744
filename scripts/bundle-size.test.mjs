// `npm run test:size`: the built widgets (npm run build) within the gzip budgets.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgets, components, desks, download, failures, gzipSize, locales, measure, measureDesks, reachable, standalone, textsLocale } from './bundle-size.mjs';

test("every row is within its budget: loader 2 KB, loader + Lit + one widget 16 KB, the issue's three widgets 28 KB", () => {
  const rows = measure();
  assert.deepEqual(failures(rows), []);
  assert.deepEqual(
    rows.map((row) => row.budget),
    [budgets.loader, ...components.map(() => budgets.loaderLitAndOneComponent), budgets.allComponents],
  );
  assert.deepEqual([budgets.loader, budgets.loaderLitAndOneComponent, budgets.allComponents], [2048, 16384, 28672]);
  assert.match(rows.at(-1).what, /\(redeem-voucher, sponsor-seat, circuit-badge\)$/, 'the 28 KB row sums the three widgets of issue 5, not the later ones');
});

test('a row over its budget fails', () => {
  assert.equal(failures([{ what: 'loader', bytes: budgets.loader + 1, budget: budgets.loader }]).length, 1);
  assert.equal(failures([{ what: 'loader', bytes: budgets.loader, budget: budgets.loader }]).length, 0);
});

test('the redeem form counts Lit and the shared code, the QR encoder it loads after a booking, and its largest chunk of texts', () => {
  const { code, texts } = download('redeem-voucher.js');
  assert.ok(code.some((file) => file.startsWith('chunks/core-')));
  assert.ok(code.some((file) => file.startsWith('chunks/qr-code-')));
  const own = reachable('redeem-voucher.js').filter((file) => textsLocale(file) !== undefined);
  assert.deepEqual(own.map(textsLocale).sort(), [...locales].sort(), 'a chunk of texts for each language');
  assert.equal(texts, own.sort((a, b) => gzipSize(b) - gzipSize(a))[0]);
});

test("a widget's texts are chunks of their own, one per language, and no widget counts another's", () => {
  assert.equal(textsLocale('chunks/circuit-badge.sq-Ab1_x.js'), 'sq');
  assert.equal(textsLocale('chunks/redeem-voucher.en-C6D-WtLR.js'), 'en', 'a hash may hold a dash');
  assert.equal(textsLocale('chunks/redeem-voucher.sq-B0C-Klgz.js'), 'sq', 'a hyphen in the hash');
  assert.equal(textsLocale('chunks/core-Ab1_x.js'), undefined);
  assert.equal(textsLocale('chunks/qr-code-Ab1_x.js'), undefined);
  for (const name of components) {
    const { code, texts } = download(`${name}.js`);
    assert.ok(texts.startsWith(`chunks/${name}.`), `${name} counts ${texts}`);
    assert.ok(code.every((file) => textsLocale(file) === undefined));
  }
});

test('the staff desks are a build apart: no public widget loads a file of theirs, nor they one of the public build', () => {
  assert.equal(textsLocale('desk/chunks/referrer-desk.sq-Ab1_x.js'), 'sq');
  assert.equal(textsLocale('desk/chunks/provider-desk.sq-BiCuIh-o.js'), 'sq', 'a hash with a dash');
  for (const name of components) assert.ok(reachable(`${name}.js`).every((file) => !file.startsWith('desk/')), name);
  for (const name of desks) {
    const { code, texts } = download(`desk/${name}.js`);
    assert.ok([...code, texts].every((file) => file.startsWith('desk/')), name);
    assert.ok(texts.startsWith(`desk/chunks/${name}.`), `${name} counts ${texts}`);
  }
  assert.deepEqual(
    measureDesks().map((row) => row.what),
    [...desks, ...standalone].map((name) => `<mentoring-${name}> (its own Lit and shared code)`),
  );
});

test('the standalone widgets (the thank-you form) are a build apart too: the loader and the budgeted widgets never load them', () => {
  assert.equal(textsLocale('standalone/chunks/say-thanks.sq-Ab1_x.js'), 'sq');
  for (const name of components) assert.ok(reachable(`${name}.js`).every((file) => !file.startsWith('standalone/')), name);
  assert.ok(reachable('mentoring.js').every((file) => !file.startsWith('standalone/')));
  for (const name of standalone) {
    const { code, texts } = download(`standalone/${name}.js`);
    assert.ok([...code, texts].every((file) => file.startsWith('standalone/')), name);
    assert.ok(texts.startsWith(`standalone/chunks/${name}.`), `${name} counts ${texts}`);
  }
});
