import { Api, createTestWidget, testStack, TestWidget } from '@widget/testing';

/**
 * The browser face served by the gateway (docs/api.md): the loader behind a
 * short-lived pointer, content-hashed assets, the frame with its CSP, the API's
 * own origin accepted for the frame's requests, and no demo outside demo mode.
 */
describe('browser assets on the gateway', () => {
  const stack = testStack();
  const api = new Api(stack.baseUrl);
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack, { allowedOrigins: ['https://shop.example.com', 'https://*.example.org'] });
  });

  it('serves widget.js with a short cache, pointing at the immutable content-hashed loader', async () => {
    const pointer = await api.get('/widget/v1/widget.js');
    expect(pointer.status).toBe(200);
    expect(pointer.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(pointer.headers.get('cache-control')).toBe('public, max-age=300');
    const hashed = /widget\.[0-9a-f]{12}\.js/.exec(pointer.text)![0];
    const loader = await api.get(`/widget/v1/${hashed}`);
    expect(loader.status).toBe(200);
    expect(loader.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(loader.text).toContain('SupportChat');
  });

  it('serves the frame with a strict CSP whose frame-ancestors are the widget allow-list', async () => {
    const res = await api.get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain('frame-ancestors https://shop.example.com https://*.example.org');
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const asset = /assets\/frame\.[0-9a-f]{12}\.js/.exec(res.text)![0];
    const js = await api.get(`/widget/v1/${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });

  it('refuses a frame request without ids (validation_error) or for an unknown widget (not_found)', async () => {
    const bad = await api.get('/widget/v1/frame?workspace_id=nope');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_error');
    const unknown = await api.get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=wgt_01J00000000000000000000000`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
  });

  it("accepts the API's own origin for a widget's requests (the frame's), still refuses others", async () => {
    const body = { workspaceId: widget.workspaceId, widgetId: widget.widgetId };
    const own = await api.post('/widget/v1/sessions/anonymous', body, { origin: stack.baseUrl });
    expect(own.status).toBe(201);
    const other = await api.post('/widget/v1/sessions/anonymous', body, { origin: 'https://evil.example.net' });
    expect(other.status).toBe(403);
    expect(other.body.error).toMatchObject({ code: 'invalid_origin', reason: 'origin_not_allowed' });
  });

  it('has no demo site or demo token endpoint outside demo mode', async () => {
    expect((await api.get('/demo/')).status).toBe(404);
    expect((await api.post('/demo/identity-token', {})).status).toBe(404);
  });

  it('sends a person who opens the server\'s address to a page (the inbox here; the demo in demo mode), and has no favicon to 404', async () => {
    const root = await fetch(`${stack.baseUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/inbox/');
    const icon = await fetch(`${stack.baseUrl}/favicon.ico`);
    expect(icon.status).toBe(204);
  });
});
