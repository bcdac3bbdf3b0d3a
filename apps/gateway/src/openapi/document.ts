import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { Api, basePathOf, ERROR_CATALOGUE, ErrorCode, errorStatuses, idOf, Route, ROUTE_LIST } from '@widget/contracts';
import { z, ZodTypeAny } from 'zod';

// The generator names registered components through zod's prototype (its documented set-up).
extendZodWithOpenApi(z);

const codes = Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]];

/** SPEC §3: the body of every non-2xx response. */
const errorEnvelope = z
  .object({
    error: z
      .object({
        code: z.enum(codes),
        message: z.string(),
        reason: z.string().optional(),
        requestId: z.string(),
        recoverable: z.boolean(),
        details: z.array(z.object({ field: z.string(), reason: z.string() }).strict()).optional(),
      })
      .strict(),
  })
  .strict();

const TITLES: Record<Api, { title: string; description: string }> = {
  widget: {
    title: 'Widget API',
    description:
      'The public API a support-chat widget talks to (sessions, conversations, knowledge, AI answers, forms, events). Generated from the route table and zod schemas in libs/contracts; decisions where the upstream reference is silent: docs/api.md.',
  },
  admin: {
    title: 'Operator API',
    description:
      'The operator API: workspaces, widgets, knowledge, forms, answering visitors, accounts, keys and privacy. Bearer: an operator token, a workspace API key or the root key (docs/api.md). Generated from the route table and zod schemas in libs/contracts.',
  },
};

/** An attachment upload: one file part named `file` (SPEC §13). */
const UPLOAD_BODY = { type: 'object' as const, required: ['file'], properties: { file: { type: 'string' as const, format: 'binary' } } };
/** A download: the file's own (sniffed) type, so any media type. */
const BYTES = { '*/*': { schema: { type: 'string' as const, format: 'binary' } } };

const SUCCESS: Record<number, string> = { 200: 'OK', 201: 'Created', 202: 'Accepted', 206: 'Partial content (one Range)' };

/** The success responses: the reply schema under each status, no body (204, 302) or the bytes of a file. */
function successes(route: Route): Record<number, ResponseConfig> {
  return Object.fromEntries(
    route.status.map((status): [number, ResponseConfig] => {
      if (status === 204) return [status, { description: 'No content' }];
      if (status === 302) return [status, { description: 'A redirect', headers: z.object({ Location: z.string() }) }];
      if (route.download) return [status, { description: SUCCESS[status] ?? 'The file', content: BYTES }];
      if (!route.reply) throw new Error(`${route.method} ${route.path}: a ${status} without a reply schema`);
      return [status, { description: SUCCESS[status] ?? 'Success', content: { 'application/json': { schema: route.reply } } }];
    }),
  );
}

/** The error responses: the envelope, its code one of those the route answers with that status. */
function errors(route: Route): Record<number, ResponseConfig> {
  return Object.fromEntries(
    [...errorStatuses(route)].map(([status, list]): [number, ResponseConfig] => [
      status,
      {
        description: `The SPEC §3 error envelope: ${list.join(', ')}`,
        content: {
          'application/json': {
            schema: {
              allOf: [{ $ref: '#/components/schemas/ErrorEnvelope' }, { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: list } } } } }],
            },
          },
        },
      },
    ]),
  );
}

/**
 * The query as its parameters: each required unless the gateway takes it left out. The generator would call a
 * coerced number optional (it takes null, as `Number(null)`), but a query parameter is never null, only absent.
 */
function queryParameters(query: ZodTypeAny): z.AnyZodObject {
  const object = (query instanceof z.ZodEffects ? query.innerType() : query) as z.AnyZodObject;
  const shape = Object.fromEntries(
    Object.entries(object.shape as Record<string, ZodTypeAny>).map(([name, schema]) => [name, schema.isOptional() ? schema : schema.openapi({ param: { required: true } })]),
  );
  return z.object(shape);
}

const SECURITY: Record<Route['auth'], Record<string, string[]>[]> = { none: [], session: [{ bearer: [] }], admin: [{ bearer: [] }], optional: [{ bearer: [] }, {}] };

/** The OpenAPI 3.1 document of one API, generated from the route table of libs/contracts. */
export function buildOpenApi(api: Api, version: string): Record<string, unknown> {
  const registry = new OpenAPIRegistry();
  registry.register('ErrorEnvelope', errorEnvelope);
  registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });

  for (const route of ROUTE_LIST.filter((r) => r.api === api)) {
    const names = Object.keys(route.params);
    const params = names.length ? z.object(Object.fromEntries(names.map((n) => [n, idOf(route.params[n])]))) : undefined;
    const headers = route.idempotent ? z.object({ 'Idempotency-Key': z.string().min(1).max(255).regex(/^[\x21-\x7e]+$/).optional() }) : undefined;
    registry.registerPath({
      method: route.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete',
      path: route.path.replace(/:(\w+)/g, '{$1}'),
      operationId: route.operationId,
      summary: route.summary,
      ...(route.extension && { description: 'Extension of this project (not in the upstream reference).' }),
      security: SECURITY[route.auth],
      // A route without a body reads none; one whose schema takes {} may be sent without (the gateway reads it as {}).
      request: {
        ...(params && { params }),
        ...(route.query && { query: queryParameters(route.query) }),
        ...(headers && { headers }),
        ...(route.body && { body: { required: !route.body.safeParse({}).success, content: { 'application/json': { schema: route.body } } } }),
        ...(route.upload && { body: { required: true, content: { 'multipart/form-data': { schema: UPLOAD_BODY } } } }),
      },
      responses: { ...successes(route), ...errors(route) },
    });
  }

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: TITLES[api].title, version, description: TITLES[api].description },
    servers: [{ url: basePathOf(api) }],
  });
  return { ...withoutRepeats(document) as Record<string, unknown>, 'x-error-codes': ERROR_CATALOGUE };
}

/** The generator writes `{ "type": "null" }` twice in the anyOf of a union with null: once is enough. */
function withoutRepeats(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutRepeats);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).map(([key, item]) => {
    if (key !== 'anyOf' || !Array.isArray(item)) return [key, withoutRepeats(item)];
    const seen = new Set<string>();
    return [key, item.map(withoutRepeats).filter((option) => !seen.has(JSON.stringify(option)) && seen.add(JSON.stringify(option)))];
  });
  return Object.fromEntries(entries);
}
