import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Circuits, their providers, pools and allocations. */
export function circuitRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
