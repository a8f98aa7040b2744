import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Redemptions. */
export function redemptionRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
