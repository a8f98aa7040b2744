import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { Database } from './db/connection.js';
import { handleError, handleNotFound } from './problem.js';
import { assetRoutes, embedDirectory, examplesDirectory, type AssetDirectories } from './routes/assets.js';
import { healthRoutes } from './routes/health.js';

export interface AppOptions {
  database: Database;
  assets?: AssetDirectories;
}

/** Builds the HTTP app: middleware first, then one sub-app per domain. Tests call `app.request()` on it. */
export function createApp({ database, assets = { embed: embedDirectory, examples: examplesDirectory } }: AppOptions) {
  const app = new Hono();
  app.use(requestId());
  app.onError(handleError);
  app.notFound(handleNotFound);
  app.route('/healthz', healthRoutes(database));
  app.route('/', assetRoutes(assets));
  return app;
}
