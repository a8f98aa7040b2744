import type { OpenAPIHono } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { ApiEnv } from '../http/context.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  description?: string;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  nullable?: boolean;
};

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  parameters?: { name: string; in: string; required?: boolean; schema?: Schema; description?: string }[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
}

/** `GET /openapi.json` (OpenAPI 3.1, generated from the routes' zod schemas) and `GET /docs`, a page to read it. */
export function docsRoutes(api: OpenAPIHono<ApiEnv>) {
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'sk_… secret, pk_… publishable or rk_… desk key; MENTORING_ADMIN_KEY for the platform admin.',
  });
  let cached: ReturnType<typeof api.getOpenAPI31Document> | undefined;
  // The routes are all registered before the first request: the document is built once.
  const document = () =>
    (cached ??= api.getOpenAPI31Document({
      openapi: '3.1.0',
      info: {
        title: 'Mentoring API',
        version: '1',
        description:
          'Mentors fund vouchers that young people spend on tickets and courses. JSON in and out; errors are ' +
          'application/problem+json with a stable `code`; every POST takes an `Idempotency-Key`; lists page with ' +
          '`?limit=1..100&starting_after=<id>`. Amounts are integer euro cents.',
      },
    }));
  return new Hono()
    .get('/openapi.json', (c) => c.json(document()))
    .get('/docs', (c) => {
      c.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      return c.html(renderDocs(document() as unknown as { info: { title: string; description?: string }; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }));
    });
}

const escape = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');

function renderDocs(doc: { info: { title: string; description?: string }; paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } }): string {
  const schemas = doc.components?.schemas ?? {};
  // A schema that extends another (allOf: the other's $ref, then its own fields) reads as one object.
  const resolve = (schema: Schema | undefined): Schema | undefined => {
    const found = schema?.$ref === undefined ? schema : schemas[schema.$ref.split('/').pop()!];
    if (found?.allOf === undefined) return found;
    const parts = found.allOf.map(resolve);
    return {
      ...found,
      type: 'object',
      properties: Object.assign({}, ...parts.map((part) => part?.properties ?? {})),
      required: parts.flatMap((part) => part?.required ?? []),
    };
  };
  const typeOf = (schema: Schema | undefined): string => {
    const resolved = resolve(schema);
    if (resolved === undefined) return 'any';
    if (schema?.$ref !== undefined) return schema.$ref.split('/').pop()!;
    if (resolved.enum !== undefined) return resolved.enum.map((value) => JSON.stringify(value)).join(' | ');
    if (resolved.anyOf ?? resolved.oneOf) return (resolved.anyOf ?? resolved.oneOf)!.map(typeOf).join(' | ');
    if (resolved.type === 'array') return `${typeOf(resolved.items)}[]`;
    return Array.isArray(resolved.type) ? resolved.type.join(' | ') : (resolved.type ?? 'object');
  };
  const fields = (schema: Schema | undefined): string => {
    const resolved = resolve(schema);
    if (resolved?.properties === undefined) return '';
    const rows = Object.entries(resolved.properties).map(
      ([name, property]) =>
        `<tr><td><code>${escape(name)}</code>${resolved.required?.includes(name) ? '' : ' <small>optional</small>'}</td>` +
        `<td><code>${escape(typeOf(property))}</code></td><td>${escape(resolve(property)?.description ?? property.description ?? '')}</td></tr>`,
    );
    return `<table><tr><th>field</th><th>type</th><th></th></tr>${rows.join('')}</table>`;
  };
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const tag = operation.tags?.[0] ?? 'Other';
      const body = operation.requestBody?.content?.['application/json']?.schema;
      const parameters = (operation.parameters ?? [])
        .map((parameter) => `<li><code>${escape(parameter.name)}</code> (${parameter.in}${parameter.required ? ', required' : ''}) ${escape(parameter.description ?? typeOf(parameter.schema))}</li>`)
        .join('');
      // A success's fields are what a client reads: shown as the body's are; errors are all a Problem.
      const responses = Object.entries(operation.responses ?? {})
        .map(([status, response]) => {
          const schema = status.startsWith('2') ? response.content?.['application/json']?.schema : undefined;
          const shape = schema === undefined ? '' : ` <code>${escape(typeOf(schema))}</code>${fields(schema)}`;
          return `<li><b>${status}</b> ${escape(response.description ?? '')}${shape}</li>`;
        })
        .join('');
      const section =
        `<section id="${escape(`${method}-${path}`)}"><h3><span class="method">${method.toUpperCase()}</span> <code>${escape(path)}</code></h3>` +
        `<p><b>${escape(operation.summary ?? '')}</b></p><p>${escape(operation.description ?? '')}</p>` +
        (parameters ? `<h4>Parameters</h4><ul>${parameters}</ul>` : '') +
        (body ? `<h4>Body <code>${escape(typeOf(body))}</code></h4>${fields(body)}` : '') +
        `<h4>Responses</h4><ul>${responses}</ul></section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), section]);
    }
  }
  const toc = [...byTag.keys()].map((tag) => `<a href="#${escape(tag)}">${escape(tag)}</a>`).join(' · ');
  const sections = [...byTag].map(([tag, items]) => `<h2 id="${escape(tag)}">${escape(tag)}</h2>${items.join('')}`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)}</title><style>
body{font:16px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
code{font-family:ui-monospace,monospace;font-size:.9em}section{border-top:1px solid #ddd;padding:.5rem 0}
.method{font:bold .8em ui-monospace,monospace;background:#1b4d8c;color:#fff;padding:.1em .4em;border-radius:3px}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #eee;padding:.2rem .4rem;text-align:left;vertical-align:top}
</style></head><body><h1>${escape(doc.info.title)}</h1><p>${escape(doc.info.description ?? '')}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). ${toc}</p>${sections}</body></html>`;
}
