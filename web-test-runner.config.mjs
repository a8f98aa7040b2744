// Browser tests: every packages/*/src/**/*.test.ts runs in headless Chromium (`npm run test:browser`),
// against the real Mentoring server started by scripts/widget-test-server.mjs.
import { readFileSync } from 'node:fs';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { findChromium } from './scripts/chromium.mjs';
import { mentoringServer } from './scripts/widget-test-server.mjs';

const widgets = JSON.parse(readFileSync('packages/widgets/package.json', 'utf8'));

export default {
  files: ['packages/*/src/**/*.test.ts'],
  nodeResolve: true,
  plugins: [
    esbuildPlugin({
      ts: true,
      // esbuild reads this file as it is (no `extends`): it holds the decorator settings Lit needs.
      tsconfig: 'packages/widgets/tsconfig.json',
      define: { __MENTORING_VERSION__: JSON.stringify(widgets.version) },
    }),
    mentoringServer(),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: findChromium(),
        headless: true,
        // --no-sandbox: CI runs as root; the rest keep Chromium off the network it cannot reach.
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      },
    }),
  ],
  // Lit's dev build (kept for its warnings) announces itself in every file.
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  testFramework: { config: { timeout: 10000 } },
};
