import type { Services } from '../http/context.js';
import { apiRouter } from '../http/router.js';

/** Vouchers. */
export function voucherRoutes(_services: Services) {
  const app = apiRouter();
  return app;
}
