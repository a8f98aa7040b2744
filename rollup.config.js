// Builds the widgets into packages/widgets/dist, which the server serves at /embed/v1/.
import { readFileSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

const widgets = 'packages/widgets';
const { version } = JSON.parse(readFileSync(`${widgets}/package.json`, 'utf8'));

const plugins = () => [
  replace({ preventAssignment: true, values: { __MENTORING_VERSION__: JSON.stringify(version) } }),
  nodeResolve({ browser: true }),
  typescript({ tsconfig: `${widgets}/tsconfig.json`, noEmit: false, outDir: `${widgets}/dist`, sourceMap: true }),
  terser({ ecma: 2020, module: false, format: { comments: false } }),
];

export default [
  {
    // The script tag providers paste: a classic script, so it also runs from `<script async>`.
    input: `${widgets}/src/embed/mentoring.ts`,
    output: { file: `${widgets}/dist/mentoring.js`, format: 'iife', sourcemap: true },
    plugins: plugins(),
  },
];
