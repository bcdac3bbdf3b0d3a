import { addOperator, Api, artifactPath, createTestWidget, launchChromium, startAnonymous, testStack, TestOperator, TestWidget } from '@widget/testing';
import { source as axeSource } from 'axe-core';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { newInboxPage, signInToInbox, storedToken } from './inbox-helpers';

const stack = testStack();

/**
 * Signing in to the inbox with an account (SPEC §14, "The inbox"): the form
 * (labelled, errors in an alert, keyboard alone, a 360 px phone, the strict
 * CSP), one workspace's conversations and nobody else's, the agent's name in
 * the header, signing out (the token revoked), a revoked token back at the
 * form, and single sign-on's return (the token in the fragment, taken out of
 * the address bar) with a workspace to choose.
 */
describe('signing in to the inbox (/inbox/) in Chromium', () => {
  const admin = new Api(`${stack.baseUrl}/admin/v1`);
  const inboxUrl = `${stack.baseUrl}/inbox/`;
  let browser: Browser;
  let page: Page;
  let a: TestWidget;
  let b: TestWidget;
  let agentA: TestOperator;
  const cspViolations: string[] = [];

  const rows = () => page.locator('.conversations > li');
  const alert = () => page.getByRole('alert');
  const focused = () => page.evaluate(() => document.activeElement?.id ?? null);
  const seriousAxe = async () =>
    ((await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`)) as Array<{ impact: string }>).filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
  const startConversationIn = async (widget: TestWidget, subject: string) => {
    const visitor = await startAnonymous(widget);
    const res = await widget.api.post('/conversations', { subject, message: `hello, ${subject}`, clientMessageId: randomUUID() }, { token: visitor.token });
    expect(res.status).toBe(201);
  };
  const tokenWorks = async (token: string) => (await admin.get('/me', { token })).status;

  beforeAll(async () => {
    [a, b] = await Promise.all([createTestWidget(stack), createTestWidget(stack)]);
    agentA = await addOperator(stack, stack.adminKey, a.workspaceId, 'agent');
    await Promise.all([startConversationIn(a, 'Question in A'), startConversationIn(b, 'Question in B')]);
    browser = await launchChromium();
    ({ page } = await newInboxPage(browser, cspViolations));
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('shows the form: labelled fields, no SSO button when the server offers none, nothing wider than a 360 px phone, no axe violation', async () => {
    await page.goto(inboxUrl);
    await page.getByLabel('Email').waitFor();
    await page.getByLabel('Password').waitFor();
    expect(await page.getByLabel('Password').getAttribute('type')).toBe('password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in with SSO' }).count()).toBe(0);
    // Neither the root key nor a typed name any more.
    expect(await page.getByLabel(/API key|Workspace id|Your name/).count()).toBe(0);
    await page.screenshot({ path: artifactPath('inbox-signin-1280.png') });
    expect(await seriousAxe()).toEqual([]);

    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
    const box = await page.getByLabel('Email').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(360);
    await page.screenshot({ path: artifactPath('inbox-signin-360.png') });
    expect(await seriousAxe()).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it('says an empty field or a wrong password in an alert, and works by keyboard alone', async () => {
    await page.goto(inboxUrl);
    // The email field has the focus from the start.
    await page.getByLabel('Email').waitFor();
    expect(await focused()).toBe('email');
    await page.keyboard.press('Enter');
    expect(await alert().textContent()).toBe('Enter your email address.');
    expect(await focused()).toBe('email');

    await page.keyboard.type(agentA.email);
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('password');
    await page.keyboard.type('not-the-password');
    await page.keyboard.press('Enter');
    await alert().filter({ hasText: 'Wrong email or password.' }).waitFor();
    // The password is selected for another try; the field says it is wrong.
    expect(await focused()).toBe('password');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    expect(await storedToken(page)).toBeNull();
    await page.screenshot({ path: artifactPath('inbox-signin-wrong-password-1280.png') });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
    await page.screenshot({ path: artifactPath('inbox-signin-wrong-password-360.png') });
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.keyboard.type(agentA.password);
    await page.keyboard.press('Enter');
    await page.locator('.feed').filter({ hasText: 'Live' }).waitFor();
  });

  it("signed in as an agent of workspace A: A's conversations and none of B's, the agent's name in the header", async () => {
    await rows().filter({ hasText: 'Question in A' }).waitFor();
    await page.locator('.topbar .agent').filter({ hasText: `Signed in as ${agentA.name}` }).waitFor();
    expect(await page.locator('.topbar .workspace').textContent()).toBe(a.workspaceId);
    expect(await page.getByRole('button', { name: 'Switch workspace' }).count()).toBe(0);
    // Live too: a new conversation in each workspace, only A's shows.
    await startConversationIn(b, 'Another in B');
    await startConversationIn(a, 'Another in A');
    await rows().first().filter({ hasText: 'Another in A' }).waitFor();
    expect(await rows().filter({ hasText: /in B/ }).count()).toBe(0);
    expect(await rows().count()).toBe(2);
    await page.screenshot({ path: artifactPath('inbox-signed-in-1280.png') });
    expect(await seriousAxe()).toEqual([]);
  });

  it('a revoked token brings the form back, saying so', async () => {
    const token = (await storedToken(page))!;
    expect((await admin.post('/auth/logout', undefined, { token })).status).toBe(204);
    // The next call is refused: a filter's list, unless one of the page's own calls comes first (the members list
    // is asked again every 20 s, the counts 400 ms after feed events); either brings the form back, saying so.
    const said = alert().filter({ hasText: 'Your sign-in has expired or was revoked.' });
    await Promise.race([page.getByRole('button', { name: 'Open', exact: true }).click(), said.waitFor()]);
    await said.waitFor();
    await page.getByLabel('Email').waitFor();
    expect(await storedToken(page)).toBeNull();
  });

  it('signs out: POST /auth/logout, the form again, and the token no longer works', async () => {
    await signInToInbox(page, inboxUrl, agentA);
    const token = (await storedToken(page))!;
    expect(await tokenWorks(token)).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('status').filter({ hasText: 'You have signed out.' }).waitFor();
    await page.getByLabel('Email').waitFor();
    expect(await storedToken(page)).toBeNull();
    expect(await page.evaluate(() => JSON.stringify(sessionStorage))).not.toContain(token);
    expect(await tokenWorks(token)).toBe(401);
    // A reload stays signed out.
    await page.reload();
    await page.getByLabel('Email').waitFor();
  });

  it('single sign-on: the button goes to the start URL; the token comes back in the fragment, leaves the address bar, and a workspace is chosen', async () => {
    // One person in both workspaces: an agent in A, then invited into B (accepting proves the same password).
    const both = await addOperator(stack, stack.adminKey, a.workspaceId, 'agent');
    const invited = await admin.post(`/workspaces/${b.workspaceId}/members`, { email: both.email, name: both.name, role: 'admin' }, { token: stack.adminKey });
    expect(invited.status).toBe(201);
    expect((await admin.post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: both.password })).status).toBe(200);
    const login = (await admin.post('/auth/login', { email: both.email, password: both.password })).body;

    // The provider's round trip is the SSO spec's; here the gateway says SSO is on and the start answers as the callback would.
    let startUrl: string | null = null;
    await page.route('**/admin/v1/auth/options', (route) => route.fulfill({ json: { sso: true } }));
    await page.route('**/admin/v1/auth/oidc/start**', (route) => {
      startUrl = route.request().url();
      const fragment = new URLSearchParams({ operator_token: login.token, expires_at: login.expiresAt });
      return route.fulfill({ status: 302, headers: { location: `/inbox/#${fragment}` } });
    });
    try {
      await page.goto(inboxUrl);
      await page.getByRole('button', { name: 'Sign in with SSO' }).waitFor();
      await page.screenshot({ path: artifactPath('inbox-signin-sso-1280.png') });
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
      await page.getByRole('heading', { name: 'Choose a workspace' }).waitFor();
      expect(new URL(startUrl!).searchParams.get('returnTo')).toBe('/inbox/');
      expect(page.url()).toBe(inboxUrl);
      expect(await storedToken(page)).toBe(login.token);
      expect(await page.evaluate(() => document.documentElement.outerHTML)).not.toContain(login.token);
      await page.getByRole('button', { name: `${a.workspaceId} agent` }).waitFor();
      const inB = page.getByRole('button', { name: `${b.workspaceId} admin` });
      await page.setViewportSize({ width: 360, height: 740 });
      await page.screenshot({ path: artifactPath('inbox-workspace-picker-360.png') });
      expect(await seriousAxe()).toEqual([]);
      await page.setViewportSize({ width: 1280, height: 860 });

      await inB.focus();
      await page.keyboard.press('Enter');
      await rows().filter({ hasText: 'Question in B' }).waitFor();
      expect(await rows().filter({ hasText: /in A/ }).count()).toBe(0);
      await page.locator('.topbar .agent').filter({ hasText: `Signed in as ${both.name}` }).waitFor();
      expect(await page.locator('.topbar .workspace').textContent()).toBe(b.workspaceId);

      await page.getByRole('button', { name: 'Switch workspace' }).click();
      await page.getByRole('button', { name: `${a.workspaceId} agent` }).click();
      await rows().filter({ hasText: 'Question in A' }).waitFor();
      expect(await rows().filter({ hasText: /in B/ }).count()).toBe(0);
      expect(cspViolations).toEqual([]);
    } finally {
      await page.unroute('**/admin/v1/auth/options');
      await page.unroute('**/admin/v1/auth/oidc/start**');
    }
  });
});
