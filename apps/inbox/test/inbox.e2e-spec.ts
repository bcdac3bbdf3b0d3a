import {
  addOperator,
  artifactPath,
  createTestWidget,
  launchChromium,
  nextEvent,
  openSocket,
  signIdentity,
  startAnonymous,
  testStack,
  TestOperator,
  TestWidget,
} from '@widget/testing';
import { source as axeSource } from 'axe-core';
import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { Socket } from 'socket.io-client';
import { newInboxPage, signInToInbox, storedToken } from './inbox-helpers';

const stack = testStack();

/** The trust marker beside a row of the details pane ('verified', 'unverified'), or null when it has none. */
async function markOf(details: Locator, label: string): Promise<string | null> {
  const row = details.locator('dl > div').filter({ has: details.page().locator('dt', { hasText: new RegExp(`^${label}$`) }) });
  const mark = row.locator('.mark');
  return (await mark.count()) ? mark.textContent() : null;
}

/**
 * The operator's inbox in Chromium against the real stack: a visitor (Widget
 * API and a socket from the test) writes, the agent (an account with the
 * agent role, signed in with its email and password) answers from the page.
 * Signing in and out, workspaces and SSO: inbox-signin.e2e-spec.ts.
 */
describe('inbox page (/inbox/) in Chromium', () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let widget: TestWidget;
  let agent: TestOperator;
  let visitor: { token: string; sessionId: string };
  let visitorSocket: Socket;
  let conversationId: string;
  const cspViolations: string[] = [];
  const idempotencyKeys: string[] = [];
  /** Bodies of the page's replies and typing calls: an operator's carry no author. */
  const bodies: Array<Record<string, unknown>> = [];

  const say = async (text: string) => {
    const res = await widget.api.post(`/conversations/${conversationId}/messages`, { text, clientMessageId: randomUUID() }, { token: visitor.token });
    expect(res.status).toBe(201);
    return res.body;
  };
  const rows = () => page.locator('.conversations > li');
  const thread = () => page.locator('.messages .message');
  const feed = () => page.locator('.feed');

  beforeAll(async () => {
    // Identify without a JWT allowed, so an unverified claim can be shown beside a verified one.
    widget = await createTestWidget(stack, { identity: { jwtRequiredForIdentifiedUsers: false } });
    agent = await addOperator(stack, stack.adminKey, widget.workspaceId, 'agent');
    browser = await launchChromium();
    ({ context, page } = await newInboxPage(browser, cspViolations));
    page.on('request', (request) => {
      if (request.method() === 'POST' && /\/admin\/v1\/conversations\/[^/]+\/messages$/.test(request.url())) {
        idempotencyKeys.push(request.headers()['idempotency-key'] ?? '(none)');
      }
      if (request.method() === 'POST' && /\/admin\/v1\/conversations\/[^/]+\/(messages|typing)$/.test(request.url())) bodies.push(request.postDataJSON());
    });

    // An older conversation, so "at the top" means something.
    const earlier = await startAnonymous(widget);
    await widget.api.post('/conversations', { subject: 'Older question', message: 'hi from before', clientMessageId: randomUUID() }, { token: earlier.token });
  });

  afterAll(async () => {
    visitorSocket?.close();
    await browser?.close();
  });

  it('serves the page under a strict CSP, with content-hashed assets', async () => {
    const res = await fetch(`${stack.baseUrl}/inbox/`);
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    const html = await res.text();
    const script = /src="\.\/(main\.[0-9a-f]{12}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${stack.baseUrl}/inbox/${script}`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    const missing = await fetch(`${stack.baseUrl}/inbox/nope.js`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('not_found');
    expect((await fetch(`${stack.baseUrl}/inbox`, { redirect: 'manual' })).headers.get('location')).toBe('/inbox/');
  });

  it("signs in with the agent's account and keeps only its token, in sessionStorage", async () => {
    await signInToInbox(page, `${stack.baseUrl}/inbox/`, agent);
    await rows().filter({ hasText: 'Older question' }).waitFor();
    expect(page.url()).toBe(`${stack.baseUrl}/inbox/`);
    await page.locator('.topbar .agent', { hasText: `Signed in as ${agent.name}` }).waitFor();
    const token = await storedToken(page);
    expect(token).toMatch(/^opt_/);
    const stored = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: JSON.stringify(localStorage), html: document.documentElement.outerHTML }));
    expect(stored.session).not.toContain(agent.password);
    expect(stored.session).not.toContain(stack.adminKey);
    for (const secret of [token!, agent.password]) {
      expect(stored.local).not.toContain(secret);
      expect(stored.html).not.toContain(secret);
    }
  });

  it('shows a new conversation at the top, live and unread, with the visitor profile', async () => {
    const anonymous = await startAnonymous(widget);
    const jwt = await signIdentity(widget, { sub: 'cust-7', name: 'Ada Lovelace', email: 'ada@example.com', company_id: 'analytical' });
    const identified = await widget.api.post('/sessions/identify', { token: jwt }, { token: anonymous.token });
    visitor = { token: identified.body.token, sessionId: identified.body.session.id };
    const rt = await widget.api.post('/sessions/realtime-token', undefined, { token: visitor.token });
    visitorSocket = await openSocket(stack.baseUrl, { token: rt.body.token });

    const created = await widget.api.post(
      '/conversations',
      {
        subject: 'Where is my order?',
        message: 'I ordered a difference engine last week.',
        clientMessageId: randomUUID(),
        tags: ['shipping', 'vip'],
        customFields: { orderId: 'A-1842' },
        metadata: { page: '/orders/A-1842' },
      },
      { token: visitor.token },
    );
    conversationId = created.body.id;

    const top = rows().first();
    await top.filter({ hasText: 'Where is my order?' }).waitFor();
    await top.locator('.conversation.unread').waitFor();
    expect(await top.textContent()).toContain('unread');

    await top.getByRole('button').click();
    await thread().filter({ hasText: 'difference engine' }).waitFor();
    const details = page.locator('aside.details');
    await details.getByText('Ada Lovelace').waitFor();
    for (const text of ['ada@example.com', 'cust-7', 'analytical', 'shipping', 'vip', 'orderId', 'A-1842', '/orders/A-1842']) {
      await details.getByText(text, { exact: true }).first().waitFor();
    }
    // A JWT proved the user id; the rest the visitor's browser could have set (PATCH /sessions/current).
    expect(await details.locator('.identity').textContent()).toBe('verified by your site');
    expect(await markOf(details, 'User id')).toBe('verified');
    expect(await markOf(details, 'Name')).toBe('unverified');
    await page.screenshot({ path: artifactPath('inbox-verified-1280.png') });
    await page.locator('.conversation.unread', { hasText: 'Where is my order?' }).waitFor({ state: 'detached' });
  });

  it('sends the reply on Enter, once, with an Idempotency-Key; typing goes both ways', async () => {
    const agentTyping = nextEvent(visitorSocket, 'typing.start', (e: any) => e.payload.conversationId === conversationId);
    const received = nextEvent(visitorSocket, 'message.created', (e: any) => e.payload.message.author.type === 'agent');
    const reply = page.getByLabel(/Reply to the visitor/);
    await reply.pressSequentially('It left the workshop yesterday.');
    expect((await agentTyping).payload.author).toMatchObject({ type: 'agent', id: agent.id, name: agent.name });
    await reply.press('Enter');
    const message = (await received).payload.message;
    expect(message).toMatchObject({ text: 'It left the workshop yesterday.', author: { type: 'agent', id: agent.id, name: agent.name } });
    // Shown at once as a pending copy; the visitor's socket hearing the message says nothing of the page, so its
    // pending copy is waited for until the stored one (the POST's answer or the page's feed) has settled it.
    await thread().filter({ hasText: 'It left the workshop yesterday.' }).waitFor();
    await page.locator('.message.pending').waitFor({ state: 'detached' });
    expect(await reply.inputValue()).toBe('');
    expect(idempotencyKeys).toHaveLength(1);
    expect(idempotencyKeys[0]).toMatch(/^[0-9a-f-]{36}$/);
    // The reply's clientMessageId is its Idempotency-Key, stored and sent back on the message (issue 21): the page settles its pending copy by it.
    expect(message.clientMessageId).toBe(idempotencyKeys[0]);
    expect(await thread().filter({ hasText: 'It left the workshop yesterday.' }).count()).toBe(1);
    expect(await page.locator('.message.pending').count()).toBe(0);
    // Authored by the account (SPEC §14): the page names no author.
    expect(bodies.length).toBeGreaterThanOrEqual(2);
    expect(bodies.filter((b) => 'author' in b)).toEqual([]);

    visitorSocket.emit('typing', { conversationId, typing: true });
    await page.getByText('The visitor is typing…').waitFor();
    visitorSocket.emit('typing', { conversationId, typing: false });
    await page.getByText('The visitor is typing…').waitFor({ state: 'detached' });
  });

  it('misses nothing and doubles nothing while its socket is down', async () => {
    await context.setOffline(true);
    await feed().filter({ hasText: 'Reconnecting' }).waitFor();
    await say('first while you were away');
    await say('second while you were away');
    await context.setOffline(false);
    await feed().filter({ hasText: 'Live' }).waitFor();
    await thread().filter({ hasText: 'first while you were away' }).waitFor();
    await thread().filter({ hasText: 'second while you were away' }).waitFor();
    // A later live message has come through the same socket: the replay is over by then.
    await say('and one more, live');
    await thread().filter({ hasText: 'and one more, live' }).waitFor();
    expect(await thread().filter({ hasText: 'first while you were away' }).count()).toBe(1);
    expect(await thread().filter({ hasText: 'second while you were away' }).count()).toBe(1);
    expect(await thread().count()).toBe(5);
  });

  it('assigns to the agent and resolves by shortcut; the visitor sees both', async () => {
    const assigned = nextEvent(visitorSocket, 'conversation.updated', (e: any) => e.payload.conversation.assignee?.name === agent.name);
    await page.getByRole('button', { name: 'Assign to me' }).click();
    await page.locator('.assignee', { hasText: `Assigned to ${agent.name}` }).waitFor();
    expect((await assigned).payload.conversation.id).toBe(conversationId);

    const resolved = nextEvent(visitorSocket, 'conversation.updated', (e: any) => e.payload.conversation.status === 'resolved');
    await page.locator('.messages').focus();
    await page.keyboard.press('e');
    await (await resolved);
    await page.waitForFunction(() => document.querySelector<HTMLSelectElement>('.thread-head select')?.value === 'resolved');
    const seenByVisitor = await widget.api.get(`/conversations/${conversationId}`, { token: visitor.token });
    expect(seenByVisitor.body).toMatchObject({ status: 'resolved', assignee: { name: agent.name } });

    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await rows().filter({ hasText: 'Where is my order?' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Resolved', exact: true }).click();
    await rows().filter({ hasText: 'Where is my order?' }).waitFor();
    await page.getByRole('button', { name: 'All', exact: true }).click();
  });

  it('pages back in time and moves between conversations by keyboard', async () => {
    const other = await startAnonymous(widget);
    const conv = (await widget.api.post('/conversations', { subject: 'Long thread', message: 'message 0', clientMessageId: randomUUID() }, { token: other.token })).body;
    for (let i = 1; i <= 34; i++) {
      await widget.api.post(`/conversations/${conv.id}/messages`, { text: `message ${i}`, clientMessageId: randomUUID() }, { token: other.token });
    }
    // The row shows the newest message once the page's feed has brought it: the feed's older messages of this
    // thread are in by then (in order on one socket), so none arrives after the thread opens to add a 31st.
    await rows().first().filter({ hasText: 'Long thread' }).filter({ hasText: 'message 34' }).waitFor();
    await page.locator('.messages').focus();
    await page.keyboard.press('k');
    await page.locator('.thread-head h2', { hasText: 'Long thread' }).waitFor();
    await thread().filter({ hasText: 'message 34' }).waitFor();
    expect(await thread().count()).toBe(30);
    await page.getByRole('button', { name: 'Load earlier messages' }).click();
    await thread().filter({ hasText: /message 0$/ }).waitFor();
    expect(await thread().count()).toBe(35);
    await page.getByRole('button', { name: 'Load earlier messages' }).waitFor({ state: 'detached' });

    await page.keyboard.press('j');
    await page.locator('.thread-head h2', { hasText: 'Where is my order?' }).waitFor();
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply');
    await page.keyboard.press('Escape');
    await page.getByRole('heading', { name: 'Keyboard shortcuts' }).waitFor();
  });

  it('marks what the visitor asserted (an unverified identify claims a verified id) and isolates what they wrote', async () => {
    const details = page.locator('aside.details');
    const claimant = await startAnonymous(widget);
    const claimed = await widget.api.post('/sessions/identify', { user: { id: 'cust-7', name: 'Ada Lovelace', email: 'ada@example.com' } }, { token: claimant.token });
    expect(claimed.body.session.user).toMatchObject({ externalId: 'cust-7', verified: false });
    await widget.api.post('/conversations', { subject: 'Refund for cust-7', message: 'It is me, Ada.', clientMessageId: randomUUID() }, { token: claimed.body.token });
    await rows().first().filter({ hasText: 'Refund for cust-7' }).getByRole('button').click();
    await page.locator('.thread-head h2', { hasText: 'Refund for cust-7' }).waitFor();
    await details.getByText('unverified claim', { exact: true }).waitFor();
    expect(await markOf(details, 'User id')).toBe('unverified');
    expect(await markOf(details, 'Name')).toBe('unverified');
    expect(await markOf(details, 'Email')).toBe('unverified');
    await page.screenshot({ path: artifactPath('inbox-unverified-claim-1280.png') });

    // An anonymous visitor: a name with a right-to-left override (it reads "verified" backwards), a zero-width
    // space, tags that look like the team's, one of 64 characters without a break.
    const spoofer = await startAnonymous(widget);
    const name = '\u202Edeifirev\u200B Mallory';
    const longTag = `t${'0123456789abcdef'.repeat(4)}`.slice(0, 64);
    expect((await widget.api.patch('/sessions/current', { user: { name, email: 'mallory@example.com' } }, { token: spoofer.token })).status).toBe(200);
    await widget.api.post(
      '/conversations',
      {
        subject: '\u202Etnegru\u200B Order 77',
        message: '\u202Eplease refund\u200B me',
        clientMessageId: randomUUID(),
        tags: ['verified-customer', longTag],
        customFields: { '\u202Eplan': 'enterprise' },
      },
      { token: spoofer.token },
    );
    await rows().first().filter({ hasText: 'Order 77' }).getByRole('button').click();
    await details.getByText('mallory@example.com').waitFor();
    expect(await details.locator('.identity').textContent()).toBe('anonymous');
    expect(await markOf(details, 'Name')).toBe('unverified');
    expect(await markOf(details, 'Email')).toBe('unverified');
    for (const heading of ['Tags', 'Custom fields', 'Metadata']) {
      expect(await details.getByRole('heading', { name: heading }).textContent()).toBe(`${heading} visitor-set`);
    }
    await details.locator('.tags li', { hasText: longTag }).waitFor();

    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: width === 360 ? 740 : 860 });
      const layout = await page.evaluate(() => {
        const pane = document.querySelector('aside.details')!;
        const edge = pane.getBoundingClientRect();
        const written = [...document.querySelectorAll('.said, .tags li, .thread-head h2, .messages .text, .conversation .title')];
        const nameRow = [...pane.querySelectorAll('dl div')].find((row) => row.querySelector('dt')?.textContent === 'Name')!;
        return {
          notIsolated: written.filter((el) => el.getAttribute('dir') !== 'auto' || getComputedStyle(el).unicodeBidi !== 'isolate').map((el) => el.outerHTML.slice(0, 80)),
          written: written.length,
          wider: [...pane.querySelectorAll('*')].filter((el) => el.getBoundingClientRect().right > edge.right + 0.5).map((el) => el.outerHTML.slice(0, 80)),
          paneScrolls: pane.scrollWidth > pane.clientWidth,
          pageScrolls: document.documentElement.scrollWidth > window.innerWidth,
          // The override stays inside the name: the marker still follows it (on its line, or on the next).
          markAfterName: ((name: DOMRect, mark: DOMRect) => mark.top >= name.bottom - 1 || (mark.top < name.bottom && mark.left >= name.right))(
            nameRow.querySelector('.said')!.getBoundingClientRect(),
            nameRow.querySelector('.mark')!.getBoundingClientRect(),
          ),
        };
      });
      expect(layout).toEqual({ notIsolated: [], written: expect.any(Number), wider: [], paneScrolls: false, pageScrolls: false, markAfterName: true });
      expect(layout.written).toBeGreaterThanOrEqual(8);
      await page.screenshot({ path: artifactPath(`inbox-visitor-claims-${width}.png`) });
    }
    // At 360 px the details scroll within their band: the tags, the long one wrapped.
    await details.locator('.tags').scrollIntoViewIfNeeded();
    await page.screenshot({ path: artifactPath('inbox-visitor-claims-360-tags.png') });
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('has no serious or critical axe violation, and no CSP violation, at 1280 and 768 px', async () => {
    for (const width of [1280, 768]) {
      await page.setViewportSize({ width, height: width === 768 ? 1024 : 860 });
      await page.screenshot({ path: artifactPath(`inbox-${width}.png`) });
      const violations = await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`);
      expect((violations as Array<{ impact: string }>).filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);
    }
    expect(cspViolations).toEqual([]);
  });

  it('works on a 360 px phone: one pane at a time, a way back, nothing wider than the screen, no axe violation', async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    // A conversation is open from the tests above: the thread fills the screen, the list waits behind "back".
    const back = page.getByRole('button', { name: '‹ All conversations' });
    await back.waitFor();
    expect(await page.locator('nav.list').isVisible()).toBe(false);
    expect(await page.locator('main.thread').isVisible()).toBe(true);
    expect(await page.getByLabel(/Reply to the visitor/).isVisible()).toBe(true);
    expect(await overflow()).toBe(false);
    await page.screenshot({ path: artifactPath('inbox-360-thread.png') });
    const axeAt360 = async () =>
      ((await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact })))`)) as Array<{ impact: string }>).filter(
        (v) => v.impact === 'serious' || v.impact === 'critical',
      );
    expect(await axeAt360()).toEqual([]);
    await back.click();
    await page.locator('nav.list').waitFor();
    expect(await page.locator('main.thread').isVisible()).toBe(false);
    expect(await overflow()).toBe(false);
    await page.screenshot({ path: artifactPath('inbox-360-list.png') });
    expect(await axeAt360()).toEqual([]);
    // Opening one again shows it.
    await page.locator('.conversations button.conversation').first().click();
    await back.waitFor();
    expect(cspViolations).toEqual([]);
  });
});
