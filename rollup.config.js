// Builds the widgets into packages/widgets/dist (served by the server at /embed/v1/) and the npm
// package's modules into packages/widgets/lib. scripts/bundle-size.mjs then checks the budgets.
import { readFileSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import MagicString from 'magic-string';
import { compileMessages } from './packages/widgets/build/compile-messages.mjs';

const widgets = 'packages/widgets';
const { version } = JSON.parse(readFileSync(`${widgets}/package.json`, 'utf8'));
const components = ['redeem-voucher', 'sponsor-seat', 'circuit-badge', 'needs-board', 'directory', 'stories'];
// The staff desks: a build of their own (dist/desk/), so the public widgets' files stay as they are.
const desks = ['provider-desk', 'referrer-desk', 'mentor-impact'];
// Public widgets with a script of their own: the thank-you form after a booking.
const standalone = ['say-thanks'];

/**
 * Collapses the whitespace of our css``, html`` and svg`` templates (indentation, line breaks):
 * what the browser ignores need not be sent. Runs of spaces become one, which keeps every meaning.
 * In css`` (no expressions, no strings with these characters) the spaces around `{};,>` and after
 * `:` go too, the last `;` of a block and the 0 of `0.5`; a space before `:` stays (`.a :focus` is
 * not `.a:focus`).
 */
function collapseTemplateWhitespace() {
  return {
    name: 'collapse-template-whitespace',
    transform(code, id) {
      if (!id.includes(`/${widgets}/src/`)) return null;
      const text = new MagicString(code);
      for (const match of code.matchAll(/\b(css|html|svg) ?`/g)) {
        const minify = match[1] === 'css' ? minifyCss : (collapsed) => collapsed;
        let end = match.index + match[0].length;
        let run = end;
        const collapse = (to) => {
          const collapsed = minify(code.slice(run, to).replace(/\s+/g, ' '));
          if (to > run) text.overwrite(run, to, collapsed === '' ? ' ' : collapsed);
        };
        while (code[end] !== '`') {
          if (code[end] === '\\') {
            end += 2;
          } else if (code.startsWith('${', end)) {
            collapse(end);
            // Skip the expression, nested templates included, by counting braces.
            for (let depth = 0; code[end] !== '}' || --depth > 0; end++) if (code[end] === '{') depth++;
            run = ++end;
          } else {
            end++;
          }
        }
        collapse(end);
      }
      return { code: text.toString(), map: text.generateMap({ hires: true }) };
    },
  };
}

function minifyCss(css) {
  return css
    .replace(/ ?([{};,>]) ?/g, '$1')
    .replace(/: /g, ':')
    .replaceAll(';}', '}')
    .replace(/([:\s,(])0\.(\d)/g, '$1.$2')
    .trim();
}

const plugins = ({ outDir, minify = true, declarations = false, compileTexts = false }) => [
  replace({ preventAssignment: true, values: { __MENTORING_VERSION__: JSON.stringify(version) } }),
  nodeResolve({ browser: true }),
  typescript({
    tsconfig: `${widgets}/tsconfig.json`,
    noEmit: false,
    outDir,
    sourceMap: true,
    declaration: declarations,
    ...(declarations ? { declarationDir: outDir } : {}),
    exclude: ['**/*.test.ts', '**/internal/testing.ts'],
  }),
  ...(compileTexts
    ? [
        compileMessages({
          config: `${widgets}/lit-localize.json`,
          runtime: `${widgets}/src/internal/localization.ts`,
          compiled: `${widgets}/src/internal/localization.compiled.ts`,
        }),
      ]
    : []),
  ...(minify ? [collapseTemplateWhitespace()] : []),
  ...(minify ? [terser({ ecma: 2020, module: true, compress: { passes: 3 }, format: { comments: false } })] : []),
];

/** Widgets of `src/<folder>/<name>/<name>.ts` built into `dist/<out>/`, with their own Lit and shared code (`core`). */
function builtApart(folder, out, names) {
  return {
    input: Object.fromEntries(names.map((name) => [name, `${widgets}/src/${folder}/${name}/${name}.ts`])),
    output: {
      dir: `${widgets}/dist/${out}`,
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      manualChunks: (id) => (/\/node_modules\/(lit|lit-html|lit-element|@lit)\/|\/src\/(staff\/)?internal\//.test(id) ? 'core' : undefined),
      sourcemap: true,
    },
    preserveEntrySignatures: 'strict',
    plugins: plugins({ outDir: `${widgets}/dist/${out}`, compileTexts: true }),
  };
}

export default [
  {
    // The script tag providers paste: a classic script, so it also runs from `<script async>`.
    input: `${widgets}/src/embed/mentoring.ts`,
    output: { file: `${widgets}/dist/mentoring.js`, format: 'iife', sourcemap: true },
    plugins: plugins({ outDir: `${widgets}/dist` }),
  },
  {
    // What the script tag imports on demand: one entry per component, Lit and the shared code in chunks.
    input: Object.fromEntries(components.map((name) => [name, `${widgets}/src/components/${name}/${name}.ts`])),
    output: {
      dir: `${widgets}/dist`,
      format: 'es',
      entryFileNames: '[name].js',
      chunkFileNames: 'chunks/[name]-[hash].js',
      // Lit and src/internal (base element, API client, styles, texts runtime) in one chunk that
      // every widget loads: one file compresses better than Lit and the rest apart, and the little
      // only the forms use costs the badge less than a chunk of its own would cost the forms.
      manualChunks: (id) => (/\/node_modules\/(lit|lit-html|lit-element|@lit)\/|\/src\/internal\//.test(id) ? 'core' : undefined),
      sourcemap: true,
    },
    preserveEntrySignatures: 'strict',
    // The texts are compiled (packages/widgets/build/compile-messages.mjs): no @lit/localize at run
    // time, and chunks/<widget>.<locale>-….js hold each widget's texts in one language.
    plugins: plugins({ outDir: `${widgets}/dist`, compileTexts: true }),
  },
  // The staff desks, loaded by a staff page's own module script (/embed/v1/desk/provider-desk.js),
  // never by the public loader. Built apart, with their own Lit and shared code: the public
  // widgets' chunks, and so their sizes, are what they would be without the desks. The desks'
  // texts are numbered after the public widgets' (src/staff/ sorts after the rest), so no public
  // chunk of texts changes either.
  builtApart('staff', 'desk', desks),
  // Public widgets a page loads with a module script of their own (/embed/v1/standalone/…), not
  // through the loader: built apart like the desks, so the loader and the budgeted widgets stay as
  // they are. Their texts sort after the public widgets' and the desks' (src/standalone/).
  builtApart('standalone', 'standalone', standalone),
  {
    // The npm package: one module per source file; Lit stays a dependency for the bundler to share.
    input: [
      `${widgets}/src/index.ts`,
      ...components.map((name) => `${widgets}/src/components/${name}/${name}.ts`),
      ...desks.map((name) => `${widgets}/src/staff/${name}/${name}.ts`),
      ...standalone.map((name) => `${widgets}/src/standalone/${name}/${name}.ts`),
    ],
    external: [/^lit($|\/)/, /^@lit\//, /^tslib$/],
    output: { dir: `${widgets}/lib`, format: 'es', preserveModules: true, preserveModulesRoot: `${widgets}/src`, sourcemap: true },
    plugins: plugins({ outDir: `${widgets}/lib`, minify: false, declarations: true }),
  },
];
