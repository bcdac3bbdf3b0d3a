import '../../widget/test/dispose-polyfill';
import { addOperator, artifactPath, testStack } from '@widget/testing';
import type { Browser } from 'playwright-core';
import { chatFrame, DemoStack, launchBrowser, startDemoStack, tap, waitForEvent } from '../../widget/test/harness';
import { signInToInbox } from './inbox-helpers';

jest.setTimeout(90_000);

/**
 * Both people in Chromium, each in a browser context of their own: a visitor
 * on the demo page (the customer's snippet, the widget in its frame) and an
 * agent in the inbox of the same stack. Nothing in between but the stack.
 */
describe('a visitor on the demo page and an agent in the inbox', () => {
  const stack = testStack();
  let browser: Browser;
  let demo: DemoStack;

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchBrowser(), startDemoStack(stack, 'inbox-demo-spec')]);
  });
  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
  });

  it('the visitor writes from the widget; the inbox shows it live at the top, unread; the reply reaches the widget', async () => {
    const visitor = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    const agent = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    visitor.setDefaultTimeout(15_000);
    agent.setDefaultTimeout(15_000);
    const inbox = await agent.newPage();
    const site = await visitor.newPage();
    try {
      await signInToInbox(inbox, new URL('/inbox/', demo.demoUrl).toString(), await addOperator(stack, stack.adminKey, demo.widget.workspaceId, 'agent'));

      await site.goto(demo.demoUrl);
      const frame = chatFrame(site);
      await tap(frame.getByRole('button', { name: /open chat/i }));
      await tap(frame.getByRole('button', { name: 'Send us a message' }));
      await frame.getByLabel('Message').fill('Hello from the demo page');
      await frame.getByLabel('Message').press('Enter');
      await waitForEvent(site, 'conversation:started');

      // Live, without a reload: at the top, unread.
      const top = inbox.locator('.conversations > li').first();
      await top.filter({ hasText: 'Hello from the demo page' }).waitFor();
      await top.locator('.conversation.unread').waitFor();
      await inbox.screenshot({ path: artifactPath('inbox-demo-visitor-wrote.png') });

      await top.getByRole('button').click();
      const reply = inbox.getByLabel(/Reply to the visitor/);
      await reply.fill('Hi! Alex here, how can I help?');
      await reply.press('Enter');
      await frame.locator('[data-testid=message]', { hasText: 'Hi! Alex here, how can I help?' }).waitFor();
      expect(await frame.locator('[data-testid=message]', { hasText: 'Hi! Alex here, how can I help?' }).count()).toBe(1);
      await site.screenshot({ path: artifactPath('inbox-demo-reply-in-widget.png') });
    } finally {
      await visitor.close();
      await agent.close();
    }
  });
});
