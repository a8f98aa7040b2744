import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Public counts for widgets. */
export function publicRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
