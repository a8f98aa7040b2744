import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { ApiEnv } from '../http/context.js';

/** `GET /openapi.json` (OpenAPI 3.1, generated from the routes' zod schemas) and `GET /docs`. */
export function docsRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'sk_… secret, pk_… publishable or rk_… desk key; MENTORING_ADMIN_KEY for the platform admin.',
  });
  const document = () =>
    api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Mentoring API',
        version: '1',
        description: 'Mentors fund vouchers that young people spend on culture. See docs/api.md.',
      },
    });
  return new Hono().get('/openapi.json', (c) => c.json(document()));
}
