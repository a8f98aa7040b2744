import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Campaigns. */
export function campaignRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
