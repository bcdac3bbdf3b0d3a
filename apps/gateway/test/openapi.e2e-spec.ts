import { createLogger } from '@widget/common';
import { basePathOf, ERROR_CATALOGUE, ROUTE_LIST } from '@widget/contracts';
import { Api, natsPasswordVariable, testStack } from '@widget/testing';
import { loadGatewayConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway-app';
import { ADMIN_BASE, WIDGET_BASE } from '../src/http/route-decorators';
import { UNDOCUMENTED_ROUTES } from '../src/openapi/routes';

const stack = testStack();

/** Every route the gateway registers, as `METHOD /path` (fastify patterns), from an in-process app that never listens. */
async function registeredRoutes(): Promise<string[]> {
  Object.assign(process.env, stack.env, { ADMIN_API_KEY: stack.adminKey, LOG_LEVEL: 'silent', NATS_PASSWORD: stack.env[natsPasswordVariable('gateway')] });
  const routes: string[] = [];
  const app = await createGatewayApp(loadGatewayConfig(), createLogger('openapi-spec'), {
    onRoute: (route) => [route.method].flat().forEach((m) => routes.push(`${m} ${route.url}`)),
  });
  await app.init();
  await app.close();
  return [...new Set(routes)];
}

const documented = ROUTE_LIST.map((r) => `${r.method} ${basePathOf(r.api)}${r.path}`);

describe('the OpenAPI documents (generated from the route table of libs/contracts)', () => {
  it('every route the gateway registers is in the route table, and every route of the table is registered', async () => {
    const registered = (await registeredRoutes()).filter((r) => !UNDOCUMENTED_ROUTES.some((pattern) => pattern.test(r)));
    expect(registered.filter((r) => !documented.includes(r)).sort()).toEqual([]);
    expect(documented.filter((r) => !registered.includes(r)).sort()).toEqual([]);
  });

  it('GET /widget/v1/openapi.json and /admin/v1/openapi.json: OpenAPI 3.1 with every path, schemas from zod, the error catalogue', async () => {
    for (const api of ['widget', 'admin'] as const) {
      const base = api === 'widget' ? WIDGET_BASE : ADMIN_BASE;
      const res = await new Api(`${stack.baseUrl}/${base}`).get('/openapi.json');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/application\/json/);
      const doc = res.body;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc.servers).toEqual([{ url: `/${base}` }]);
      expect(doc['x-error-codes']).toEqual(ERROR_CATALOGUE);
      expect(doc.components.schemas.ErrorEnvelope.properties.error.properties.code.enum.sort()).toEqual(Object.keys(ERROR_CATALOGUE).sort());
      const paths = ROUTE_LIST.filter((r) => r.api === api).map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')} ${r.operationId}`);
      const operations = Object.entries(doc.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>).flatMap(([p, ops]) =>
        Object.entries(ops).map(([m, op]) => ({ key: `${m} ${p} ${op.operationId}`, responses: op.responses })),
      );
      expect(operations.map((o) => o.key).sort()).toEqual(paths.sort());
      // Every JSON reply is described (no bare object), and errors are listed by status, not as `default`.
      for (const { key, responses } of operations) {
        expect([key, JSON.stringify(responses)]).not.toEqual([key, expect.stringContaining('"properties":{}')]);
        expect([key, Object.keys(responses)]).not.toEqual([key, expect.arrayContaining(['default'])]);
      }
    }
    const widget = (await new Api(`${stack.baseUrl}/${WIDGET_BASE}`).get('/openapi.json')).body;
    const send = widget.paths['/conversations/{id}/messages'].post;
    const body = send.requestBody.content['application/json'].schema;
    expect(body.required ?? []).not.toContain('clientMessageId');
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties).sort()).toEqual(['attachmentIds', 'clientMessageId', 'metadata', 'text']);
    // Attachments (SPEC §13): a multipart upload with one binary part, and a download answered with bytes.
    const upload = widget.paths['/conversations/{id}/attachments'].post;
    expect(upload.requestBody.content['multipart/form-data'].schema).toEqual({ type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } });
    expect(Object.keys(widget.paths['/attachments/{id}'].get.responses['200'].content)).toEqual(['*/*']);
    const admin = (await new Api(`${stack.baseUrl}/${ADMIN_BASE}`).get('/openapi.json')).body;
    const widgetConfig = admin.paths['/workspaces/{ws}/widgets'].post.requestBody.content['application/json'].schema;
    expect(Object.keys(widgetConfig.properties)).toEqual(expect.arrayContaining(['identity', 'routing', 'features', 'launcher', 'ai']));
    expect(Object.keys(widgetConfig.properties.features.properties)).toEqual(
      expect.arrayContaining(['conversations', 'attachments', 'knowledgeBase', 'aiAnswers', 'ticketForms', 'customLauncher']),
    );
    expect(admin.paths['/conversations/{id}/messages'].post.parameters.map((p: { name: string }) => p.name)).toContain('Idempotency-Key');
  });
});
