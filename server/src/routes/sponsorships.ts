import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Sponsorships. */
export function sponsorshipRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
