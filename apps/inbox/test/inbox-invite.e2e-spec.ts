import { addOperator, Api, artifactPath, createTestWidget, launchChromium, testEmail, testStack, TestOperator, TestWidget } from '@widget/testing';
import { source as axeSource } from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { newInboxPage, storedToken } from './inbox-helpers';

const stack = testStack();

/**
 * The invitation mail's link, `/inbox/#invite=<token>` (docs/email.md), in Chromium: the accept form (a name and
 * a new password for a new person, the existing password for an account that has one), the token out of the
 * address bar at once, signed in on success, the server's words for a used or unknown invitation; keyboard
 * alone, a 360 px phone, the strict CSP, no serious axe violation.
 */
describe('accepting an invitation in the inbox (/inbox/#invite=…) in Chromium', () => {
  const admin = new Api(`${stack.baseUrl}/admin/v1`);
  const inboxUrl = `${stack.baseUrl}/inbox/`;
  let browser: Browser;
  let page: Page;
  let a: TestWidget;
  let owner: TestOperator;
  const cspViolations: string[] = [];

  const alert = () => page.getByRole('alert');
  const focused = () => page.evaluate(() => document.activeElement?.id ?? null);
  const seriousAxe = async () =>
    ((await page.evaluate(`${axeSource}; axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) })))`)) as Array<{ impact: string }>).filter(
      (v) => v.impact === 'serious' || v.impact === 'critical',
    );
  const invite = async (email: string, workspaceId = a.workspaceId, token = owner.token): Promise<string> => {
    const res = await admin.post(`/workspaces/${workspaceId}/members`, { email, name: 'Invited person', role: 'agent' }, { token });
    expect(res.status).toBe(201);
    return res.body.inviteToken as string;
  };
  /** The mail's link in a fresh document (a fragment-only change would not load the page again). */
  const openLink = async (inviteToken: string) => {
    await page.goto('about:blank');
    await page.goto(`${inboxUrl}#invite=${encodeURIComponent(inviteToken)}`);
    await page.getByRole('heading', { name: 'Accept your invitation' }).waitFor();
  };

  beforeAll(async () => {
    a = await createTestWidget(stack);
    owner = await addOperator(stack, stack.adminKey, a.workspaceId, 'owner');
    browser = await launchChromium();
  });

  beforeEach(async () => {
    ({ page } = await newInboxPage(browser, cspViolations));
  });

  afterEach(async () => {
    await page?.context().close();
  });

  afterAll(async () => {
    await browser?.close();
    expect(cspViolations).toEqual([]);
  });

  it('a new person: the token leaves the address bar, a short password is refused in an alert, then by keyboard alone they land signed in; the link is used up', async () => {
    const email = testEmail('invitee');
    const inviteToken = await invite(email);
    await openLink(inviteToken);
    expect(page.url()).toBe(inboxUrl);
    expect(await page.evaluate(() => location.hash + JSON.stringify(history.state))).not.toContain(inviteToken);
    expect(await focused()).toBe('invite-name');
    await page.screenshot({ path: artifactPath('inbox-invite-1280.png') });
    expect(await seriousAxe()).toEqual([]);

    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
    await page.screenshot({ path: artifactPath('inbox-invite-360.png') });

    await page.keyboard.type('Nina Newcomer');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe('invite-password');
    await page.keyboard.type('short');
    await page.keyboard.press('Enter');
    expect(await alert().textContent()).toBe('The password needs 10 to 256 characters.');
    expect(await focused()).toBe('invite-password');
    expect(await page.getByLabel('Password').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: artifactPath('inbox-invite-short-360.png') });
    expect(await seriousAxe()).toEqual([]);

    // The text is selected after the refusal: typing replaces it.
    await page.keyboard.type('a long enough secret');
    await page.keyboard.press('Enter');
    await page.locator('.feed').filter({ hasText: 'Live' }).waitFor();
    await page.locator('.me-name', { hasText: 'Nina Newcomer' }).waitFor();
    const token = await storedToken(page);
    expect(token).toBeTruthy();
    const me = await admin.get('/me', { token: token! });
    expect(me.status).toBe(200);
    expect(me.body.operator).toMatchObject({ email, name: 'Nina Newcomer' });
    expect((await admin.post('/auth/login', { email, password: 'a long enough secret' })).status).toBe(200);
    await page.screenshot({ path: artifactPath('inbox-invite-accepted-360.png') });

    // The same link again: used, so the server's refusal in words, with a way on (this tab is still signed in: the inbox).
    await openLink(inviteToken);
    await page.getByLabel('Password').fill('a long enough secret');
    await page.getByRole('button', { name: 'Accept and sign in' }).click();
    const refused = await alert().textContent();
    expect(refused).toContain('This invitation was already used or does not exist');
    expect(refused).toContain('The token is not valid. (invalid_token, request ');
    await page.screenshot({ path: artifactPath('inbox-invite-used-360.png') });
    expect(await seriousAxe()).toEqual([]);
    await page.getByRole('button', { name: 'Continue without the invitation' }).click();
    await page.locator('.feed').filter({ hasText: 'Live' }).waitFor();
  });

  it('an unknown token says so; an account that exists proves its own password and then chooses between its workspaces', async () => {
    await openLink('inv_notarealtoken');
    await page.getByLabel('Password').fill('whatever it is, long');
    await page.getByLabel('Password').press('Enter');
    expect(await alert().textContent()).toContain('This invitation was already used or does not exist');
    expect(await storedToken(page)).toBeNull();
    await page.getByRole('button', { name: 'Continue without the invitation' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // Someone who is already an owner elsewhere is invited into workspace A.
    const b = await createTestWidget(stack);
    const elsewhere = await addOperator(stack, stack.adminKey, b.workspaceId, 'owner');
    const inviteToken = await invite(elsewhere.email);
    await openLink(inviteToken);
    await page.getByLabel('Password').fill('not the right password');
    await page.getByLabel('Password').press('Enter');
    expect(await alert().textContent()).toBe('You already have an account: enter its password.');
    await page.getByLabel('Password').fill(elsewhere.password);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Choose a workspace' }).waitFor();
    expect(await page.locator('.workspaces li').count()).toBe(2);
  });
});
