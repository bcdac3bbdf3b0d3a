import { request as httpRequest } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Api, artifactPath, createTestWidget, RunningApp, spawnApp, testStack, TestWidget } from '@widget/testing';

/** A GET with the Host and X-Forwarded-* headers a client may forge (fetch will not send another Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject).end();
  });
}

/** Every file of a page set is a document when opened on its own: each carries the set's CSP and the same guards. */
function expectPageHeaders(headers: { get(name: string): string | null }, csp: RegExp): void {
  expect(headers.get('content-security-policy')).toMatch(csp);
  expect(headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
  expect(headers.get('x-content-type-options')).toBe('nosniff');
}

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

  it('compresses: page-set files with the brotli or gzip form their build wrote, by Accept-Encoding; JSON replies on the way out', async () => {
    const get = (path: string, headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
        httpRequest(`${stack.baseUrl}${path}`, { headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        })
          .on('error', reject)
          .end();
      });
    const { brotliDecompressSync, gunzipSync } = await import('node:zlib');
    const pointer = await get('/widget/v1/widget.js');
    const hashed = /widget\.[0-9a-f]{12}\.js/.exec(pointer.body.toString())![0];
    const plain = await get(`/widget/v1/${hashed}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    const br = await get(`/widget/v1/${hashed}`, { 'accept-encoding': 'gzip, deflate, br' });
    expect({ encoding: br.headers['content-encoding'], vary: br.headers.vary }).toEqual({ encoding: 'br', vary: 'accept-encoding' });
    expect(br.body.length).toBeLessThan(plain.body.length / 2);
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    // The very bytes the build wrote beside the file (libs/sdk/build-tools.mjs precompress), not compressed here.
    const built = join(dirname(require.resolve('@widget/sdk/package.json')), 'dist', 'loader', hashed);
    expect(br.body.equals(readFileSync(`${built}.br`))).toBe(true);
    const gzip = await get(`/widget/v1/${hashed}`, { 'accept-encoding': 'gzip, br;q=0' });
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(gzip.body.equals(readFileSync(`${built}.gz`))).toBe(true);
    expect(gunzipSync(gzip.body).equals(plain.body)).toBe(true);
    // A Range gets the file as it is, whole; the forms have no URL of their own.
    const range = await get(`/widget/v1/${hashed}`, { 'accept-encoding': 'br, gzip', range: 'bytes=0-99' });
    expect({ status: range.status, encoding: range.headers['content-encoding'], whole: range.body.equals(plain.body) }).toEqual({ status: 200, encoding: undefined, whole: true });
    expect((await get(`/widget/v1/${hashed}.br`)).status).toBe(404);
    // The frame's script, the largest file of a first page view, likewise.
    const frameHtml = await get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    const frameJs = /assets\/frame\.[0-9a-f]{12}\.js/.exec(frameHtml.body.toString())![0];
    const frameBr = await get(`/widget/v1/${frameJs}`, { 'accept-encoding': 'br' });
    expect(frameBr.headers['content-encoding']).toBe('br');
    expect(frameBr.body.equals(readFileSync(join(dirname(require.resolve('@widget/widget/package.json')), 'dist', 'frame', `${frameJs}.br`)))).toBe(true);
    // A JSON reply (the OpenAPI document) and the frame page, compressed on the way out.
    const doc = await get('/widget/v1/openapi.json', { 'accept-encoding': 'br' });
    expect(doc.headers['content-encoding']).toBe('br');
    expect(JSON.parse(brotliDecompressSync(doc.body).toString()).openapi).toBe('3.1.0');
    // Below 1 KB (the frame page itself) nothing gains: sent as it is.
    const frame = await get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`, { 'accept-encoding': 'gzip' });
    expect({ status: frame.status, encoding: frame.headers['content-encoding'] }).toEqual({ status: 200, encoding: undefined });
  });

  it('serves the frame with a strict CSP whose frame-ancestors are the exact origins of the allow-list, never a wildcard', async () => {
    const res = await api.get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toMatch(/frame-ancestors https:\/\/shop\.example\.com(;|$)/);
    expect(csp).not.toContain('*');
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const asset = /assets\/frame\.[0-9a-f]{12}\.js/.exec(res.text)![0];
    const js = await api.get(`/widget/v1/${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
  });

  it("names the embedding page in frame-ancestors when a wildcard allows it, as the API's matcher does (one label)", async () => {
    const ancestors = async (hostOrigin: string) => {
      const res = await api.get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}&host_origin=${encodeURIComponent(hostOrigin)}`);
      expect(res.status).toBe(200);
      return /frame-ancestors ([^;]*)/.exec(res.headers.get('content-security-policy')!)![1];
    };
    expect(await ancestors('https://a.example.org')).toBe('https://shop.example.com https://a.example.org');
    expect(await ancestors('https://A.example.org:443')).toBe('https://shop.example.com https://a.example.org');
    for (const refused of ['https://a.b.example.org', 'https://example.org', 'http://a.example.org', 'https://a.example.org.evil.test', "https://a.example.org 'unsafe-inline'", 'null']) {
      expect(await ancestors(refused)).toBe('https://shop.example.com');
    }
    const tooLong = await api.get(`/widget/v1/frame?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}&host_origin=https://${'a'.repeat(300)}.example.org`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.code).toBe('validation_error');
  });

  it('sends a CSP, no-referrer, DENY framing and nosniff with every file of the inbox and the loader', async () => {
    const page = await api.get('/inbox/');
    expect(page.status).toBe(200);
    expectPageHeaders(page.headers, /^default-src 'none'; script-src 'self'/);
    const assets = [...page.text.matchAll(/(?:src|href)="\.\/([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await api.get(`/inbox/${asset}`);
      expect(res.status).toBe(200);
      expectPageHeaders(res.headers, /^default-src 'none'; script-src 'self'/);
    }
    const pointer = await api.get('/widget/v1/widget.js');
    expectPageHeaders(pointer.headers, /^default-src 'none'/);
    const loader = await api.get(`/widget/v1/${/widget\.[0-9a-f]{12}\.js/.exec(pointer.text)![0]}`);
    expectPageHeaders(loader.headers, /^default-src 'none'/);
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

  describe('in demo mode', () => {
    const PUBLIC = 'https://support.example.test';
    let gateway: RunningApp;

    beforeAll(async () => {
      const seedFile = artifactPath('browser-assets-seed.json');
      writeFileSync(seedFile, JSON.stringify({ workspaceId: widget.workspaceId, widgetId: widget.widgetId, widgetSecret: widget.secret }));
      // TRUST_PROXY: X-Forwarded-Host is believed for the client address and the frame's own origin; never for the demo.
      gateway = await spawnApp(stack, 'gateway', { DEMO_MODE: 'true', DEMO_SEED_FILE: seedFile, PUBLIC_ORIGIN: PUBLIC, TRUST_PROXY: 'true' });
    });
    afterAll(async () => {
      await gateway?.stop();
    });

    const forged = { host: 'evil.example.net', 'x-forwarded-host': 'evil.example.net', 'x-forwarded-proto': 'https' };

    it('builds the demo page CSP and settings.js from PUBLIC_ORIGIN, whatever Host or X-Forwarded-Host say', async () => {
      for (const headers of [{}, forged]) {
        const page = await rawGet(`${gateway.url}/demo/`, headers);
        expect(page.status).toBe(200);
        const csp = String(page.headers['content-security-policy']);
        expect(csp).toContain(`script-src 'self' ${PUBLIC};`);
        expect(csp).toContain(`frame-src ${PUBLIC};`);
        expect(csp).not.toContain('evil');
        const settings = await rawGet(`${gateway.url}/demo/settings.js`, headers);
        expect(settings.status).toBe(200);
        expect(settings.text).toContain(`"apiBase":"${PUBLIC}"`);
        expect(settings.text).toContain(`"${PUBLIC}/widget/v1/widget.js"`);
        expect(settings.text).not.toContain('evil');
      }
    });

    it('lets no page frame the demo, and sends its guards with every demo file', async () => {
      const page = await fetch(`${gateway.url}/demo/`);
      expectPageHeaders(page.headers, /^default-src 'self'; script-src 'self' /);
      const assets = [...(await page.text()).matchAll(/(?:src|href)="((?:\.\/)?assets\/[^"]+)"/g)].map((m) => m[1].replace(/^\.\//, ''));
      expect(assets.length).toBeGreaterThanOrEqual(1);
      for (const asset of assets) expectPageHeaders((await fetch(`${gateway.url}/demo/${asset}`)).headers, /^default-src 'self'/);
    });
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
