// The widgets' size budgets, measured as gzip -9 of the built files in packages/widgets/dist
// (`npm run build` runs this after rollup and fails when a budget is exceeded).
// A component counts every chunk it imports, statically or later (the QR code after a booking),
// and the largest of the language chunks, of which a page loads one.
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

export const dist = fileURLToPath(new URL('../packages/widgets/dist/', import.meta.url));
export const components = ['redeem-voucher', 'sponsor-seat', 'circuit-badge'];
const loader = 'mentoring.js';

/** Bytes, gzip -9. */
export const budgets = { loader: 2 * 1024, loaderLitAndOneComponent: 16 * 1024, allComponents: 28 * 1024 };

/**
 * Rows over their budget today, held where they were measured so they cannot grow while they are
 * trimmed (docs/performance.md, Widgets). The budget stays the goal: remove a row once it fits.
 */
export const ceilings = { 'redeem-voucher': 16_816 };

export function gzipSize(file) {
  return gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
}

/** The files an ESM file imports (`from"./x.js"`, `import"./x.js"`, `import("./x.js")`), relative to dist. */
function importsOf(file) {
  const code = readFileSync(join(dist, file), 'utf8');
  return [...code.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((match) => relative(dist, join(dist, dirname(file), match[1])));
}

/** `entry` and everything it may load, with only the largest language chunk. */
export function closure(entry) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    importsOf(file).forEach(visit);
  };
  visit(entry);
  const languages = [...seen].filter((file) => /^chunks\/[\w-]+\.(en|it|sq)-/.test(file));
  const largest = languages.sort((a, b) => gzipSize(b) - gzipSize(a))[0];
  return new Set([...seen].filter((file) => !languages.includes(file) || file === largest));
}

const total = (files) => [...files].reduce((sum, file) => sum + gzipSize(file), 0);

/** The rows of the size table: what a page loads in each case, and its budget. */
export function measure() {
  const rows = [{ what: 'loader (mentoring.js)', bytes: gzipSize(loader), budget: budgets.loader }];
  const all = new Set([loader]);
  for (const name of components) {
    const files = closure(`${name}.js`);
    files.forEach((file) => all.add(file));
    rows.push({
      what: `loader + Lit + <mentoring-${name}>`,
      bytes: gzipSize(loader) + total(files),
      budget: budgets.loaderLitAndOneComponent,
      ...(ceilings[name] === undefined ? {} : { ceiling: ceilings[name] }),
    });
  }
  rows.push({ what: 'loader + all three components', bytes: total(all), budget: budgets.allComponents });
  return rows;
}

/** Rows that break the build: over the budget, or over the ceiling of a row that is known to be over. */
export function failures(rows) {
  return rows.filter((row) => row.bytes > (row.ceiling ?? row.budget));
}

export function table(rows) {
  const verdict = ({ bytes, budget, ceiling }) => (bytes <= budget ? 'ok' : ceiling !== undefined && bytes <= ceiling ? `over budget (held at ${ceiling})` : 'OVER');
  const lines = rows.map((row) => `| ${row.what} | ${row.bytes} | ${row.budget} | ${verdict(row)} |`);
  return ['| gzip -9 | bytes | budget | |', '|---|---:|---:|---|', ...lines].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = measure();
  console.log(`Widget sizes (packages/widgets/dist):\n${table(rows)}`);
  console.log(`Files: ${[loader, ...new Set(components.flatMap((name) => [...closure(`${name}.js`)]))].map((file) => `${file} ${gzipSize(file)}`).join(', ')}`);
  const over = failures(rows);
  if (over.length > 0) {
    console.error(`Over budget: ${over.map((row) => row.what).join('; ')}`);
    process.exit(1);
  }
}
