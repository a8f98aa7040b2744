import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

export const embedDirectory = fileURLToPath(new URL('../../../packages/widgets/dist/', import.meta.url));
export const examplesDirectory = fileURLToPath(new URL('../../../examples/', import.meta.url));

export interface AssetDirectories {
  /** The built widgets (`npm run build`), served at `/embed/v1/`. */
  embed: string;
  /** The demo host pages, served at `/examples/`. */
  examples: string;
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
  app.get('/examples/*', staticFrom(directories.examples, '/examples'));
  app.get('/', (c) => c.redirect('/examples/'));
  return app;
}

function staticFrom(directory: string, prefix: string) {
  // serveStatic takes a root relative to the working directory.
  return serveStatic({
    root: relative(process.cwd(), directory) || '.',
    rewriteRequestPath: (path) => path.slice(prefix.length),
  });
}
