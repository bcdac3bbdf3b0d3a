import '../../widget/test/dispose-polyfill';
import { addOperator, Api, artifactPath, createTestWidget, testStack, TestOperator } from '@widget/testing';
import { source as axeSource } from 'axe-core';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { chatFrame, DemoStack, launchBrowser, startDemoStack, tap, waitForEvent } from '../../widget/test/harness';
import { signInToInbox } from './inbox-helpers';

jest.setTimeout(180_000);

/** Every `new Notification(…)` of the page, recorded before the real one is made (issue 21's desktop notifications). */
function recordNotifications(): void {
  const w = window as unknown as { Notification: unknown; shownNotifications: { title: string; body?: string }[] };
  const Real = window.Notification;
  w.shownNotifications = [];
  function Spy(title: string, options?: NotificationOptions) {
    w.shownNotifications.push({ title, body: options?.body });
    try {
      return new Real(title, options);
    } catch {
      return { close() {}, onclick: null };
    }
  }
  Spy.requestPermission = (...args: Parameters<typeof Notification.requestPermission>) => Real.requestPermission(...args);
  Object.defineProperty(Spy, 'permission', { get: () => Real.permission });
  w.Notification = Spy;
}

/** Keyboard only: the focus on a control, then Enter. */
async function pressEnter(control: Locator): Promise<void> {
  await control.focus();
  await control.page().keyboard.press('Enter');
}

const shownNotifications = (page: Page) => page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body?: string }[] }).shownNotifications);

const seriousAxe = async (page: Page) =>
  ((await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`)) as Array<{ impact: string }>).filter(
    (v) => v.impact === 'serious' || v.impact === 'critical',
  );

/**
 * Issue 21, the inbox for a team, in Chromium with three people: a visitor on the demo page and two agents of
 * its workspace signed in (then an owner, and an agent of another workspace). Routing gives the conversation to
 * the agent who is there; notes, canned replies, notifications, views, "seen", settings, keyboard, 360 px, axe.
 */
describe('the inbox for a team (issue 21) in Chromium', () => {
  const stack = testStack();
  const admin = new Api(`${stack.baseUrl}/admin/v1`);
  let browser: Browser;
  let demo: DemoStack;
  let inboxUrl: string;
  let ws: string;
  let alex: TestOperator;
  let blake: TestOperator;
  let owner: TestOperator;
  const contexts: BrowserContext[] = [];
  let a: Page;
  let b: Page;
  let site: Page;
  const visitorFrames: string[] = [];
  const NOTE = 'Internal: a VIP customer, refund without asking';
  const CANNED = 'Orders ship within 2 business days; here is your tracking link.';
  let step = 0;
  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(`inbox-team-${String(++step).padStart(2, '0')}-${name}.png`) });

  async function agentContext(): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    context.setDefaultTimeout(15_000);
    await context.grantPermissions(['notifications'], { origin: new URL(inboxUrl).origin });
    await context.addInitScript(recordNotifications);
    contexts.push(context);
    return context.newPage();
  }

  async function presenceOf(operator: TestOperator): Promise<string | undefined> {
    const res = await admin.get(`/workspaces/${ws}/members`, { token: owner.token });
    return res.body.data.find((m: { id: string }) => m.id === operator.id)?.presence;
  }

  async function waitPresence(operator: TestOperator, presence: string): Promise<void> {
    for (let i = 0; i < 200 && (await presenceOf(operator)) !== presence; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await presenceOf(operator)).toBe(presence);
  }

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchBrowser(), startDemoStack(stack, 'inbox-team-spec')]);
    inboxUrl = new URL('/inbox/', demo.demoUrl).toString();
    ws = demo.widget.workspaceId;
    owner = await addOperator(stack, stack.adminKey, ws, 'owner');
    [alex, blake] = await Promise.all([addOperator(stack, owner.token, ws, 'agent'), addOperator(stack, owner.token, ws, 'agent')]);
    const team = await admin.post(`/workspaces/${ws}/teams`, { name: 'Support', memberIds: [alex.id, blake.id] }, { token: owner.token });
    expect(team.status).toBe(201);
    expect((await admin.patch(`/widgets/${demo.widget.widgetId}`, { routing: { defaultTeamId: team.body.id, assignmentStrategy: 'round_robin' } }, { token: owner.token })).status).toBe(200);
    expect((await admin.post(`/workspaces/${ws}/canned-replies`, { shortcut: 'shipping', text: CANNED }, { token: owner.token })).status).toBe(201);
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await demo?.stop();
  });

  it('both agents sign in and show their name and avatar; one goes away by keyboard; routing gives the visitor to the one who is there', async () => {
    a = await agentContext();
    b = await agentContext();
    await signInToInbox(a, inboxUrl, alex);
    await signInToInbox(b, inboxUrl, blake);
    await a.locator('.me-name', { hasText: alex.name }).waitFor();
    await a.locator('.me .avatar').waitFor();
    // An agent sees no settings.
    expect(await a.getByRole('button', { name: 'Settings' }).count()).toBe(0);
    await waitPresence(alex, 'online');
    await waitPresence(blake, 'online');

    // Keyboard only: Tab to the presence switch, Enter.
    await pressEnter(b.getByRole('button', { name: /^Online/ }));
    await b.getByRole('button', { name: /^Away/ }).waitFor();
    await waitPresence(blake, 'away');
    await shot(b, 'blake-away');

    const visitorContext = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    visitorContext.setDefaultTimeout(15_000);
    contexts.push(visitorContext);
    site = await visitorContext.newPage();
    site.on('websocket', (socket) => socket.on('framereceived', (frame) => visitorFrames.push(String(frame.payload))));
    await site.goto(demo.demoUrl);
    const frame = chatFrame(site);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    await tap(frame.getByRole('button', { name: 'Send us a message' }));
    await frame.getByLabel('Message').fill('Where is my order?');
    await frame.getByLabel('Message').press('Enter');
    await waitForEvent(site, 'conversation:started');
    await frame.locator('[data-testid=message]', { hasText: 'Where is my order?' }).waitFor();
    // The visitor leaves the panel closed while the agent works.
    await tap(frame.getByRole('button', { name: 'Close chat' }));

    const listed = await admin.get(`/workspaces/${ws}/conversations`, { token: owner.token });
    expect(listed.body.data[0].assignee).toEqual({ id: alex.id, name: alex.name });
  });

  it('the assignee is notified and counts it in the title; the other agent is not, and sees it under "All" but not "Mine"', async () => {
    await a.waitForFunction(() => (window as unknown as { shownNotifications: unknown[] }).shownNotifications.length > 0);
    expect(await shownNotifications(a)).toEqual([{ title: 'New message from a visitor', body: 'Where is my order?' }]);
    await a.waitForFunction(() => document.title === '(1) Inbox');
    await a.locator('#view-mine .count', { hasText: '1' }).waitFor();

    // Blake's list has it (so the feed delivered it there), under All; Mine is empty; no notification.
    await b.locator('.conversations > li', { hasText: 'Where is my order?' }).waitFor();
    expect(await shownNotifications(b)).toEqual([]);
    expect(await b.title()).toBe('Inbox');
    await pressEnter(b.locator('#view-mine'));
    await b.locator('.list .empty').waitFor();
    expect(await b.locator('.conversations > li', { hasText: 'Where is my order?' }).count()).toBe(0);
    await shot(b, 'blake-mine-empty');
    await pressEnter(b.locator('#view-all'));
    await b.locator('.conversations > li', { hasText: 'Where is my order?' }).waitFor();
    await shot(b, 'blake-all');
    await shot(a, 'alex-notified');
  });

  it('a note stays in the team; a canned reply goes in with "/" and the keyboard; neither the frame nor the socket ever carries the note', async () => {
    await pressEnter(a.locator('#view-mine'));
    await a.keyboard.press('j');
    await a.locator('.thread-head h2').waitFor();
    await a.waitForFunction(() => document.title === 'Inbox');

    await pressEnter(a.getByRole('button', { name: 'Note' }));
    await a.getByLabel(/Internal note/).focus();
    await a.keyboard.type(NOTE);
    await a.keyboard.press('Enter');
    await a.locator('.message.from-note', { hasText: NOTE }).waitFor();
    await shot(a, 'alex-note');

    await pressEnter(a.getByRole('button', { name: 'Reply', exact: true }));
    const reply = a.getByLabel(/Reply to the visitor/);
    await reply.focus();
    await a.keyboard.type('/ship');
    await a.getByRole('option', { name: /shipping/ }).waitFor();
    expect(await a.getByRole('option', { name: /shipping/ }).getAttribute('aria-selected')).toBe('true');
    await shot(a, 'alex-canned-list');
    expect(await seriousAxe(a)).toEqual([]);
    await a.keyboard.press('Enter');
    expect(await reply.inputValue()).toBe(CANNED);
    await a.keyboard.press('Enter');
    await a.locator('.message.from-agent', { hasText: CANNED }).waitFor();

    // The visitor opens the panel: the reply is there, the note is not; the socket carried the reply and never the note.
    const frame = chatFrame(site);
    await tap(frame.getByRole('button', { name: /open chat/i }));
    const conversationEntry = frame.getByRole('button', { name: /Where is my order\?/ });
    if (await conversationEntry.count()) await tap(conversationEntry.first());
    await frame.locator('[data-testid=message]', { hasText: CANNED }).waitFor();
    expect(await frame.locator('body', { hasText: NOTE }).count()).toBe(0);
    expect(visitorFrames.some((f) => f.includes(CANNED))).toBe(true);
    expect(visitorFrames.filter((f) => f.includes(NOTE))).toEqual([]);
    await site.screenshot({ path: artifactPath(`inbox-team-${String(++step).padStart(2, '0')}-visitor-no-note.png`) });
  });

  it('the "seen" mark shows once the visitor has the conversation open', async () => {
    await a.locator('.message.from-agent', { hasText: CANNED }).locator('.seen-mark').waitFor();
    await shot(a, 'alex-seen');
  });

  it('fits a 360 px phone, and axe finds nothing serious with the thread open', async () => {
    await a.setViewportSize({ width: 360, height: 740 });
    expect(await a.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
    await shot(a, 'alex-360');
    expect(await seriousAxe(a)).toEqual([]);
    await a.setViewportSize({ width: 1280, height: 860 });
  });

  it('an agent of another workspace sees nothing of it', async () => {
    const other = await createTestWidget(stack);
    const stranger = await addOperator(stack, stack.adminKey, other.workspaceId, 'agent');
    const page = await agentContext();
    await signInToInbox(page, inboxUrl, stranger);
    await page.locator('#view-all .count', { hasText: '0' }).waitFor();
    expect(await page.locator('.conversations > li').count()).toBe(0);
    expect(await shownNotifications(page)).toEqual([]);
    await shot(page, 'stranger-empty');
  });

  it('an owner has the settings, by keyboard: members, API keys (the secret once), canned replies, availability, webhooks', async () => {
    const page = await agentContext();
    await signInToInbox(page, inboxUrl, owner);
    await pressEnter(page.getByRole('button', { name: 'Settings' }));
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.locator('.settings-table', { hasText: alex.name }).waitFor();
    await shot(page, 'settings-members');
    expect(await seriousAxe(page)).toEqual([]);

    await pressEnter(page.getByRole('button', { name: 'API keys' }));
    await page.getByLabel('Name').fill('CRM');
    await pressEnter(page.getByRole('button', { name: 'Create key' }));
    const secret = await page.locator('.once .secret').textContent();
    expect(secret).toMatch(/^wsk_/);
    await page.locator('.settings-list', { hasText: 'CRM' }).waitFor();
    await shot(page, 'settings-key-once');
    await pressEnter(page.getByRole('button', { name: 'Done' }));
    expect(await page.locator('body', { hasText: secret! }).count()).toBe(0);

    await pressEnter(page.getByRole('button', { name: 'Canned replies' }));
    await page.locator('.settings-list', { hasText: '/shipping' }).waitFor();
    await shot(page, 'settings-canned');

    await pressEnter(page.getByRole('button', { name: 'Availability' }));
    await page.getByLabel('Time zone').fill('Europe/Paris');
    await page.getByLabel('Reply time shown to visitors').selectOption('hours');
    await pressEnter(page.getByRole('button', { name: 'Add a range' }));
    await pressEnter(page.getByRole('button', { name: 'Save availability' }));
    await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
    const widget = await admin.get(`/widgets/${demo.widget.widgetId}`, { token: owner.token });
    expect(widget.body.availability).toEqual({ timezone: 'Europe/Paris', hours: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' }], replyTime: 'hours' });
    await shot(page, 'settings-availability');
    expect(await seriousAxe(page)).toEqual([]);

    const hook = await admin.post(`/workspaces/${ws}/webhooks`, { url: 'https://hooks.example.com/support', events: ['message.created'] }, { token: owner.token });
    expect(hook.status).toBe(201);
    await pressEnter(page.getByRole('button', { name: 'Webhooks' }));
    await page.locator('.settings-list', { hasText: 'https://hooks.example.com/support' }).waitFor();
    expect(await page.locator('body', { hasText: hook.body.secret }).count()).toBe(0);
    await shot(page, 'settings-webhooks');
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
  });
});
