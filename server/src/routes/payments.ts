import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Payment webhooks. */
export function paymentRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
