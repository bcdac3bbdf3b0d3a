import { connect, NatsConnection } from 'nats';
import { HealthRpc, SessionRpc } from '@widget/contracts';
import { AdminApi, Api, ApiResponse, createTestWidget, expectEnvelope, harnessNatsEnv, harnessNatsOptions, RunningApp, spawnApp, startAnonymous, TEST_ORIGIN, testStack, TestWidget } from '@widget/testing';

const stack = testStack();

describe('gateway edge: the error envelope on every path', () => {
  let widget: TestWidget;
  let api: Api;

  beforeAll(async () => {
    widget = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
    api = widget.api;
  });

  it('sets X-Request-Id on successful responses too', async () => {
    const res = await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toMatch(/^req_[0-9A-Z]{26}$/);
  });

  it('unknown route → 404 not_found (widget, admin and root)', async () => {
    expectEnvelope(await api.get('/no-such-route'), 404, 'not_found');
    expectEnvelope(await new Api(stack.baseUrl).post('/nothing/here', {}), 404, 'not_found');
    expectEnvelope(await new Api(`${stack.baseUrl}/admin/v1`).get('/nope', { token: stack.adminKey }), 404, 'not_found');
  });

  it('malformed JSON → 400 validation_error', async () => {
    const res = await api.post('/sessions/anonymous', undefined, { raw: '{"workspaceId": ' });
    expectEnvelope(res, 400, 'validation_error', 'malformed_json');
    expect(res.body.error.recoverable).toBe(false);
  });

  it('a body that is not JSON → 400 validation_error', async () => {
    const res = await api.post('/sessions/anonymous', undefined, { raw: 'workspaceId=1', headers: { 'content-type': 'text/plain' } });
    expectEnvelope(res, 400, 'validation_error');
  });

  it('an oversized body → 413 attachment_too_large', async () => {
    const res = await api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId, pad: 'x'.repeat(70 * 1024) });
    expectEnvelope(res, 413, 'attachment_too_large');
  });

  it('a failed validation names every bad field in details', async () => {
    const res = await api.post('/sessions/anonymous', { workspaceId: 42, locale: 'not a locale!', extra: true });
    expectEnvelope(res, 400, 'validation_error');
    const fields = res.body.error.details.map((d: { field: string }) => d.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['locale', 'widgetId', 'workspaceId']));
    expect(res.body.error.details.length).toBeGreaterThanOrEqual(4);
  });

  it('wrong-typed and empty query parameters → validation_error', async () => {
    expectEnvelope(await api.get('/config'), 400, 'validation_error');
    expectEnvelope(await api.get('/config?workspace_id=&widget_id='), 400, 'validation_error');
    expectEnvelope(await api.get('/config?workspace_id=ws_1&widget_id[]=x'), 400, 'validation_error');
  });

  it('no, blank or malformed Bearer token → 401 auth_required', async () => {
    expectEnvelope(await api.post('/sessions/refresh'), 401, 'auth_required');
    expectEnvelope(await api.post('/sessions/refresh', undefined, { headers: { authorization: 'Bearer    ' } }), 401, 'auth_required');
    expectEnvelope(await api.post('/sessions/refresh', undefined, { headers: { authorization: 'Basic abc' } }), 401, 'auth_required');
  });

  it('unknown or forged session token → 401 invalid_token', async () => {
    expectEnvelope(await api.post('/sessions/refresh', undefined, { token: 'wst_forgedforgedforgedforgedforgedforgedforge' }), 401, 'invalid_token', 'unknown_token');
  });

  it('unknown widget → 404 not_found', async () => {
    const res = await api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: 'wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ' });
    expectEnvelope(res, 404, 'not_found');
  });

  describe('Origin allow-list on mutating requests', () => {
    let wild: TestWidget;

    beforeAll(async () => {
      wild = await createTestWidget(stack, { allowedOrigins: ['https://*.example.org', 'http://localhost:5173'] });
    });

    const start = (w: TestWidget, origin: string | null) =>
      w.api.post('/sessions/anonymous', { workspaceId: w.workspaceId, widgetId: w.widgetId }, { origin });

    it('accepts exact and single-label wildcard matches', async () => {
      expect((await start(widget, TEST_ORIGIN)).status).toBe(201);
      expect((await start(wild, 'https://shop.example.org')).status).toBe(201);
      expect((await start(wild, 'http://localhost:5173')).status).toBe(201);
    });

    it.each([
      [null, 'origin_missing'],
      ['https://shop.example.com.evil.test', 'origin_not_allowed'],
      ['http://shop.example.com', 'origin_not_allowed'],
      ['https://shop.example.com:8443', 'origin_not_allowed'],
      ['null', 'origin_not_allowed'],
    ])('refuses Origin %s → 403 invalid_origin', async (origin, reason) => {
      expectEnvelope(await start(widget, origin), 403, 'invalid_origin', reason);
    });

    it.each([
      'https://example.org',
      'https://a.b.example.org',
      'https://x.example.org.evil.test',
      'http://localhost:5174',
    ])('refuses %s against the wildcard list', async (origin) => {
      expectEnvelope(await start(wild, origin), 403, 'invalid_origin');
    });

    it('checks the session widget on authenticated requests too', async () => {
      const session = await startAnonymous(widget);
      expectEnvelope(await api.post('/sessions/refresh', undefined, { token: session.token, origin: 'https://other.test' }), 403, 'invalid_origin');
      expectEnvelope(await api.post('/sessions/refresh', undefined, { token: session.token, origin: null }), 403, 'invalid_origin');
      expect((await api.post('/sessions/refresh', undefined, { token: session.token })).status).toBe(200);
    });

    it('does not check reads', async () => {
      const res = await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`, { origin: null });
      expect(res.status).toBe(200);
    });
  });

  describe('CORS', () => {
    const preflight = (origin: string) =>
      fetch(`${stack.baseUrl}/widget/v1/sessions/anonymous`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' },
      });

    it('answers a preflight from an allow-listed origin', async () => {
      const res = await preflight(TEST_ORIGIN);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
      expect(res.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('authorization');
    });

    it('refuses a preflight from any other origin with the envelope', async () => {
      const res = await preflight('https://evil.test');
      expect(res.status).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      const body = await res.json();
      expect(body.error).toMatchObject({ code: 'invalid_origin', requestId: res.headers.get('x-request-id') });
    });

    it('adds CORS headers to actual responses for allowed origins only', async () => {
      const ok = await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
      expect(ok.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
      expect(ok.headers.get('access-control-expose-headers')).toMatch(/X-Request-Id/i);
      const other = await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`, { origin: 'https://evil.test' });
      expect(other.status).toBe(200);
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
    });
  });

  describe('operator API key', () => {
    it('missing → auth_required, wrong → invalid_token', async () => {
      const anon = new Api(`${stack.baseUrl}/admin/v1`);
      expectEnvelope(await anon.post('/workspaces', { name: 'x' }), 401, 'auth_required');
      expectEnvelope(await anon.post('/workspaces', { name: 'x' }, { token: `${stack.adminKey}x` }), 401, 'invalid_token');
      expectEnvelope(await anon.post('/workspaces', { name: 'x' }, { token: widget.secret }), 401, 'invalid_token');
    });

    it('validates operator bodies', async () => {
      const admin = new AdminApi(stack.baseUrl, stack.adminKey);
      expectEnvelope(await admin.post('/workspaces', { name: '' }), 400, 'validation_error');
      expectEnvelope(await admin.post('/workspaces', ['x']), 400, 'validation_error');
    });
  });

  it('carries the request id through NATS into the service logs', async () => {
    const res = await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    const requestId = res.headers.get('x-request-id') as string;
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const sessionLogs = () =>
      readdirSync(stack.logDir!)
        // session-<n>.log, or server-<n>.log when the stack runs every app in one process (STACK_TARGET=all).
        .filter((f) => f.startsWith('session-') || f.startsWith('server-'))
        .map((f) => readFileSync(join(stack.logDir!, f), 'utf8'))
        .join('\n');
    const sessionLine = () => sessionLogs().split('\n').find((l) => l.includes(requestId) && l.includes('"service":"session"'));
    for (let i = 0; i < 50 && !sessionLine(); i++) await new Promise((r) => setTimeout(r, 20));
    const line = sessionLine();
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ service: 'session', requestId, subject: expect.stringContaining('session.config.public') });
  });

  it('replies with tokens or visitor data are Cache-Control: no-store, and every reply is nosniff (issue 18 #10)', async () => {
    const anon = await startAnonymous(widget);
    const conv = await api.post('/conversations', { message: 'hello', clientMessageId: 'hdr-1' }, { token: anon.token });
    expect(conv.status).toBe(201);
    const admin = new Api(`${stack.baseUrl}/admin/v1`);
    const replies = [
      ['POST /sessions/anonymous', await api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId })],
      ['GET /conversations', await api.get('/conversations', { token: anon.token })],
      ['GET /conversations/{id}', await api.get(`/conversations/${conv.body.id}`, { token: anon.token })],
      ['GET /conversations/{id}/messages', await api.get(`/conversations/${conv.body.id}/messages`, { token: anon.token })],
      ['POST /sessions/realtime-token', await api.post('/sessions/realtime-token', undefined, { token: anon.token })],
      ['admin POST realtime-token', await admin.post(`/workspaces/${widget.workspaceId}/realtime-token`, undefined, { token: stack.adminKey })],
      ['admin GET conversations', await admin.get(`/workspaces/${widget.workspaceId}/conversations`, { token: stack.adminKey })],
      ['admin GET widget', await admin.get(`/widgets/${widget.widgetId}`, { token: stack.adminKey })],
      ['an error', await api.get('/conversations', { token: 'made-up' })],
    ] as const;
    for (const [name, res] of replies) {
      expect({ name, status: res.status < 500, cache: res.headers.get('cache-control'), nosniff: res.headers.get('x-content-type-options') }).toEqual({
        name,
        status: true,
        cache: 'no-store',
        nosniff: 'nosniff',
      });
    }
  });

  it('health: live and ready', async () => {
    const live = await fetch(`${stack.baseUrl}/health/live`);
    expect(live.status).toBe(200);
    const ready = await fetch(`${stack.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks).toMatchObject({ nats: true, session: true });
  });
});

describe('gateway edge: upstream failures and limits (extra gateway processes)', () => {
  let nc: NatsConnection;

  beforeAll(async () => {
    nc = await connect(harnessNatsOptions(stack));
  });
  afterAll(async () => {
    await nc.close();
  });

  it('/metrics is served on the health port only, never on the public port (issue 18 #13)', async () => {
    const gateway = await spawnApp(stack, 'gateway');
    try {
      expect(gateway.metricsUrl).not.toBe(gateway.url);
      expectEnvelope(await new Api(gateway.url).get('/metrics'), 404, 'not_found');
      const metrics = await fetch(`${gateway.metricsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^http_request_duration_seconds_count\{/m);
      const ready = await fetch(`${gateway.metricsUrl}/health/ready`);
      expect({ status: ready.status, service: (await ready.json()).service }).toEqual({ status: 200, service: 'gateway' });
      expect((await fetch(`${gateway.metricsUrl}/widget/v1/config`)).status).toBe(404);
    } finally {
      await gateway.stop();
    }
  });

  it('a service that is not there → 503 internal_error upstream_unavailable, and readiness goes false', async () => {
    // Another namespace on the same NATS: nothing answers there. (The stack's users are bound to its namespace: the harness user.)
    const prefix = `${stack.env.NATS_SUBJECT_PREFIX}void.`;
    const lonely = await spawnApp(stack, 'gateway', { NATS_SUBJECT_PREFIX: prefix, NATS_REQUEST_TIMEOUT_MS: '2000', ...harnessNatsEnv(stack) }, { waitFor: 'live' });
    try {
      const res = await new Api(`${lonely.url}/widget/v1`, TEST_ORIGIN).get('/config?workspace_id=ws_01HZZZZZZZZZZZZZZZZZZZZZZZ&widget_id=wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ');
      expectEnvelope(res, 503, 'internal_error', 'upstream_unavailable');
      expect(res.body.error.recoverable).toBe(true);
      const ready = await fetch(`${lonely.url}/health/ready`);
      expect(ready.status).toBe(503);
    } finally {
      await lonely.stop();
    }
  });

  it('a service that does not answer in time → 503 upstream_unavailable', async () => {
    const prefix = `${stack.env.NATS_SUBJECT_PREFIX}slow.`;
    // A responder that takes the request and never replies.
    const silent = nc.subscribe(`${prefix}${SessionRpc.publicConfig.subject.slice(stack.env.NATS_SUBJECT_PREFIX.length)}`);
    const health = nc.subscribe(`${prefix}${HealthRpc.session.subject.slice(stack.env.NATS_SUBJECT_PREFIX.length)}`);
    const gateway = await spawnApp(stack, 'gateway', { NATS_SUBJECT_PREFIX: prefix, NATS_REQUEST_TIMEOUT_MS: '300', ...harnessNatsEnv(stack) }, { waitFor: 'live' });
    try {
      const started = Date.now();
      const res = await new Api(`${gateway.url}/widget/v1`).get('/config?workspace_id=ws_01HZZZZZZZZZZZZZZZZZZZZZZZ&widget_id=wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ');
      expectEnvelope(res, 503, 'internal_error', 'upstream_unavailable');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      silent.unsubscribe();
      health.unsubscribe();
      await gateway.stop();
    }
  });

  it('over the rate limit → 429 rate_limited with Retry-After', async () => {
    const limitedGateway: RunningApp = await spawnApp(stack, 'gateway', { RATE_LIMIT_ADDRESS: '3/1m', RATE_LIMIT_KEY_PREFIX: `widget:rl:edge${Date.now()}:` });
    try {
      const api = new Api(`${limitedGateway.url}/widget/v1`);
      const statuses: number[] = [];
      let limited: ApiResponse | undefined;
      for (let i = 0; i < 5; i++) {
        const res = await api.get('/config?workspace_id=ws_01HZZZZZZZZZZZZZZZZZZZZZZZ&widget_id=wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ');
        statuses.push(res.status);
        if (res.status === 429) limited ??= res;
      }
      expect(statuses.slice(0, 3)).toEqual([404, 404, 404]);
      expect(limited).toBeDefined();
      expectEnvelope(limited!, 429, 'rate_limited');
      expect(limited!.body.error.recoverable).toBe(true);
      expect(Number(limited!.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limitedGateway.stop();
    }
  });
});
