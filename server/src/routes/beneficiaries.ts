import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Beneficiaries. */
export function beneficiaryRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
