// Test helpers (never bundled: no entry imports this file).
import { waitUntil } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';

/** Runs `run` with `console[method]` recorded instead of printed; returns the lines it got. */
export async function captureConsole(method: 'info' | 'warn' | 'error', run: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const original = console[method];
  console[method] = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    await run();
  } finally {
    console[method] = original;
  }
  return lines;
}

/** The shared circuit of the test server (scripts/widget-test-server.mjs). */
export interface World {
  apiOrigin: string;
  publishableKey: string;
  circuitId: string;
  providerId: string;
  mentorId: string;
}

export interface SeededVoucher {
  code: string;
  pin: string;
  expiresAt: string;
}

/** Asks the test server to make something through the API (an offer, a voucher, a campaign…). */
export function seed<T>(action: string, options: object = {}): Promise<T> {
  return executeServerCommand<T, object>('mentoring', { action, ...options }) as Promise<T>;
}

let world: Promise<World> | undefined;
export function testWorld(): Promise<World> {
  world ??= seed<World>('world');
  return world;
}

/** The first element of `element`'s shadow root matching `selector`. */
export function inside<T extends Element = HTMLElement>(element: Element, selector: string): T | null {
  return element.shadowRoot!.querySelector<T>(selector);
}

/** The text the person reads in the element, spaces collapsed. */
export function textOf(element: Element): string {
  return (element.shadowRoot!.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/** Waits until the element shows `text` (or matches it). */
export async function untilText(element: Element, text: string | RegExp, timeout = 5000): Promise<void> {
  const matches = () => (typeof text === 'string' ? textOf(element).includes(text) : text.test(textOf(element)));
  await waitUntil(matches, `never showed ${text}; it shows: ${textOf(element)}`, { timeout }).catch(() => {
    throw new Error(`never showed ${text}; it shows: ${textOf(element)}`);
  });
}

/** The element inside the shadow root that has keyboard focus. */
export function focusedIn(element: Element): Element | null {
  return element.shadowRoot!.activeElement;
}

/** Reads a QR code drawn in SVG as a phone at the door would: jsQR on the rendered pixels, 300 px wide. */
export async function readQr(svg: SVGSVGElement): Promise<string | undefined> {
  const image = new Image();
  image.src = `data:image/svg+xml,${encodeURIComponent(new XMLSerializer().serializeToString(svg).replace('<svg', '<svg width="300" height="300"'))}`;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 300;
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, 300, 300);
  context.drawImage(image, 0, 0, 300, 300);
  const pixels = context.getImageData(0, 0, 300, 300);
  await loadJsQr();
  return (window as unknown as { jsQR: (data: Uint8ClampedArray, w: number, h: number) => { data: string } | null }).jsQR(pixels.data, 300, 300)?.data;
}

let jsQr: Promise<unknown> | undefined;
function loadJsQr() {
  jsQr ??= new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/jsqr/dist/jsQR.js';
    script.onload = resolve;
    script.onerror = reject;
    document.head.append(script);
  });
  return jsQr;
}

export interface PlainPage {
  window: Window & typeof globalThis;
  document: Document;
  violations: string[];
  logs: string[];
}

/** A provider's plain page: an iframe with `body`, our origin alone in script-src and connect-src, and the console recorded. */
export async function plainPage(body: string, lang = 'it'): Promise<PlainPage> {
  const { apiOrigin } = await testWorld();
  const frame = document.createElement('iframe');
  frame.style.width = '320px';
  frame.style.height = '900px';
  frame.srcdoc = `<!doctype html><html lang="${lang}"><head>
    <meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${apiOrigin}; connect-src ${apiOrigin}; style-src 'none'; img-src data:">
    </head><body>${body}</body></html>`;
  document.body.append(frame);
  await new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  const window = frame.contentWindow as Window & typeof globalThis;
  const page: PlainPage = { window, document: frame.contentDocument!, violations: [], logs: [] };
  page.document.addEventListener('securitypolicyviolation', (event) => page.violations.push(`${event.violatedDirective} ${event.blockedURI}`));
  for (const level of ['info', 'warn', 'error'] as const) {
    window.console[level] = (...args: unknown[]) => page.logs.push(`${level}: ${args.join(' ')}`);
  }
  return page;
}
