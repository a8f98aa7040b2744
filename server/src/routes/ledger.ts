import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** The ledger. */
export function ledgerRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
