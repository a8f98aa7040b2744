// The page's own build, as a React site would have one: its code, React and the Mentoring widgets
// from npm (@mentoring/widgets) in one bundle in dist/, which the page loads as a module. `npm run
// build` type-checks first (tsc --noEmit): the package's types exist once the widgets are built.
import commonjs from '@rollup/plugin-commonjs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';

export default {
  input: 'src/main.tsx',
  output: { dir: 'dist', format: 'es', entryFileNames: 'app.js', chunkFileNames: 'chunks/[name]-[hash].js', sourcemap: false },
  plugins: [
    // React ships CommonJS that reads process.env.NODE_ENV; the production build drops its checks.
    replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
    nodeResolve({ browser: true }),
    commonjs(),
    typescript({ tsconfig: './tsconfig.json', noEmit: false, outDir: 'dist', sourceMap: false }),
    terser({ ecma: 2020, module: true, compress: false, format: { comments: false } }),
  ],
};
