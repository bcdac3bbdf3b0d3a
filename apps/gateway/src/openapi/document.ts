import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { ERROR_CATALOGUE, ErrorCode } from '@widget/contracts';
import { z, ZodTypeAny } from 'zod';
import { ADMIN_BASE, WIDGET_BASE } from '../http/route-decorators';
import { Api, ROUTES } from './routes';

// The generator names registered components through zod's prototype (its documented set-up).
extendZodWithOpenApi(z);

const codes = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** SPEC §3: the body of every non-2xx response. */
const errorEnvelope = z.object({
  error: z.object({
    code: z.enum(codes),
    message: z.string(),
    reason: z.string().optional(),
    requestId: z.string(),
    recoverable: z.boolean(),
    details: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
  }),
});

/** `/conversations/:id` → `/conversations/{id}`, and the path parameters as a schema. */
function openApiPath(path: string): { path: string; params: ZodTypeAny | undefined } {
  const names = [...path.matchAll(/:(\w+)/g)].map((m) => m[1]);
  const params = names.length ? z.object(Object.fromEntries(names.map((n) => [n, z.string()]))) : undefined;
  return { path: path.replace(/:(\w+)/g, '{$1}'), params };
}

const TITLES: Record<Api, { title: string; base: string; description: string }> = {
  widget: {
    title: 'Widget API',
    base: `/${WIDGET_BASE}`,
    description: 'The public API a support-chat widget talks to (sessions, conversations, knowledge, AI answers, forms, events). Generated from the zod schemas in libs/contracts; decisions where the upstream reference is silent: docs/api.md.',
  },
  admin: {
    title: 'Operator API',
    base: `/${ADMIN_BASE}`,
    description: 'The operator API: workspaces, widgets, knowledge, forms, and answering visitors. Bearer ADMIN_API_KEY. Generated from the zod schemas in libs/contracts.',
  },
};

/** An attachment upload: one file part named `file` (SPEC §13). */
const UPLOAD_BODY = { type: 'object' as const, required: ['file'], properties: { file: { type: 'string' as const, format: 'binary' } } };

/** The OpenAPI 3.1 document of one API, generated from the route registry and the contract's zod schemas. */
export function buildOpenApi(api: Api, version: string): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  const envelope = registry.register('ErrorEnvelope', errorEnvelope);
  const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  for (const route of ROUTES.filter((r) => r.api === api)) {
    const { path, params } = openApiPath(route.path);
    const auth = route.auth ?? (api === 'admin' ? 'admin' : 'session');
    const status = route.status ?? 200;
    const headers = route.idempotent ? z.object({ 'Idempotency-Key': z.string().min(1).max(255).optional() }) : undefined;
    registry.registerPath({
      method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
      path,
      summary: route.summary,
      ...(route.extension && { description: 'Extension of this project (not in the upstream reference).' }),
      security: auth === 'none' ? [] : [{ [bearer.name]: [] }],
      request: {
        ...(params && { params: params as z.AnyZodObject }),
        ...(route.query && { query: route.query as z.AnyZodObject }),
        ...(headers && { headers }),
        ...(route.body && { body: { content: { 'application/json': { schema: route.body } } } }),
        ...(route.upload && { body: { required: true, content: { 'multipart/form-data': { schema: UPLOAD_BODY } } } }),
      },
      responses: {
        [status]:
          status === 204
            ? { description: 'No content' }
            : status === 302
              ? { description: 'A redirect: see the Location header' }
              : route.download
                ? { description: 'The file (206 with Content-Range for one Range)', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } }
                : { description: 'Success', content: { 'application/json': { schema: z.object({}).passthrough() } } },
        default: { description: 'The SPEC §3 error envelope (see x-error-codes)', content: { 'application/json': { schema: envelope } } },
      },
    });
  }

  const meta = TITLES[api];
  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: meta.title, version, description: meta.description },
    servers: [{ url: meta.base }],
  });
  return { ...document, 'x-error-codes': ERROR_CATALOGUE };
}
