// Browser tests: every packages/*/src/**/*.test.ts runs in headless Chromium (`npm run test:browser`),
// against the real Mentoring server started by scripts/widget-test-server.mjs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { findChromium } from './scripts/chromium.mjs';
import { mentoringServer } from './scripts/widget-test-server.mjs';

const widgets = JSON.parse(readFileSync('packages/widgets/package.json', 'utf8'));

/**
 * `executeServerCommand('print-pdf', {screenshot?, shoot?})`: prints the test's page to an A4 PDF as
 * Chromium would, and answers how many pages it has (the voucher cards: one a page). With
 * `screenshot` (a file name) and MENTORING_SCREENSHOTS (a folder) set, also saves there, for the
 * docs, the element `shoot` ([host selector, selector in its shadow root]) as printed: print media,
 * an A4 page's width (794 px).
 */
function printPlugin() {
  return {
    name: 'print-pdf',
    async executeCommand({ command, payload, session }) {
      if (command !== 'print-pdf') return undefined;
      const page = session.browser.getPage(session.id);
      const pdf = Buffer.from(await page.pdf({ format: 'A4' })).toString('latin1');
      const folder = process.env.MENTORING_SCREENSHOTS;
      if (payload?.screenshot !== undefined && folder) {
        const viewport = page.viewport();
        await page.emulateMediaType('print');
        await page.setViewport({ width: 794, height: 1123 });
        const clip = await page.evaluate(([host, inner]) => {
          const { x, y, width, height } = document.querySelector(host).shadowRoot.querySelector(inner).getBoundingClientRect();
          return { x, y: y + window.scrollY, width, height };
        }, payload.shoot);
        await page.screenshot({ path: join(folder, payload.screenshot), clip, captureBeyondViewport: true });
        await page.emulateMediaType(null);
        if (viewport !== null) await page.setViewport(viewport);
      }
      return { pages: pdf.match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0 };
    },
  };
}

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
    printPlugin(),
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
