import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import type { DemoData } from '../demo/seed.js';
import { Problem } from '../problem.js';

export const embedDirectory = fileURLToPath(new URL('../../../packages/widgets/dist/', import.meta.url));
export const examplesDirectory = fileURLToPath(new URL('../../../examples/', import.meta.url));

export interface AssetDirectories {
  /** The built widgets (`npm run build`), served at `/embed/v1/`. */
  embed: string;
  /** The demo host pages, served at `/examples/`. */
  examples: string;
  /** The demo's keys and ids (`.data/demo.json`) once they exist: the demo pages' `{{placeholders}}` are filled from them. */
  demo?: () => DemoData | undefined;
}

/** The embed script and its chunks for providers' pages, and the demo sites. */
export function assetRoutes(directories: AssetDirectories): Hono {
  const app = new Hono();
  // Providers load the script from their own origin: chunks fetched by import() need CORS,
  // and the short cache lets a fix reach every site within minutes.
  app.use('/embed/v1/*', async (c, next) => {
    await next();
    c.header('Access-Control-Allow-Origin', '*');
    c.header('Cross-Origin-Resource-Policy', 'cross-origin');
    c.header('X-Content-Type-Options', 'nosniff');
    // A 404 (before a build, say) must not stick in caches.
    c.header('Cache-Control', c.res.status === 200 ? 'public, max-age=300' : 'no-store');
  });
  app.get('/embed/v1/*', staticFrom(directories.embed, '/embed/v1'));
  app.get('/examples', (c) => c.redirect('/examples/', 301));
  app.use('/examples/*', demoPages(directories.demo ?? (() => undefined)));
  app.get('/examples/*', staticFrom(directories.examples, '/examples'));
  app.get('/', (c) => c.redirect('/examples/'));
  return app;
}

/** `{{providers.teatroCagnoni.publishableKey}}`: a dotted path into the demo data. */
const placeholder = /\{\{\s*([\w.]+)\s*\}\}/g;

/**
 * The demo pages are HTML as a provider would paste it, with `{{path}}` where the script tag's key
 * and the elements' ids go: those are made anew for every database, so they are filled in from the
 * demo data as the page is served. Each page also gets the strict Content-Security-Policy a careful
 * host sends: scripts, API calls and the stories' photos only from the Mentoring server, nothing from any other site.
 */
function demoPages(demo: () => DemoData | undefined): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status !== 200 || !c.res.headers.get('Content-Type')?.startsWith('text/html')) return;
    const page = await c.res.text();
    // serveStatic sent the file's length: the filled page, or a problem answered instead, has another.
    c.header('Content-Length', undefined);
    const data = page.search(placeholder) === -1 ? undefined : demo();
    if (page.search(placeholder) !== -1 && data === undefined) {
      throw new Problem(
        503,
        'service_unavailable',
        'No demo data yet',
        'The demo pages show the demo circuits that npm start creates on a new database (with DATABASE_URL, set MENTORING_DEMO=true ' +
          'and MENTORING_ADMIN_KEY). If they are being created now, reload in a few seconds.',
        undefined,
        { headers: { 'Retry-After': '5' } },
      );
    }
    if (data === undefined) {
      c.res = new Response(page, c.res);
      return;
    }
    const apiOrigin = new URL(data.baseUrl).origin;
    c.res = new Response(fillPlaceholders(page, data, c.req.path), c.res);
    c.header('Cache-Control', 'no-store');
    c.header(
      'Content-Security-Policy',
      `default-src 'self'; script-src 'self' ${apiOrigin}; connect-src ${apiOrigin}; style-src 'self' 'unsafe-inline'; ` +
        `img-src 'self' data: ${apiOrigin}; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
    );
  };
}

/** The page with every `{{path}}` replaced by that value of the demo data, HTML-escaped; a path the data lacks is our bug, said plainly. */
export function fillPlaceholders(page: string, data: DemoData, where: string): string {
  return page.replace(placeholder, (whole, path: string) => {
    let value: unknown = data;
    for (const step of path.split('.')) {
      value = typeof value === 'object' && value !== null && Object.hasOwn(value, step) ? (value as Record<string, unknown>)[step] : undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Problem(
        500,
        'internal_error',
        'Unknown placeholder in a demo page',
        `${where} has ${whole}, which is not a text or number of the demo data (server/src/demo/seed.ts, DemoData).`,
      );
    }
    return escapeHtml(String(value));
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

function staticFrom(directory: string, prefix: string) {
  // serveStatic takes a root relative to the working directory.
  return serveStatic({
    root: relative(process.cwd(), directory) || '.',
    rewriteRequestPath: (path) => path.slice(prefix.length),
  });
}
