// The widgets' size budgets (issue 5; docs/performance.md, Widgets), measured as gzip -9 of the
// built files in packages/widgets/dist: `npm run build` prints the table and fails when a row is
// over its budget, and `npm run test:size` checks the same.
//
// What a page downloads for a widget: the loader, the widget's entry and every chunk it imports,
// statically or later (the QR encoder after a booking), and one chunk of the widget's texts,
// chunks/<widget>.<locale>-….js, in the language whose chunk is the largest.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const dist = fileURLToPath(new URL('../packages/widgets/dist/', import.meta.url));
/** The three widgets of issue 5, whose sum has the issue's budget. */
export const issueComponents = ['redeem-voucher', 'sponsor-seat', 'circuit-badge'];
/** Every public widget: each has the budget of one widget (the needs board, the directory and the stories came with issue 8). */
export const components = [...issueComponents, 'needs-board', 'directory', 'stories'];
/** The staff desks, built apart into desk/ (rollup.config.js): measured, without a budget of the issue's. */
export const desks = ['provider-desk', 'referrer-desk', 'mentor-impact'];
/** Public widgets with a module script of their own, built apart into standalone/ (rollup.config.js): measured, no budget. */
export const standalone = ['say-thanks'];
const loader = 'mentoring.js';

const localize = JSON.parse(readFileSync(new URL('../packages/widgets/lit-localize.json', import.meta.url), 'utf8'));
export const locales = [localize.sourceLocale, ...localize.targetLocales];

/** Bytes, gzip -9. */
export const budgets = { loader: 2 * 1024, loaderLitAndOneComponent: 16 * 1024, allComponents: 28 * 1024 };

export function gzipSize(file) {
  return gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
}

/** The language of a chunk of texts (`chunks/redeem-voucher.sq-….js`, `desk/chunks/…` → `sq`); undefined for code. */
export function textsLocale(file) {
  // By the known locales: a hash may hold a hyphen too (`redeem-voucher.sq-B0C-Klgz.js`).
  const [, name] = /^(?:desk\/|standalone\/)?chunks\/[\w-]+\.(.+)\.js$/.exec(file) ?? [];
  return locales.find((locale) => name?.startsWith(`${locale}-`));
}

/** The files an ESM file imports (`from"./x.js"`, `import"./x.js"`, `import("./x.js")`), relative to dist. */
function importsOf(file) {
  const code = readFileSync(join(dist, file), 'utf8');
  return [...code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((match) => relative(dist, join(dist, dirname(file), match[1])));
}

/** `entry` and every file it may load: its code, and its texts in every language. */
export function reachable(entry) {
  const files = new Set();
  const visit = (file) => {
    if (files.has(file)) return;
    files.add(file);
    importsOf(file).forEach(visit);
  };
  visit(entry);
  return [...files];
}

/** What a page downloads for `entry`: its code, and its texts in the language whose chunk is the largest. */
export function download(entry) {
  const files = reachable(entry);
  const code = files.filter((file) => textsLocale(file) === undefined);
  const [texts] = files.filter((file) => textsLocale(file) !== undefined).sort((a, b) => gzipSize(b) - gzipSize(a));
  return { code, texts };
}

const total = (files) => files.reduce((sum, file) => sum + gzipSize(file), 0);

/** The rows of the size table: what a page loads in each case, and its budget. */
export function measure() {
  const widgets = components.map((name) => ({ name, ...download(`${name}.js`) }));
  const rows = [{ what: `loader (${loader})`, bytes: gzipSize(loader), budget: budgets.loader }];
  for (const { name, code, texts } of widgets) {
    rows.push({ what: `loader + Lit + <mentoring-${name}>`, bytes: total([loader, ...code, texts]), budget: budgets.loaderLitAndOneComponent });
  }
  const issueWidgets = widgets.filter(({ name }) => issueComponents.includes(name));
  const allCode = new Set(issueWidgets.flatMap(({ code }) => code));
  rows.push({
    what: `loader + all three components (${issueComponents.join(', ')})`,
    bytes: total([loader, ...allCode, ...issueWidgets.map(({ texts }) => texts)]),
    budget: budgets.allComponents,
  });
  return rows;
}

/**
 * What a staff page downloads for each desk: its module, Lit and the shared code of the desks'
 * own build, and its texts in the language whose chunk is the largest. No budget: staff pages are
 * not the providers' pages the issue's budgets are for; the table shows the desks' growth.
 */
export function measureDesks() {
  return [...desks.map((name) => `desk/${name}`), ...standalone.map((name) => `standalone/${name}`)].map((path) => {
    const { code, texts } = download(`${path}.js`);
    return { what: `<mentoring-${path.split('/')[1]}> (its own Lit and shared code)`, bytes: total([...code, texts]) };
  });
}

/** Rows over their budget: they break the build. */
export function failures(rows) {
  return rows.filter((row) => row.bytes > row.budget);
}

export function table(rows) {
  const lines = rows.map((row) => `| ${row.what} | ${row.bytes} | ${row.budget} | ${row.bytes <= row.budget ? 'ok' : 'OVER'} |`);
  return ['| gzip -9 | bytes | budget | |', '|---|---:|---:|---|', ...lines].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = measure();
  console.log(`Widget sizes (packages/widgets/dist):\n${table(rows)}`);
  const files = new Set([loader, ...components.flatMap((name) => Object.values(download(`${name}.js`)).flat())]);
  console.log(`Files: ${[...files].map((file) => `${file} ${gzipSize(file)}`).join(', ')}`);
  const deskRows = measureDesks();
  console.log(`Staff desks, loaded by staff pages only, and standalone widgets, loaded by their own script (no budget):\n${['| gzip -9 | bytes |', '|---|---:|', ...deskRows.map((row) => `| ${row.what} | ${row.bytes} |`)].join('\n')}`);
  const over = failures(rows);
  if (over.length > 0) {
    console.error(`Over budget: ${over.map((row) => row.what).join('; ')}`);
    process.exit(1);
  }
}
