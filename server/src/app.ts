import { OpenAPIHono } from '@hono/zod-openapi';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';
import { requestId } from 'hono/request-id';
import { AuditLog, auditRequests } from './audit/audit-log.js';
import { authenticate, KeyCache, preflight } from './auth/authenticate.js';
import type { Database } from './db/connection.js';
import { readBody } from './http/body.js';
import { defaultRateLimits, type ApiEnv, type Services } from './http/context.js';
import { idempotency } from './http/idempotency.js';
import { MemoRouter } from './http/memo-router.js';
import { Ledger } from './ledger/ledger.js';
import { defaultPaymentProviders } from './payments/providers.js';
import { handleError, notFound } from './problem.js';
import { Redeemer } from './redemptions/redeemer.js';
import { maxPinFailures } from './vouchers/unlock.js';
import { assetRoutes, embedDirectory, examplesDirectory, type AssetDirectories } from './routes/assets.js';
import { auditRoutes } from './routes/audit.js';
import { beneficiaryRoutes } from './routes/beneficiaries.js';
import { campaignRoutes } from './routes/campaigns.js';
import { circuitRoutes } from './routes/circuits.js';
import { directoryRoutes } from './routes/directory.js';
import { docsRoutes } from './routes/docs.js';
import { healthRoutes } from './routes/health.js';
import { impactRoutes } from './routes/impact.js';
import { ledgerRoutes } from './routes/ledger.js';
import { needRoutes } from './routes/needs.js';
import { offerRoutes } from './routes/offers.js';
import { organizationRoutes } from './routes/organizations.js';
import { pathRoutes } from './routes/paths.js';
import { paymentRoutes } from './routes/payments.js';
import { privacyRoutes } from './routes/privacy.js';
import { publicHeaders, publicRoutes } from './routes/public.js';
import { redeemAnswers, redemptionRoutes } from './routes/redemptions.js';
import { settlementRoutes } from './routes/settlements.js';
import { storyPhotoLimit, storyRoutes } from './routes/stories.js';
import { sponsorshipRoutes } from './routes/sponsorships.js';
import { thanksRoutes } from './routes/thanks.js';
import { voucherRoutes } from './routes/vouchers.js';
import { webhookRoutes } from './routes/webhooks.js';

/** The largest request body the API reads: a class's batch of vouchers fits many times over. */
export const maxBodyBytes = 256 * 1024;

export interface AppOptions {
  database: Database;
  assets?: AssetDirectories;
  /** Replaces the defaults built from `database`; tests and main.ts set what they need. */
  services?: Partial<Omit<Services, 'sql'>>;
}

/** Builds the HTTP app: middleware first (CORS before auth), then one sub-app per domain. Tests call `app.request()`. */
export function createApp({ database, assets = { embed: embedDirectory, examples: examplesDirectory }, services = {} }: AppOptions) {
  const rateLimits = services.rateLimits ?? defaultRateLimits;
  const api: Services = {
    sql: database.sql,
    ledger: services.ledger ?? new Ledger(database.sql),
    redeemer:
      services.redeemer ??
      new Redeemer(
        database.writer,
        { attemptLimit: rateLimits.perVoucher, windowSeconds: rateLimits.windowSeconds, maxPinFailures },
        { answers: redeemAnswers },
      ),
    adminKey: services.adminKey,
    keyCache: services.keyCache ?? new KeyCache(),
    payments: services.payments ?? defaultPaymentProviders(),
    rateLimits,
    trustProxy: services.trustProxy ?? false,
    holdTimeoutSeconds: services.holdTimeoutSeconds ?? 15 * 60,
    audit: services.audit ?? new AuditLog(database.sql),
    webhookPrivateAddresses: services.webhookPrivateAddresses ?? false,
  };
  const app = new OpenAPIHono<ApiEnv>({ router: new MemoRouter() });
  app.use(requestId());
  app.onError(handleError);
  app.notFound(notFound(() => app.routes));
  app.route('/healthz', healthRoutes(database));

  app.use('/v1/*', preflight());
  app.use('/v1/*', readBody(maxBodyBytes, [storyPhotoLimit]));
  app.use('/v1/*', authenticate(api));
  app.use('/v1/*', auditRequests(api.audit));
  app.use('/v1/*', idempotency(api.sql));
  app.use('/v1/public/*', publicHeaders);
  // Hono's etag() tags GET and HEAD answers only: the public POST (path progress) is never cached.
  // A 304 keeps its request id too (docs/api.md: every answer carries one).
  app.use('/v1/public/*', etag({ retainedHeaders: [...RETAINED_304_HEADERS, 'x-request-id'] }));
  for (const routes of [
    organizationRoutes,
    circuitRoutes,
    offerRoutes,
    campaignRoutes,
    sponsorshipRoutes,
    needRoutes,
    paymentRoutes,
    beneficiaryRoutes,
    privacyRoutes,
    voucherRoutes,
    pathRoutes,
    redemptionRoutes,
    settlementRoutes,
    thanksRoutes,
    impactRoutes,
    webhookRoutes,
    auditRoutes,
    ledgerRoutes,
    publicRoutes,
    directoryRoutes,
    storyRoutes,
  ]) {
    app.route('/v1', routes(api));
  }
  app.route('/', docsRoutes(app));
  app.route('/', assetRoutes(assets));
  return app;
}
