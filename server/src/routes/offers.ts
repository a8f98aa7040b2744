import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Offers. */
export function offerRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
