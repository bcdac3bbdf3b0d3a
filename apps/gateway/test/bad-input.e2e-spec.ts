import { connect } from 'node:net';
import { Api, createTestWidget, expectEnvelope, RunningApp, spawnApp, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();

/** Sends raw bytes and returns everything the server wrote before it closed the connection. */
function rawHttp(port: number, request: string | Buffer, endAfterWrite = true): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (d) => (out += d.toString('latin1')));
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
    if (endAfterWrite) socket.end(request);
    else socket.write(request);
  });
}

function parseRaw(reply: string) {
  const [head, ...rest] = reply.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, head, body: JSON.parse(rest.join('\r\n\r\n')) };
}

describe('bad input never reaches a 500 (issue 13)', () => {
  let widget: TestWidget;
  let token: string;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    token = (await startAnonymous(widget)).token;
  });

  it('a form-encoded or text body → 400 validation_error unsupported_media_type', async () => {
    for (const ct of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
      const res = await widget.api.post('/sessions/anonymous', undefined, { raw: `workspaceId=${widget.workspaceId}`, headers: { 'content-type': ct } });
      expectEnvelope(res, 400, 'validation_error', 'unsupported_media_type');
    }
  });

  it('a body without any Content-Type → 400 unsupported_media_type', async () => {
    const res = await fetch(`${stack.baseUrl}/widget/v1/sessions/anonymous`, {
      method: 'POST',
      headers: { origin: 'https://shop.example.com' },
      body: new Blob([JSON.stringify({ workspaceId: widget.workspaceId, widgetId: widget.widgetId })]),
    });
    const body = await res.json();
    expectEnvelope({ status: res.status, headers: res.headers, body, text: '' }, 400, 'validation_error', 'unsupported_media_type');
  });

  it('NUL and unpaired surrogates in any text field → 400 naming the field', async () => {
    const conv = await widget.api.post('/conversations', undefined, { token, raw: '{"message":"hi","clientMessageId":"c1","subject":"a\\u0000b"}' });
    expectEnvelope(conv, 400, 'validation_error', 'invalid_fields');
    expect(conv.body.error.details).toEqual([{ field: 'subject', reason: expect.stringMatching(/NUL/) }]);
    const tags = await widget.api.post('/conversations', undefined, { token, raw: '{"message":"hi","clientMessageId":"c2","tags":["\\ud800"]}' });
    expect(tags.body.error.details).toEqual([{ field: 'tags.0', reason: expect.any(String) }]);
    const key = await widget.api.post('/conversations', undefined, { token, raw: '{"message":"hi","clientMessageId":"c3","metadata":{"a\\u0000":1}}' });
    expect(key.body.error.details).toEqual([{ field: 'metadata.(key)', reason: expect.any(String) }]);
    // A pair (an emoji) is text and passes the check.
    const ok = await widget.api.post('/conversations', undefined, { token, raw: '{"message":"hi \\ud83d\\ude42","clientMessageId":"c4"}' });
    expect(ok.status).toBe(201);
  });

  it('a body nested deeper than 32 levels → 400 validation_error on any JSON route, with or without a session (issue 18 #5)', async () => {
    const deep = '['.repeat(3000) + ']'.repeat(3000);
    for (const [path, auth] of [
      ['/sessions/anonymous', undefined],
      ['/conversations', token],
      ['/events', token],
    ] as const) {
      const res = await widget.api.post(path, undefined, { token: auth, raw: `{"metadata":${deep}}` });
      expectEnvelope(res, 400, 'validation_error', 'invalid_fields');
      expect(res.body.error.details).toEqual([{ field: '(body)', reason: expect.stringMatching(/32 levels/) }]);
    }
    const admin = await new Api(`${stack.baseUrl}/admin/v1`).post('/workspaces', undefined, { token: stack.adminKey, raw: `{"name":${deep}}` });
    expectEnvelope(admin, 400, 'validation_error', 'invalid_fields');
    // 32 levels are still a body (refused by the route's own schema, not by the depth bound).
    const ok = await widget.api.post('/conversations', undefined, { token, raw: `{"message":"hi","clientMessageId":"deep-ok","metadata":{"a":${'['.repeat(30)}${']'.repeat(30)}}}` });
    expect(ok.status).toBe(201);
  });

  it('?cursor=%00 on operator lists → 400', async () => {
    const admin = new Api(`${stack.baseUrl}/admin/v1`);
    for (const path of [`/workspaces/${widget.workspaceId}/conversations`, `/workspaces/${widget.workspaceId}/articles`, `/workspaces/${widget.workspaceId}/collections`]) {
      expectEnvelope(await admin.get(`${path}?cursor=%00`, { token: stack.adminKey }), 400, 'validation_error');
    }
  });

  it('malformed percent-encoding in the path → 400 malformed_url with the envelope', async () => {
    expectEnvelope(await new Api(`${stack.baseUrl}/admin/v1`).get('/widgets/%E0%A4%A', { token: stack.adminKey }), 400, 'validation_error', 'malformed_url');
  });

  it('a path parameter over 100 characters → 414 path_too_long', async () => {
    expectEnvelope(await new Api(`${stack.baseUrl}/admin/v1`).get(`/articles/${'a'.repeat(3000)}`, { token: stack.adminKey }), 414, 'validation_error', 'path_too_long');
  });

  it("Node's own refusals (header overflow, not HTTP) → the envelope, X-Request-Id and Connection: close", async () => {
    const overflow = parseRaw(await rawHttp(Number(new URL(stack.baseUrl).port), `GET /widget/v1/config HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`));
    expect(overflow.status).toBe(431);
    expect(overflow.body.error).toMatchObject({ code: 'validation_error', reason: 'headers_too_large' });
    expect(overflow.head).toMatch(new RegExp(`\\r\\nX-Request-Id: ${overflow.body.error.requestId}\\r\\n`));
    expect(overflow.head).toMatch(/\r\nConnection: close/);

    const garbage = parseRaw(await rawHttp(Number(new URL(stack.baseUrl).port), 'HELLO\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(garbage.body.error).toMatchObject({ code: 'validation_error', reason: 'malformed_request' });
    expect(garbage.head).toMatch(/\r\nConnection: close/);
  });

  it('a 413 reaches a client that is still uploading (lingering close)', async () => {
    for (const size of [6, 9]) {
      const res = await fetch(`${stack.baseUrl}/widget/v1/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin: 'https://shop.example.com' },
        body: `{"events":[],"pad":"${'x'.repeat(size * 1024 * 1024)}"}`,
      });
      expect(res.status).toBe(413);
      expect(res.headers.get('connection')).toBe('close');
      expect((await res.json()).error).toMatchObject({ code: 'attachment_too_large', reason: 'body_too_large' });
    }
  });

  describe('time-outs', () => {
    let gateway: RunningApp;
    beforeAll(async () => {
      gateway = await spawnApp(stack, 'gateway', { HTTP_REQUEST_TIMEOUT_MS: '1500', HTTP_HEADERS_TIMEOUT_MS: '1000' });
    });
    afterAll(() => gateway.stop());

    it('a half-sent body → 408 request_timeout with the envelope, and the connection is closed', async () => {
      const head = 'POST /widget/v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"events":';
      const reply = parseRaw(await rawHttp(gateway.port, head, false));
      expect(reply.status).toBe(408);
      expect(reply.body.error).toMatchObject({ code: 'validation_error', reason: 'request_timeout' });
      expect(reply.head).toMatch(/\r\nConnection: close/);
    });

    it('headers never finished → 408 too', async () => {
      const reply = parseRaw(await rawHttp(gateway.port, 'GET /widget/v1/config HTTP/1.1\r\nHost: x\r\n', false));
      expect(reply.status).toBe(408);
    });
  });
});
