import type { Browser, BrowserContext, Page } from 'playwright-core';

/** An account to sign in with (libs/testing's addOperator makes one). */
export interface InboxLogin {
  email: string;
  password: string;
}

/** Fills the inbox's sign-in form at `inboxUrl` (…/inbox/) and submits it; resolves once the feed is live (one workspace) or the picker shows (several). */
export async function signInToInbox(page: Page, inboxUrl: string, login: InboxLogin, until: 'live' | 'picker' = 'live'): Promise<void> {
  await page.goto(inboxUrl);
  await page.getByLabel('Email').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  if (until === 'live') await page.locator('.feed').filter({ hasText: 'Live' }).waitFor();
  else await page.getByRole('heading', { name: 'Choose a workspace' }).waitFor();
}

/** The operator token the tab keeps in sessionStorage (null when signed out). */
export function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => (JSON.parse(sessionStorage.getItem('inbox.account') ?? 'null') as { token?: string } | null)?.token ?? null);
}

/** A 1280 × 860 page in a context of its own (10 s steps), collecting the CSP violations Chromium reports into `cspViolations`. */
export async function newInboxPage(browser: Browser, cspViolations: string[]): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return { context, page };
}
