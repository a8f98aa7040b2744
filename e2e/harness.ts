// What the end-to-end tests share: the real server on a scratch database with the demo of
// `npm start` seeded for its own address, the system's Chromium driven by playwright-core, and pages
// that remember everything that went wrong in them (console errors, CSP violations, requests to
// other sites).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import type { DemoData } from '../server/src/demo/seed.js';
import { findChromium } from '../scripts/chromium.mjs';
import { startServer } from '../scripts/mentoring-server.mjs';

export const repository = fileURLToPath(new URL('..', import.meta.url));
export const screenshotsDirectory = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));

export interface Mentoring {
  /** Where browsers reach the server and its demo pages: `http://localhost:<port>`, as the demo was seeded. */
  baseUrl: string;
  demo: DemoData;
  adminKey: string;
  /** Calls the API as an organization's server would (no Origin); throws on a status other than `expect`. */
  api<T = Record<string, any>>(method: 'GET' | 'POST', path: string, key: string, body?: unknown, expect?: number): Promise<T>;
  stop(): Promise<void>;
}

/** `npm start` on a scratch database and a new data folder, with the demo created for its own address. */
export async function startMentoring(): Promise<Mentoring> {
  const adminKey = `sk_test_${randomBytes(20).toString('hex')}`;
  const server = await startServer(adminKey, { name: 'mentoring-e2e', env: { MENTORING_DEMO: 'true' } });
  try {
    // demoSummary's last line; "could not be created" is the other way the demo step ends.
    while (!/^ {2}desk key/m.test(server.output())) {
      if (/demo {7}could not be created/.test(server.output())) throw new Error(`The demo was not created:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  const demo = JSON.parse(readFileSync(`${server.dataDir}/demo.json`, 'utf8')) as DemoData;
  return {
    baseUrl: demo.baseUrl,
    demo,
    adminKey,
    async api(method, path, key, body, expect = method === 'POST' ? 201 : 200) {
      const response = await fetch(`${server.origin}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      assert.equal(response.status, expect, `${method} ${path} answered ${response.status}: ${text}`);
      return (response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text) as never;
    },
    stop: () => server.stop(),
  };
}

/** Chromium as CI has it (scripts/chromium.mjs finds it); playwright-core never downloads a browser. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChromium();
  assert.ok(executablePath, 'No Chromium: run `node scripts/chromium.mjs` (it installs one on Debian) or set CHROME_PATH.');
  const args = ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-gpu'];
  // Chromium's sandbox refuses to start as root, which CI is.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  return chromium.launch({ executablePath, args, headless: true });
}

/** A page that keeps what went wrong in it; `problems()` lists it, so a test can say there was nothing. */
export interface WatchedPage {
  page: Page;
  /** The page's response headers (its Content-Security-Policy, say). */
  headers: Record<string, string>;
  problems(): string[];
}

/**
 * Opens `url` in `context`, refusing (and reporting) any request that leaves this machine: the demo
 * sites must work without fonts, images or scripts from elsewhere. With `clock`, the page's time
 * starts there and runs on.
 */
export async function openPage(context: BrowserContext, url: string, { clock }: { clock?: Date | undefined } = {}): Promise<WatchedPage> {
  const page = await context.newPage();
  page.setDefaultTimeout(patience);
  if (clock !== undefined) await page.clock.install({ time: clock });
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.route(
    (address) => !['localhost', '127.0.0.1'].includes(address.hostname) && address.protocol !== 'data:',
    async (route) => {
      problems.push(`request to another site: ${route.request().url()}`);
      await route.abort('blockedbyclient');
    },
  );
  // Violations are events in the page: they reach the test as console errors. The widgets' events
  // are kept from the start, before a test could listen to the element itself.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'an inline script or style'}`),
    );
    const seen: { type: string; detail: unknown }[] = [];
    Object.assign(window, { mentoringEvents: seen });
    for (const type of ['mentoring-error', 'mentoring-redeemed', 'mentoring-sponsored']) {
      document.addEventListener(type, (event) => seen.push({ type, detail: (event as CustomEvent).detail }));
    }
  });
  const response = await page.goto(url);
  assert.equal(response?.status(), 200, `${url} answered ${response?.status()}`);
  return { page, headers: response!.headers(), problems: () => [...problems] };
}

/** The widgets' events on the page since it opened, once one of type `type` is among them. */
export async function eventsOnceFired(page: Page, type: string): Promise<{ type: string; detail: Record<string, any> }[]> {
  const events = await page.waitForFunction((type) => {
    const seen = (window as unknown as { mentoringEvents: { type: string }[] }).mentoringEvents;
    return seen.some((event) => event.type === type) && seen;
  }, type);
  return (await events.jsonValue()) as never;
}

/** The widget's own box once it has loaded what it shows: its offer, campaign or badge counts. */
export async function loadedWidget(page: Page, selector: string): Promise<Locator> {
  const widget = page.locator(selector);
  const ready = widget.locator('[part=offer], [part=campaign], [part=need], .line:not(.placeholder)').first();
  await ready.waitFor();
  return widget;
}

/** A staff desk once its key opened it and it loaded what it shows: `ready` is a part of the loaded desk. */
export async function openedDesk(page: Page, selector: string, ready: string): Promise<Locator> {
  const desk = page.locator(selector);
  await desk.locator('[part=organization]').waitFor();
  await desk.locator(ready).first().waitFor();
  return desk;
}

/** How long a step may wait for the page: far more than any takes, so a hang fails instead of waiting forever. */
export const patience = 15_000;

/**
 * Resolves with the `detail` of the next `name` event the element fires (listened to before `action`
 * runs); a `mentoring-error` instead fails with its code.
 */
export async function nextEvent<T>(widget: Locator, name: string, action: () => Promise<unknown>): Promise<T> {
  // Wrapped in an object: Playwright would wait for a promise handed back bare, before `action` ran.
  const listening = await widget.evaluateHandle(
    (element, [eventName, patience]) => ({
      next: new Promise((resolve, reject) => {
        element.addEventListener(eventName, (event) => resolve((event as CustomEvent).detail), { once: true });
        element.addEventListener('mentoring-error', (event) => reject(new Error(`mentoring-error ${(event as CustomEvent).detail.code}`)), { once: true });
        setTimeout(() => reject(new Error(`no ${eventName} in ${patience} ms`)), patience);
      }),
    }),
    [name, patience] as const,
  );
  await action();
  return (await listening.evaluate((handle) => handle.next)) as T;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's violations on the page, widgets' shadow roots included, as "rule: target" lines. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern (an injected <script> it would block).
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: { id: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const { violations } = await axe.run({ resultTypes: ['violations'] });
    return violations.flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${JSON.stringify(node.target)}`));
  });
}

/**
 * What changes from one run to the next on the demo pages without anything having changed in them:
 * the dates of the events (the seed puts them days ahead of its own run), the months of a mentor's
 * gifts, booking references and their QR codes, voucher codes.
 */
function volatile(page: Page): Locator[] {
  return [
    page.locator(':is(mentoring-redeem-voucher, mentoring-sponsor-seat) :is(p, dd)', { hasText: /\b20\d\d\b/ }),
    page.locator('mentoring-stories [part=story] p', { hasText: /\b20\d\d\b/ }),
    // A mentor's months: the demo's gifts are made in the month it is seeded.
    page.locator('mentoring-mentor-impact :is(text, th, td)', { hasText: /\b20\d\d\b/ }),
    page.locator('[part=reference], [part=qr], tbody code'),
    // A box office's bookings of the day: their references and times.
    page.locator('mentoring-provider-desk [part=today]'),
  ];
}

/**
 * Fewer pixels than this differing (outside what is volatile) is the rasterizer's noise on rounded
 * corners (seen: 3 pixels on one corner, 17 on the corners of a field and a button), not a change;
 * a changed word is hundreds.
 */
const noise = 64;

/**
 * Writes `docs/screenshots/<name>.png`: the viewport as it is, small enough to keep in the
 * repository. A screenshot already there is kept when the page looks the same apart from what is
 * volatile (dates, references, codes), so that a rerun on another day leaves the repository as it
 * was; delete it to have it taken again.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDirectory, { recursive: true });
  const file = `${screenshotsDirectory}${name}.png`;
  const image = await page.screenshot({ animations: 'disabled', caret: 'hide' });
  if (existsSync(file)) {
    const boxes = (await Promise.all(volatile(page).map(async (locator) => Promise.all((await locator.all()).map((each) => each.boundingBox()))))).flat();
    if (differingPixels(PNG.sync.read(readFileSync(file)), PNG.sync.read(image), boxes) < noise) return;
  }
  writeFileSync(file, image);
}

/** How many pixels differ between two screenshots, outside `boxes`; every pixel when their sizes differ. */
function differingPixels(before: PNG, after: PNG, boxes: ({ x: number; y: number; width: number; height: number } | null)[]): number {
  if (before.width !== after.width || before.height !== after.height) return after.width * after.height;
  const covered = (x: number, y: number) => boxes.some((box) => box !== null && x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height);
  let differing = 0;
  for (let y = 0; y < after.height; y++) {
    for (let x = 0; x < after.width; x++) {
      const at = (y * after.width + x) * 4;
      if (before.data.readUInt32BE(at) !== after.data.readUInt32BE(at) && !covered(x, y)) differing++;
    }
  }
  return differing;
}

const xliff = { it: '', sq: '' };

/**
 * What the widgets say for `source` in `language`, from their xliff, so a test reads (and types
 * into) what a user sees. `{0}`, `{1}`… in `source` stand for the message's placeholders, filled
 * with `values` in the translation.
 */
export function translated(language: 'it' | 'sq', source: string, values: string[] = []): string {
  xliff[language] ||= readFileSync(`${repository}packages/widgets/xliff/${language}.xlf`, 'utf8');
  const placeholders = (text: string) => text.replace(/<x id="(\d+)"[^>]*\/>/g, '{$1}');
  const plain = (text: string) => text.replace(/&(lt|gt|quot|apos|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[name]!);
  for (const unit of xliff[language].matchAll(/<source>(.*?)<\/source>\s*<target>(.*?)<\/target>/gs)) {
    if (plain(placeholders(unit[1]!)) !== source) continue;
    return plain(placeholders(unit[2]!)).replace(/\{(\d+)\}/g, (whole, index: string) => values[Number(index)] ?? whole);
  }
  assert.fail(`no ${language} translation of "${source}" in ${language}.xlf`);
}

/** The translation of `source` into Albanian: what a pupil reads. */
export const albanian = (source: string, values?: string[]) => translated('sq', source, values);

/** The translation of `source` into Italian: what the staff of a box office or a school office read. */
export const italian = (source: string, values?: string[]) => translated('it', source, values);
