import './dispose-polyfill';
import { writeFileSync } from 'node:fs';
import { createServer, IncomingHttpHeaders, request as httpRequest, Server } from 'node:http';
import { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { artifactPath, freePort, metricSample, queryDatabase, RunningApp, scrapeMetrics, spawnApp, testStack } from '@widget/testing';
import { chatFrame, DemoStack, launchBrowser, shot, startConversation, startDemoStack, tap, waitForEvent } from './harness';

/**
 * What embedding the widget costs a host page (issue 24, "lighter embedding"), in Chromium: the host's `load`
 * delay with and without the snippet, the bytes of a first page view, and sockets and sessions of page views
 * without interaction (EMBEDDING_VISITORS visitors × 4 views: 5 in `npm test`, 25 for the 100 views of
 * docs/benchmarks.md), counted on the server (a realtime replica of this file's own: its
 * realtime_socket_connections_total; session.sessions rows of this file's widget). The behaviours are
 * asserted; the figures are written to .stack/test-artifacts/embedding-weight.json (docs/benchmarks.md), never
 * asserted on time.
 */
jest.setTimeout(300_000);

let browser: Browser;
let demo: DemoStack;
let realtime: RunningApp;
let host: Server;
let hostOrigin: string;
let apiBase: string;
const figures: Record<string, unknown> = {};
/** Visitors of the page-view test, 4 views each; `EMBEDDING_VISITORS=25 npx jest …` gives docs/benchmarks.md's 100 views. */
const VISITORS = Number(process.env.EMBEDDING_VISITORS ?? 5);

/**
 * A customer's page on its own origin: some content, and (with `widget`) the snippet from the README, inline.
 * It logs the SDK's events and its own load in window.demoEvents, as the demo page does (the harness reads it).
 */
function hostPage(widget: boolean): string {
  const snippet = widget
    ? `<script>
  window.SupportChat = window.SupportChat || function () { (SupportChat.q = SupportChat.q || []).push(arguments) };
  window.SupportChatSettings = ${JSON.stringify({ workspaceId: demo.widget.workspaceId, widgetId: demo.widget.widgetId, apiBase })};
  SupportChat('on', '*', function (e) { demoEvents.push({ type: e.type, payload: e.payload }); });
</script>
<script async src="${apiBase}/widget/v1/widget.js"></script>`
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>A shop</title>
<script>
  window.demoEvents = [];
  addEventListener('load', function () { demoEvents.push({ type: 'host:load', payload: { frameInPage: !!document.querySelector('iframe[data-support-chat]') } }); });
</script>
${snippet}
</head><body><h1>A shop</h1>${'<p>Products, prices and a basket: the page the visitor came for.</p>'.repeat(20)}</body></html>`;
}

beforeAll(async () => {
  const stack = testStack();
  // A realtime replica of this file's own, so its socket counter counts this file's sockets and nothing else.
  realtime = await spawnApp(stack, 'realtime', { TRUST_PROXY: 'true' });
  [browser, demo] = await Promise.all([launchBrowser(), startDemoStack({ ...stack, realtimeUrl: realtime.url }, 'embedding-weight')]);
  const port = await freePort();
  host = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(hostPage(req.url === '/with-widget'));
  });
  await new Promise<void>((resolve) => host.listen(port, '127.0.0.1', resolve));
  hostOrigin = `http://localhost:${port}`;
  // The frame on another site than the page, as on a customer's site.
  apiBase = `http://127.0.0.1:${demo.gateway.port}`;
  const allowed = await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { allowedOrigins: [`http://localhost:${demo.gateway.port}`, hostOrigin] });
  expect(allowed.status).toBe(200);
});
afterAll(async () => {
  writeFileSync(artifactPath('embedding-weight.json'), `${JSON.stringify(figures, null, 2)}\n`);
  console.log(`[embedding-weight] ${JSON.stringify(figures)}`);
  await browser?.close();
  await demo?.stop();
  await realtime?.stop();
  await new Promise<void>((resolve) => (host ? host.close(() => resolve()) : resolve()));
});

const connected = (page: Page) =>
  page.waitForFunction(() => ((window as any).demoEvents as { type: string; payload: any }[]).some((e) => e.type === 'connection:state' && e.payload.state === 'connected'));

const socketsAccepted = async () => metricSample(await scrapeMetrics(realtime.metricsUrl), 'realtime_socket_connections_total') ?? 0;
const sessionsCreated = async () =>
  Number((await queryDatabase<{ n: string }>(testStack().databaseUrl, 'SELECT count(*) AS n FROM session.sessions WHERE widget_id = $1', [demo.widget.widgetId]))[0]!.n);

/** Every request a page and its frames make, with what went over the wire for each. */
function recordRequests(page: Page): { done: Promise<{ url: string; bytes: number; encoding?: string }[]>; requests: Request[] } {
  const requests: Request[] = [];
  page.on('request', (r) => requests.push(r));
  return {
    requests,
    get done() {
      return Promise.all(
        requests.map(async (r) => {
          const response = await r.response().catch(() => null);
          const sizes = await r.sizes().catch(() => ({ responseBodySize: 0, responseHeadersSize: 0 }));
          const encoding = (await response?.allHeaders().catch(() => ({}) as Record<string, string>))?.['content-encoding'];
          return { url: r.url(), bytes: sizes.responseBodySize + sizes.responseHeadersSize, encoding };
        }),
      );
    },
  };
}

/** One page view that does nothing: until the widget is ready and a second more has passed (time for a socket it would open). */
async function idleView(page: Page, url = `${hostOrigin}/with-widget`): Promise<void> {
  await page.goto(url);
  await waitForEvent(page, 'ready');
  await page.waitForTimeout(1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

describe('embedding weight (issue 24)', () => {
  it('does not hold the host page’s load event: the frame is added after it (and the delay is measured)', async () => {
    const loads: Record<'plain' | 'widget', number[]> = { plain: [], widget: [] };
    const frameAtLoad: boolean[] = [];
    for (let i = 0; i < 10; i++) {
      for (const variant of ['plain', 'widget'] as const) {
        const context = await browser.newContext();
        const page = await context.newPage();
        await page.goto(`${hostOrigin}/${variant === 'widget' ? 'with-widget' : 'plain'}`);
        loads[variant].push(await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventStart));
        if (variant === 'widget') {
          await waitForEvent(page, 'ready');
          frameAtLoad.push((await waitForEvent(page, 'host:load')).frameInPage);
        }
        await context.close();
      }
    }
    figures.loadEventStartMs = { withoutWidget: median(loads.plain), withWidget: median(loads.widget), runs: loads.plain.length };
    figures.loadDelayMs = Math.round((median(loads.widget) - median(loads.plain)) * 10) / 10;
    expect(frameAtLoad).toEqual(loads.widget.map(() => false));
  });

  it('a first page view: the bytes it moves, and no socket', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const record = recordRequests(page);
    const sockets = await socketsAccepted();
    await idleView(page);
    await chatFrame(page).getByRole('button', { name: /open chat/i }).waitFor();
    await shot(page, 'embedding-host-page-launcher');
    const all = (await record.done).filter((r) => r.url.startsWith(apiBase));
    const isStatic = (url: string) => /\/widget\/v1\/(widget\.js|widget\.[0-9a-f]{12}\.js|frame\?|assets\/)/.test(url);
    const sum = (list: { bytes: number }[]) => list.reduce((n, r) => n + r.bytes, 0);
    figures.firstPageView = {
      requests: all.length,
      bytes: sum(all),
      staticBytes: sum(all.filter((r) => isStatic(r.url))),
      apiBytes: sum(all.filter((r) => !isStatic(r.url))),
      files: all.map((r) => `${new URL(r.url).pathname} ${r.bytes}${r.encoding ? ` ${r.encoding}` : ''}`),
    };
    expect(all.some((r) => r.url.includes('/widget/v1/realtime'))).toBe(false);
    expect(all.some((r) => r.url.includes('/sessions/realtime-token'))).toBe(false);
    expect(await socketsAccepted()).toBe(sockets);
    await context.close();
  });

  it(`${VISITORS * 4} page views without interaction (${VISITORS} visitors, 4 views each): one session per visitor, no socket`, async () => {
    const [sockets, sessions] = [await socketsAccepted(), await sessionsCreated()];
    let tokenRequests = 0;
    const visitor = async () => {
      const context = await browser.newContext();
      context.on('request', (r) => void (r.url().includes('/sessions/realtime-token') && tokenRequests++));
      const page = await context.newPage();
      for (let view = 0; view < 4; view++) await idleView(page);
      await context.close();
    };
    // Five visitors at a time.
    for (let batch = 0; batch < VISITORS; batch += 5) await Promise.all(Array.from({ length: Math.min(5, VISITORS - batch) }, visitor));
    const opened = (await socketsAccepted()) - sockets;
    const created = (await sessionsCreated()) - sessions;
    figures.pageViewsWithoutInteraction = { pageViews: VISITORS * 4, socketsOpened: opened, realtimeTokens: tokenRequests, sessionsCreated: created, visitors: VISITORS };
    expect({ opened, tokenRequests, created }).toEqual({ opened: 0, tokenRequests: 0, created: VISITORS });
  });

  it('opens the socket when the visitor opens the panel', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sockets = await socketsAccepted();
    await idleView(page);
    expect(await socketsAccepted()).toBe(sockets);
    await tap(chatFrame(page).getByRole('button', { name: /open chat/i }));
    await connected(page);
    expect(await socketsAccepted()).toBe(sockets + 1);
    await context.close();
  });

  it('a visitor with a conversation: the badge from the list, a socket without interaction, the agent’s reply live', async () => {
    const context: BrowserContext = await browser.newContext();
    const page = await context.newPage();
    await idleView(page);
    const conversationId = await startConversation(page, 'Where is my parcel?');
    await chatFrame(page).locator('[data-testid=delivery]').first().waitFor({ state: 'detached' });
    await page.close();
    const reply = (text: string) => demo.admin.post(`/conversations/${conversationId}/messages`, { text, author: { id: 'agent_1', name: 'Alex' } });

    // Answered while no page was open: the next page view shows it on the badge from GET /conversations.
    expect((await reply('It left the warehouse today.')).status).toBe(201);
    const sockets = await socketsAccepted();
    const next = await context.newPage();
    await next.goto(`${hostOrigin}/with-widget`);
    await chatFrame(next).locator('[data-testid=badge]', { hasText: '1' }).waitFor();
    // The visitor has a conversation: the socket opens without any click, and the next reply arrives live.
    await connected(next);
    expect(await socketsAccepted()).toBe(sockets + 1);
    expect((await reply('It arrives tomorrow.')).status).toBe(201);
    await chatFrame(next).locator('[data-testid=badge]', { hasText: '2' }).waitFor();
    await next.waitForFunction(() => ((window as any).demoEvents as { type: string; payload: any }[]).some((e) => e.type === 'message:received' && e.payload.message.text === 'It arrives tomorrow.'));
    await shot(next, 'embedding-badge-for-visitor-with-conversation');
    await context.close();
  });
});

describe('page-set bytes of a first page view with the widget (issue 24, compression)', () => {
  /** GET with one Accept-Encoding; the body's length as sent. */
  const get = (path: string, acceptEncoding: string) =>
    new Promise<{ status: number; headers: IncomingHttpHeaders; bytes: number; text: string }>((resolve, reject) => {
      httpRequest(`${apiBase}${path}`, { headers: { 'accept-encoding': acceptEncoding } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes: body.length, text: body.toString('latin1') });
        });
      })
        .on('error', reject)
        .end();
    });

  it('identity, brotli and gzip, file by file', async () => {
    const pointer = await get('/widget/v1/widget.js', 'identity');
    const loader = `/widget/v1/${/widget\.[0-9a-f]{12}\.js/.exec(pointer.text)![0]}`;
    const frame = await get(`/widget/v1/frame?workspace_id=${demo.widget.workspaceId}&widget_id=${demo.widget.widgetId}`, 'identity');
    const assets = [...frame.text.matchAll(/(?:src|href)="\/?(?:widget\/v1\/)?(assets\/[^"]+)"/g)].map((m) => `/widget/v1/${m[1]}`);
    expect({ status: frame.status, assets: assets.length, text: assets.length === 2 ? "" : frame.text.slice(0, 300) }).toEqual({ status: 200, assets: 2, text: "" });
    const paths = ['/widget/v1/widget.js', loader, `/widget/v1/frame?workspace_id=${demo.widget.workspaceId}&widget_id=${demo.widget.widgetId}`, ...assets];
    const table: Record<string, Record<string, number>> = {};
    for (const encoding of ['identity', 'br', 'gzip']) {
      for (const path of paths) {
        const res = await get(path, encoding);
        expect(res.status).toBe(200);
        (table[path.replace(/\?.*/, '')] ??= {})[encoding] = res.bytes;
      }
    }
    const total = (encoding: string) => Object.values(table).reduce((n, row) => n + row[encoding]!, 0);
    figures.staticBytes = { files: table, identity: total('identity'), br: total('br'), gzip: total('gzip') };
  });
});
