// Over 400 lines: the widget's browser journeys share one demo stack and browser (boot, transport, accessibility, CSP); split, each file would boot its own.
import './dispose-polyfill';
import { readFileSync } from 'node:fs';
import { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { testStack } from '@widget/testing';
import { chatFrame, demoEvents, tap, DemoStack, launchBrowser, shot, startConversation, startDemoStack, waitForEvent, watchCsp } from './harness';

/**
 * The browser face in Chromium: the demo page (the customer's snippet, a
 * strict CSP), the SDK, the frame UI, through a demo-mode gateway on the real
 * stack. One browser and one demo stack for the file; a fresh browser
 * context (a new visitor) per test unless the test is about the same visitor.
 */
jest.setTimeout(90_000);

let browser: Browser;
let demo: DemoStack;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoStack(testStack(), 'widget-spec')]);
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

const AGENT = { id: 'agent_1', name: 'Alex from Support' };

async function newVisitor(options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: options.width ?? 1100, height: options.height ?? 760 } });
  await watchCsp(context);
  const page = await context.newPage();
  return { context, page };
}

async function openDemo(page: Page): Promise<void> {
  await page.goto(demo.demoUrl);
  await chatFrame(page).getByRole('button', { name: /open chat/i }).waitFor();
}

/** The frame's own document (the widget UI), to read or script it from the test. */
const widgetDocument = (page: Page): Frame => page.frames().find((f) => f.url().includes('/widget/v1/frame'))!;

const isConnected = () => ((window as any).demoEvents ?? []).some((e: any) => e.type === 'connection:state' && e.payload.state === 'connected');

/**
 * Headless Chromium keeps every tab visible, so the test does what the
 * browser does when a tab goes to the background and comes back: it sets
 * document.visibilityState in the frame and fires visibilitychange.
 */
async function setVisibility(doc: Frame, state: 'hidden' | 'visible'): Promise<void> {
  await doc.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  }, state);
}

/** Everything the browser may keep for an origin: Web Storage, cookies, IndexedDB, Cache Storage. */
async function storedIn(doc: Page | Frame): Promise<{ local: string[]; session: string[]; cookie: string; indexedDB: string[]; caches: string[] }> {
  return doc.evaluate(async () => ({
    local: Object.keys(localStorage),
    session: Object.keys(sessionStorage),
    cookie: document.cookie,
    indexedDB: (await indexedDB.databases()).map((d) => d.name ?? ''),
    caches: await caches.keys(),
  }));
}

const agentReply = (conversationId: string, text: string) => demo.admin.post(`/conversations/${conversationId}/messages`, { text, author: AGENT });

async function cspViolations(page: Page): Promise<string[]> {
  const all: string[] = [];
  for (const frame of page.frames()) all.push(...(await frame.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []).catch(() => [])));
  return all;
}

describe('the widget in Chromium', () => {
  let visitor: { context: BrowserContext; page: Page };
  let conversationId: string;

  afterAll(async () => visitor?.context.close());

  it('boots on the demo page under a strict CSP; the visitor writes, the agent replies live, the badge counts it and reading clears it', async () => {
    visitor = await newVisitor();
    const { page } = visitor;
    // A newcomer opens the stack's own address and lands on the demo.
    const response = await page.goto(new URL('/', demo.demoUrl).href);
    expect(page.url()).toBe(demo.demoUrl);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self' http://127.0.0.1:");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const frame = chatFrame(page);
    await frame.getByRole('button', { name: /open chat/i }).waitFor();
    await shot(page, 'demo-launcher');
    conversationId = await startConversation(page, 'Hello, where is my order?');
    await frame.locator('[data-testid=delivery]').first().waitFor({ state: 'detached' });
    await shot(page, 'visitor-wrote');

    await agentReply(conversationId, 'Hi! Let me check that for you.');
    await frame.locator('[data-testid=message]', { hasText: 'Let me check that for you' }).waitFor();
    expect(await frame.locator('[data-testid=message]', { hasText: 'Alex from Support' }).count()).toBe(1);
    await shot(page, 'agent-replied');

    await tap(frame.getByRole('button', { name: 'Close chat' }));
    await agentReply(conversationId, 'It ships tomorrow.');
    await frame.locator('[data-testid=badge]', { hasText: '1' }).waitFor();
    await shot(page, 'badge-counts-reply');

    await tap(frame.getByRole('button', { name: /open chat, 1 unread/i }));
    await frame.locator('[data-testid=message]', { hasText: 'It ships tomorrow.' }).waitFor();
    await page.waitForFunction(() => ((window as any).demoEvents ?? []).some((e: any) => e.type === 'unread:change' && e.payload.count === 0));
    await tap(frame.getByRole('button', { name: 'Close chat' }));
    await frame.locator('[data-testid=badge]').first().waitFor({ state: 'detached' });
    await shot(page, 'read-clears-badge');
    expect(await cspViolations(page)).toEqual([]);
  });

  it('isolates what visitors and agents wrote: an override in a name or a message reorders nothing around it', async () => {
    const { context, page } = await newVisitor({ width: 360, height: 740 });
    await openDemo(page);
    const id = await startConversation(page, '\u202Edrowssap\u200B my order');
    await demo.admin.post(`/conversations/${id}/messages`, { text: 'Checking \u202Eit now', author: { id: 'agent_rtl', name: '\u202Etroppus\u200B Sam' } });
    await chatFrame(page).locator('[data-testid=message]', { hasText: 'Checking' }).waitFor();
    const layout = await widgetDocument(page).evaluate(() => {
      const written = [...document.querySelectorAll('[data-testid=message] .author, [data-testid=message] .text')];
      const agent = [...document.querySelectorAll('[data-testid=message]')].find((m) => m.textContent!.includes('Checking'))!;
      return {
        written: written.length,
        notIsolated: written.filter((el) => el.getAttribute('dir') !== 'auto' || getComputedStyle(el).unicodeBidi !== 'isolate').map((el) => el.outerHTML.slice(0, 80)),
        // The override stays inside the agent's name: the time still follows it.
        timeAfterAuthor: agent.querySelector('.author')!.getBoundingClientRect().right <= agent.querySelector('time')!.getBoundingClientRect().left,
        wider: document.documentElement.scrollWidth > window.innerWidth,
      };
    });
    expect(layout).toEqual({ written: 4, notIsolated: [], timeAfterAuthor: true, wider: false });
    await shot(page, 'isolated-rtl-override');
    await context.close();
  });

  it('keeps the session token inside the frame: not in the page, its URL or its storage', async () => {
    const { page } = visitor;
    const token = await widgetDocument(page).evaluate(() => Object.entries(localStorage).find(([k]) => k.includes(':session'))?.[1]);
    expect(token).toMatch(/^wst_/);
    const seen = await page.evaluate((secret) => {
      const frame = document.querySelector('iframe[data-support-chat]') as HTMLIFrameElement;
      let frameStorage = 'unreadable';
      try {
        frameStorage = String(frame.contentWindow!.localStorage);
      } catch {
        frameStorage = 'unreadable';
      }
      const everything = [document.documentElement.outerHTML, location.href, frame.src, JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.cookie, JSON.stringify((window as any).demoEvents)].join('\n');
      return { frameStorage, leaked: everything.includes(secret) };
    }, token!);
    expect(seen).toEqual({ frameStorage: 'unreadable', leaked: false });
  });

  it('merges the anonymous conversation on log in as the demo user; log out clears storage and starts a new anonymous session', async () => {
    const { page } = visitor;
    const frameDoc = () => widgetDocument(page);
    const before = await frameDoc().evaluate(() => Object.entries(localStorage).find(([k]) => k.includes(':session'))?.[1]);
    await page.getByRole('button', { name: 'Log in as demo user' }).click();
    await page.getByText('Visitor: demo user (identified)').waitFor();
    const frame = chatFrame(page);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    await tap(frame.getByRole('button', { name: 'Back' }));
    // The anonymous conversation, merged into the user's (its last message is the agent's).
    await frame.locator('[data-testid=conversations]', { hasText: 'It ships tomorrow.' }).waitFor();
    await shot(page, 'identified-sees-merged-conversation');
    const identified = await frameDoc().evaluate(() => Object.entries(localStorage).find(([k]) => k.includes(':session'))?.[1]);
    expect(identified).not.toEqual(before);

    await tap(frame.getByRole('button', { name: 'Close chat' }));
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('Visitor: anonymous').waitFor();
    const after = await frameDoc().evaluate(() => Object.entries(localStorage).find(([k]) => k.includes(':session'))?.[1]);
    expect(after).toMatch(/^wst_/);
    expect(after).not.toEqual(identified);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    await frame.getByText('No conversations yet.').waitFor();
    await shot(page, 'logged-out-new-anonymous-session');
    await tap(frame.getByRole('button', { name: 'Close chat' }));
  });
});

describe('transport', () => {
  // Chromium sends no Origin on the same-origin polling handshake (a GET): realtime reads Sec-Fetch-Site instead.
  it('falls back to HTTP long-polling when WebSocket is blocked', async () => {
    const { context, page } = await newVisitor();
    // In the frame, every WebSocket fails before it opens, as behind a proxy that refuses the upgrade.
    await context.addInitScript(() => {
      if (!location.pathname.startsWith('/widget/v1/frame')) return;
      class RefusedWebSocket extends EventTarget {
        static readonly CONNECTING = 0;
        static readonly OPEN = 1;
        static readonly CLOSING = 2;
        static readonly CLOSED = 3;
        readyState = 0;
        binaryType = 'blob';
        onopen: ((e: Event) => void) | null = null;
        onerror: ((e: Event) => void) | null = null;
        onclose: ((e: CloseEvent) => void) | null = null;
        onmessage: ((e: MessageEvent) => void) | null = null;
        constructor(readonly url: string) {
          super();
          setTimeout(() => {
            this.readyState = 3;
            this.onerror?.(new Event('error'));
            this.onclose?.(new CloseEvent('close', { code: 1006 }));
          }, 10);
        }
        send(): void {}
        close(): void {}
      }
      (window as unknown as { WebSocket: unknown }).WebSocket = RefusedWebSocket;
    });
    const polled: string[] = [];
    page.on('request', (r) => r.url().includes('transport=polling') && polled.push(r.url()));
    await openDemo(page);
    const id = await startConversation(page, 'Polling hello');
    await page.waitForFunction(isConnected);
    await agentReply(id, 'Reply over polling');
    await chatFrame(page).locator('[data-testid=message]', { hasText: 'Reply over polling' }).waitFor();
    expect(polled.length).toBeGreaterThan(0);
    await shot(page, 'polling-fallback');
    await context.close();
  });

  it('replays what the agent sent while the socket was down: both replies appear once', async () => {
    const { context, page } = await newVisitor();
    await openDemo(page);
    const id = await startConversation(page, 'Drop test');
    await page.waitForFunction(isConnected);
    demo.relay.cut();
    await chatFrame(page).getByTestId('banner').getByText(/reconnecting/i).waitFor();
    await agentReply(id, 'First reply while you were away');
    await agentReply(id, 'Second reply while you were away');
    await shot(page, 'socket-dropped-reconnecting');
    demo.relay.restore();
    const frame = chatFrame(page);
    await frame.locator('[data-testid=message]', { hasText: 'Second reply while you were away' }).waitFor({ timeout: 45_000 });
    expect(await frame.locator('[data-testid=message]', { hasText: 'First reply while you were away' }).count()).toBe(1);
    expect(await frame.locator('[data-testid=message]', { hasText: 'Second reply while you were away' }).count()).toBe(1);
    await frame.getByTestId('banner').first().waitFor({ state: 'detached' });
    await shot(page, 'replayed-after-reconnect');
    await context.close();
  });

  it('replays after the tab comes back from the background (visibilitychange), though its socket never noticed it was dead', async () => {
    const { context, page } = await newVisitor();
    await openDemo(page);
    const id = await startConversation(page, 'Background test');
    await page.waitForFunction(isConnected);
    const frame = chatFrame(page);
    // The thread's first read (GET …/messages) done: one answered after the replies below would show them without the socket.
    await frame.locator('[data-testid=messages]:not([aria-busy])').waitFor();
    const thread = (text: string) => frame.locator('[data-testid=message]', { hasText: text });
    const doc = widgetDocument(page);
    demo.relay.stall();
    try {
      await setVisibility(doc, 'hidden');
      await agentReply(id, 'First reply while in the background');
      await agentReply(id, 'Second reply while in the background');
      // The socket looks open but nothing reaches it, and no reconnect happens, as on a phone after sleep.
      expect(await thread('while in the background').count()).toBe(0);
      expect((await demoEvents(page)).filter((e) => e.type === 'connection:state').map((e) => e.payload.state)).not.toContain('reconnecting');
      await setVisibility(doc, 'visible');
      await thread('Second reply while in the background').waitFor();
      expect(await thread('First reply while in the background').count()).toBe(1);
      expect(await thread('Second reply while in the background').count()).toBe(1);
      await shot(page, 'replayed-after-visibilitychange');
    } finally {
      demo.relay.unstall();
    }
    // The stalled socket now delivers both replies late, then a new one: the thread still shows each once.
    await agentReply(id, 'Third reply, live again');
    await thread('Third reply, live again').waitFor();
    expect(await thread('First reply while in the background').count()).toBe(1);
    expect(await thread('Second reply while in the background').count()).toBe(1);
    await context.close();
  });

  it('shows "sending" while the API answers 503, then succeeds on retry with one stored message', async () => {
    const { context, page } = await newVisitor();
    await openDemo(page);
    const id = await startConversation(page, 'Retry test');
    let refused = 0;
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    await page.route('**/widget/v1/conversations/*/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      if (refused === 0) {
        refused++;
        await released;
        return route.fulfill({
          status: 503,
          headers: { 'content-type': 'application/json', 'retry-after': '1', 'access-control-allow-origin': '*' },
          body: JSON.stringify({ error: { code: 'internal_error', message: 'Try again.', reason: 'upstream_unavailable', requestId: 'req_test', recoverable: true } }),
        });
      }
      return route.continue();
    });
    const frame = chatFrame(page);
    await frame.getByLabel('Message').fill('Sent through a 503');
    await frame.getByLabel('Message').press('Enter');
    await frame.locator('[data-testid=delivery]', { hasText: 'Sending' }).waitFor();
    await shot(page, 'sending-during-503');
    release();
    await frame.locator('[data-testid=message][data-delivery=sent]', { hasText: 'Sent through a 503' }).waitFor();
    expect(await frame.locator('[data-testid=message]', { hasText: 'Sent through a 503' }).count()).toBe(1);
    const stored = (await demo.admin.get(`/workspaces/${demo.widget.workspaceId}/conversations?limit=100`)).body.data.find((c: { id: string }) => c.id === id);
    expect(stored.lastMessage.text).toBe('Sent through a 503');
    expect(refused).toBe(1);
    await shot(page, 'sent-after-retry');
    await context.close();
  });

  it('a visitor who writes before the session exists (slow network) starts the conversation once it does', async () => {
    const { context, page } = await newVisitor();
    let release: () => void = () => undefined;
    const released = new Promise<void>((r) => (release = r));
    let held = 0;
    await page.route('**/widget/v1/sessions/anonymous', async (route) => {
      held++;
      await released;
      return route.continue();
    });
    await openDemo(page);
    const frame = chatFrame(page);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    await tap(frame.getByRole('button', { name: 'Send us a message' }));
    await frame.getByLabel('Message').fill('Written while the session starts');
    await frame.getByLabel('Message').press('Enter');
    expect(held).toBe(1);
    expect((await demoEvents(page)).some((e) => e.type === 'ready' || e.type === 'conversation:started')).toBe(false);
    release();
    const started = await waitForEvent(page, 'conversation:started');
    await frame.locator('[data-testid=message]', { hasText: 'Written while the session starts' }).waitFor();
    expect(await frame.getByRole('alert').count()).toBe(0);
    const stored = (await demo.admin.get(`/workspaces/${demo.widget.workspaceId}/conversations?limit=100`)).body.data.find((c: { id: string }) => c.id === started.conversation.id);
    expect(stored.lastMessage.text).toBe('Written while the session starts');
    await context.close();
  });
});

describe('knowledge, AI and forms', () => {
  it('searches articles, opens one, answers with a citation, and submits a ticket form after a validation error (360 px wide)', async () => {
    const { context, page } = await newVisitor({ width: 360, height: 740 });
    await openDemo(page);
    const frame = chatFrame(page);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    const box = await page.locator('iframe[data-support-chat]').boundingBox();
    expect(box!.width).toBeLessThanOrEqual(360);
    await frame.getByRole('searchbox', { name: 'Search the help center' }).fill('password');
    await frame.getByRole('searchbox', { name: 'Search the help center' }).press('Enter');
    await frame.getByTestId('search-results').getByText('How do I reset my password?').waitFor();
    await shot(page, 'search-results-360px');
    await tap(frame.getByTestId('search-results').getByText('How do I reset my password?'));
    await frame.getByTestId('article').getByText('Settings → Security').waitFor();
    await shot(page, 'article-view');
    await tap(frame.getByRole('button', { name: 'Back' }));

    await frame.getByRole('textbox', { name: 'Ask a question' }).fill('How do I reset my password?');
    await tap(frame.getByRole('button', { name: 'Ask', exact: true }));
    await frame.getByTestId('citations').getByText('How do I reset my password?').waitFor();
    await frame.getByRole('button', { name: 'Talk to a person' }).waitFor();
    await shot(page, 'ai-answer-with-citation');
    await tap(frame.getByRole('button', { name: 'Talk to a person' }));
    await frame.locator('[data-testid=message]', { hasText: 'How do I reset my password?' }).first().waitFor();
    // ai.escalationBehavior attach_context (the default): the question, the answer and its sources for the agent.
    await frame.locator('[data-testid=message]', { hasText: 'Visitor asked' }).waitFor();
    await shot(page, 'talk-to-a-person');
    await tap(frame.getByRole('button', { name: 'Back' }));

    await tap(frame.getByRole('button', { name: /Report a problem/ }).last());
    await frame.getByTestId('ticket-form').waitFor();
    await frame.getByLabel('Email').fill('not-an-email');
    // Spaces are no answer, here as on the server (one set of form value rules, libs/contracts/src/form-values.ts).
    await frame.getByLabel('What happened?').fill('   ');
    await tap(frame.getByRole('button', { name: 'Submit' }));
    await frame.getByText('Enter a valid email address.').waitFor();
    await frame.getByText('This field is required.').waitFor();
    await shot(page, 'form-validation-errors');
    await frame.getByLabel('Email').fill('visitor@example.com');
    await frame.getByLabel('What happened?').fill('The checkout button does nothing.');
    await tap(frame.getByRole('button', { name: 'Submit' }));
    await frame.getByTestId('form-done').waitFor();
    const submitted = await waitForEvent(page, 'form:submitted');
    expect(submitted.formId).toBe(demo.formId);
    await shot(page, 'form-submitted');
    await context.close();
  });
});

describe('theme colours a site may pick (issue 24: contrast)', () => {
  afterAll(async () => {
    await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { theme: { primaryColor: '#1f6feb', textColor: '#ffffff', mode: 'auto' } });
  });

  it.each([
    ['a pale yellow with white text', { primaryColor: '#ffff00', textColor: '#ffffff', mode: 'light' }],
    ['a dark navy with black text, in dark mode', { primaryColor: '#000080', textColor: '#000000', mode: 'dark' }],
  ])('keeps every text readable with %s (axe-core: no serious violation, the AI answer\'s source links included)', async (_name, theme) => {
    expect((await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { theme })).status).toBe(200);
    const { context, page } = await newVisitor({ width: 360, height: 740 });
    try {
      // The gateway drops its cached config on the widget's change event; a fresh page reads the new theme.
      for (let i = 0; i < 50; i++) {
        const config = await (await fetch(`${demo.gateway.url}/widget/v1/config?workspace_id=${demo.widget.workspaceId}&widget_id=${demo.widget.widgetId}`)).json();
        if (config?.theme?.primaryColor === theme.primaryColor) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await openDemo(page);
      const frame = chatFrame(page);
      await tap(frame.getByRole('button', { name: /open chat/i }));
      await frame.getByRole('textbox', { name: 'Ask a question' }).fill('How do I reset my password?');
      await tap(frame.getByRole('button', { name: 'Ask', exact: true }));
      await frame.getByTestId('citations').getByText('How do I reset my password?').waitFor();
      const widgetDoc = widgetDocument(page);
      await widgetDoc.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
      const violations = await widgetDoc.evaluate(async () => {
        const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
        return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.help}`);
      });
      expect(violations).toEqual([]);
      await shot(page, `theme-${theme.primaryColor.slice(1)}`);
    } finally {
      await context.close();
    }
  });
});

describe('embedding rules', () => {
  it('the frame refuses to render on a page whose origin is not allowed (frame-ancestors), and blocks no clicks', async () => {
    const { context, page } = await newVisitor();
    const frameResponse = page.waitForResponse((r) => r.url().includes('/widget/v1/frame'));
    await page.goto(demo.otherOriginDemoUrl);
    const response = await frameResponse;
    expect(response.headers()['content-security-policy']).toContain(`frame-ancestors http://localhost:${demo.gateway.port}`);
    // Chromium replaces a refused frame with its error page: no widget document ever runs.
    await page.waitForFunction(() => !!document.querySelector('iframe[data-support-chat]'));
    await page.waitForTimeout(0);
    const frameUrls = page.frames().map((f) => f.url());
    expect(frameUrls.some((u) => u.includes('/widget/v1/frame?'))).toBe(false);
    const style = await page.evaluate(() => {
      const el = document.querySelector('iframe[data-support-chat]') as HTMLIFrameElement;
      return { pointer: getComputedStyle(el).pointerEvents, width: el.getBoundingClientRect().width };
    });
    expect(style).toEqual({ pointer: 'none', width: 0 });
    await page.getByRole('button', { name: 'Log out' }).click({ timeout: 2000 });
    await shot(page, 'refused-on-foreign-origin');
    await context.close();
  });

  it('frame-ancestors allows what the allow-list allows: a page one label under a wildcard embeds the widget, two labels deep it does not', async () => {
    // CSP's *. would match any depth; the API's pattern matches one label. *.localhost resolves to this machine in Chromium.
    const port = demo.gateway.port;
    const allowed = (extra: string[]) => demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { allowedOrigins: [`http://localhost:${port}`, ...extra] });
    expect((await allowed([`http://*.localhost:${port}`])).status).toBe(200);
    const { context, page } = await newVisitor();
    try {
      const shallow = page.waitForResponse((r) => r.url().includes('/widget/v1/frame?'));
      await page.goto(`http://shop.localhost:${port}/demo/`);
      const shallowCsp = (await shallow).headers()['content-security-policy'];
      expect(shallowCsp).toContain(`frame-ancestors http://localhost:${port} http://shop.localhost:${port}`);
      expect(shallowCsp).not.toContain('*');
      await chatFrame(page).getByRole('button', { name: /open chat/i }).waitFor();
      await shot(page, 'wildcard-one-label-embeds');

      const deep = page.waitForResponse((r) => r.url().includes('/widget/v1/frame?'));
      await page.goto(`http://a.shop.localhost:${port}/demo/`);
      expect((await deep).headers()['content-security-policy']).toMatch(new RegExp(`frame-ancestors http://localhost:${port}(;|$)`));
      // Chromium puts its error page where the refused frame would be: no widget document runs.
      const iframe = await (await page.waitForSelector('iframe[data-support-chat]', { state: 'attached' })).contentFrame();
      for (const until = Date.now() + 5000; !iframe!.url().startsWith('chrome-error:') && Date.now() < until; ) await page.waitForTimeout(50);
      expect(iframe!.url()).toMatch(/^chrome-error:/);
      expect(page.frames().some((f) => f.url().includes('/widget/v1/frame?'))).toBe(false);
      await shot(page, 'wildcard-two-labels-refused');
    } finally {
      await context.close();
      await allowed([]);
    }
  });

  it('has no serious or critical accessibility violation in the open widget (axe-core), and works by keyboard', async () => {
    const { context, page } = await newVisitor();
    await openDemo(page);
    const frame = chatFrame(page);
    await frame.getByRole('button', { name: /open chat/i }).focus();
    await page.keyboard.press('Enter');
    // A keyboard user acts where focus is: each step waits until focus has moved.
    const widgetDoc = widgetDocument(page);
    const focused = (test: string) => widgetDoc.waitForFunction(test);
    await focused(`document.activeElement?.textContent?.trim() === 'Send us a message'`);
    await page.keyboard.press('Enter');
    await focused(`document.activeElement?.tagName === 'TEXTAREA'`);
    await page.keyboard.type('Typed by keyboard');
    await page.keyboard.press('Enter');
    await frame.locator('[data-testid=message]', { hasText: 'Typed by keyboard' }).waitFor();
    const axe = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
    await widgetDoc.evaluate(axe);
    const violations = await widgetDoc.evaluate(async () => {
      const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
      return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.help}`);
    });
    expect(violations).toEqual([]);
    await shot(page, 'keyboard-and-axe');
    await context.close();
  });

  it('writes no storage before consent when privacy says so; chats from memory; after setConsent(true) the session is kept across reloads', async () => {
    const { context, page } = await newVisitor();
    // The customer's settings, as the snippet sets them, with privacy.requireConsent.
    await context.addInitScript(() => {
      let settings: unknown;
      Object.defineProperty(window, 'SupportChatSettings', {
        configurable: true,
        get: () => settings,
        set: (value: object) => (settings = { ...value, privacy: { requireConsent: true } }),
      });
    });
    await openDemo(page);
    const id = await startConversation(page, 'Consent test');
    await agentReply(id, 'Answered without storage');
    await chatFrame(page).locator('[data-testid=message]', { hasText: 'Answered without storage' }).waitFor();
    const nothing = { local: [], session: [], cookie: '', indexedDB: [], caches: [] };
    expect(await storedIn(widgetDocument(page))).toEqual(nothing);
    expect(await storedIn(page)).toEqual(nothing);
    await shot(page, 'chats-before-consent-nothing-stored');

    await page.evaluate(() => (window as any).supportChat.setConsent(true));
    const stored = await storedIn(widgetDocument(page));
    expect(stored.local).toEqual([expect.stringMatching(/:session$/)]);
    expect(stored.session.length + stored.cookie.length + stored.indexedDB.length + stored.caches.length).toBe(0);
    expect(await storedIn(page)).toEqual(nothing);

    // The next page knows the consent from the site's consent manager and says so before the loader runs.
    await context.addInitScript(() => {
      const queue = ((window as any).SupportChat = (window as any).SupportChat || ((...args: unknown[]) => (queue.q = queue.q || []).push(args)));
      queue('setConsent', true);
    });
    await page.reload();
    const frame = chatFrame(page);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    await frame.locator('[data-testid=conversations]', { hasText: 'Answered without storage' }).waitFor();
    await shot(page, 'consent-given-session-resumed');
    await context.close();
  });

  it('follows the visual viewport on a phone when the keyboard opens, and gives the page back its clicks when closed', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    await watchCsp(context);
    const page = await context.newPage();
    await openDemo(page);
    const frame = chatFrame(page);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    await frame.getByRole('searchbox', { name: 'Search the help center' }).waitFor();
    const iframeBox = () => page.locator('iframe[data-support-chat]').boundingBox();
    const visual = () => page.evaluate(() => ({ height: Math.round(visualViewport!.height), top: Math.round(visualViewport!.offsetTop) }));
    expect(await iframeBox()).toEqual({ x: 0, y: 0, width: 360, height: 740 });
    await tap(frame.getByRole('button', { name: 'Send us a message' }));
    await frame.getByLabel('Message').focus();
    // An on-screen keyboard shrinks the visual viewport, not the layout one. Headless Chromium has no keyboard:
    // the page scale factor makes the visual viewport 370 px tall, which fires the same visualViewport resize.
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 2 });
    await page.waitForFunction(() => Math.round(visualViewport!.height) === 370);
    await page.waitForFunction(() => (document.querySelector('iframe[data-support-chat]') as HTMLElement).style.height === '370px');
    const vv = await visual();
    const style = await page.evaluate(() => {
      const el = document.querySelector('iframe[data-support-chat]') as HTMLElement;
      return { height: el.style.height, top: el.style.top };
    });
    expect(style).toEqual({ height: `${vv.height}px`, top: `${vv.top}px` });
    // The composer is still inside what the visitor sees.
    const composer = await frame.getByLabel('Message').boundingBox();
    expect(composer!.y + composer!.height).toBeLessThanOrEqual(vv.top + vv.height + 1);
    await shot(page, 'phone-keyboard-open-visual-viewport');
    await cdp.send('Emulation.setPageScaleFactor', { pageScaleFactor: 1 });
    await page.waitForFunction(() => (document.querySelector('iframe[data-support-chat]') as HTMLElement).style.height === '740px');
    await tap(frame.getByRole('button', { name: 'Close chat' }));
    const closed = await iframeBox();
    expect(closed!.width).toBeLessThanOrEqual(96);
    // Beside the launcher, a click reaches the page.
    expect(await page.evaluate(() => document.elementFromPoint(180, 300)?.closest('iframe') ?? null)).toBeNull();
    expect(await cspViolations(page)).toEqual([]);
    await context.close();
  });

  it('shows the same badge count in two tabs of the same visitor', async () => {
    const { context, page } = await newVisitor();
    await openDemo(page);
    const id = await startConversation(page, 'Two tabs');
    await tap(chatFrame(page).getByRole('button', { name: 'Close chat' }));
    const second = await context.newPage();
    await openDemo(second);
    await second.waitForFunction(isConnected);
    await agentReply(id, 'Seen in both tabs');
    await agentReply(id, 'And again');
    for (const tab of [page, second]) await chatFrame(tab).locator('[data-testid=badge]', { hasText: '2' }).waitFor();
    await shot(page, 'two-tabs-first');
    await shot(second, 'two-tabs-second');
    await context.close();
  });

  it('still chats when the frame storage is blocked, and says so with an error event', async () => {
    const { context, page } = await newVisitor();
    await context.addInitScript(() => {
      if (!location.pathname.startsWith('/widget/v1/frame')) return;
      Object.defineProperty(window, 'localStorage', {
        get() {
          throw new DOMException('Storage is blocked in this context', 'SecurityError');
        },
      });
    });
    await openDemo(page);
    const error = await waitForEvent(page, 'error');
    expect(error.code).toBe('storage_unavailable');
    const id = await startConversation(page, 'Storage blocked hello');
    await chatFrame(page).getByTestId('banner').getByText(/blocks storage/).waitFor();
    await agentReply(id, 'Still here without storage');
    await chatFrame(page).locator('[data-testid=message]', { hasText: 'Still here without storage' }).waitFor();
    await shot(page, 'storage-blocked-still-chats');
    expect((await demoEvents(page)).some((e) => e.type === 'message:received')).toBe(true);
    await context.close();
  });
});
