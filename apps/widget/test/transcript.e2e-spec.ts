import './dispose-polyfill';
import { randomUUID } from 'node:crypto';
import { Browser, Page } from 'playwright-core';
import { artifactPath, createTeamWorkspace, recordSensitive, Stack, TeamWorkspace } from '@widget/testing';
import { sendReply, SmtpReceiver, startMailStack } from '../../integrations/test/mail-peers';
import { signInToInbox } from '../../inbox/test/inbox-helpers';
import { axeViolations, chatFrame, cspViolations, DemoStack, launchBrowser, shiftTabTo, startConversation, startDemoStack, tap, watchCsp, widgetDocument } from './harness';

/**
 * "Email me this conversation" in the widget (SPEC §15, POST …/transcript) in Chromium, on a stack of its own
 * with the integrations service and a real SMTP receiver (apps/integrations/test/mail-peers.ts): with no email
 * known the frame asks for it inline, saves it on the session and asks again; the transcript mail arrives; the
 * visitor's answer to that mail comes back marked "by email" in the widget's thread and the inbox's; the hourly
 * limit (here 2: the refused first request counts) is said politely. Keyboard alone at 360 px, strict CSP, axe.
 */
jest.setTimeout(120_000);

const INBOUND_DOMAIN = 'reply.acme.test';
let smtp: SmtpReceiver;
let inboundPort: number;
let stack: Stack;
let demo: DemoStack;
let team: TeamWorkspace;
let browser: Browser;

beforeAll(async () => {
  ({ stack, smtp, inboundPort } = await startMailStack(INBOUND_DOMAIN, { RATE_LIMIT_SESSION_TRANSCRIPTS: '2/1h' }));
  const info = { ...stack, realtimeUrl: stack.realtime!.url };
  [demo, browser] = await Promise.all([startDemoStack(info, 'transcript-spec'), launchBrowser()]);
  team = await createTeamWorkspace(info, demo.widget.workspaceId);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  await stack?.stop();
  await smtp?.stop();
});

const focusedTestId = (page: Page) => widgetDocument(page).evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? null);

it('asks for the email inline, mails the transcript, marks the answer by email in both threads, and says the limit politely', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  await watchCsp(context);
  const page = await context.newPage();
  await page.goto(demo.demoUrl);
  const frame = chatFrame(page);
  const question = `Where is parcel ${randomUUID().slice(0, 6)}?`;
  const conversationId = await startConversation(page, question);
  const reply = await demo.widget.admin.post(`/conversations/${conversationId}/messages`, { text: 'It left the warehouse today.', author: { id: 'op-olga', name: 'Olga' } });
  expect(reply.status).toBe(201);
  await frame.locator('[data-testid=message]', { hasText: 'It left the warehouse today.' }).waitFor();

  // Keyboard alone: from the message field back to the control, then Enter.
  const doc = widgetDocument(page);
  await frame.getByLabel('Message').focus();
  await shiftTabTo(page, '[data-testid=transcript-button]');
  expect(await frame.getByTestId('transcript-button').textContent()).toBe('Email me this conversation');
  await page.screenshot({ path: artifactPath('widget-transcript-button-360.png') });
  await page.keyboard.press('Enter');

  // No email known: 400 email_unknown, so the frame asks, with the field focused.
  const form = frame.getByTestId('transcript-email');
  await form.waitFor();
  expect(await focusedTestId(page)).toBe('transcript-email-input');
  await page.keyboard.type('not an address');
  await page.keyboard.press('Enter');
  expect(await form.getByRole('alert').textContent()).toBe('Enter a valid email address.');
  await page.screenshot({ path: artifactPath('widget-transcript-ask-360.png') });
  expect(await axeViolations(page)).toEqual([]);

  const email = `visitor-${randomUUID().slice(0, 8)}@customer.test`;
  recordSensitive(email);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(email);
  await page.keyboard.press('Enter');
  const status = frame.getByTestId('transcript-status');
  await status.waitFor();
  expect(await status.textContent()).toBe('Done: this conversation is on its way to your email.');
  expect(await focusedTestId(page)).toBe('transcript-status');
  await page.screenshot({ path: artifactPath('widget-transcript-done-360.png') });
  expect(await axeViolations(page)).toEqual([]);
  expect(await doc.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);

  // The transcript arrives, with both sides of the conversation.
  const mail = await smtp.next((m) => m.to.includes(email) && m.parsed.subject?.startsWith('Your conversation with') === true);
  expect(mail.parsed.text).toContain(question);
  expect(mail.parsed.text).toContain('It left the warehouse today.');

  // The visitor answers the mail: the message comes back on the email channel, marked in the widget's thread.
  const replyTo = mail.parsed.replyTo?.value[0]?.address ?? '';
  recordSensitive(replyTo);
  expect(replyTo.endsWith(`@${INBOUND_DOMAIN}`)).toBe(true);
  const sent = await sendReply(inboundPort, { from: email, to: replyTo, text: 'Thanks, I got the copy.', inReplyTo: mail.parsed.messageId });
  expect(sent.response).toMatch(/^250 /);
  const byEmail = frame.locator('[data-testid=message]', { hasText: 'Thanks, I got the copy.' });
  await byEmail.locator('.channel').waitFor();
  expect(await byEmail.locator('.channel').textContent()).toBe(' · by email');
  expect(await frame.locator('[data-testid=message]', { hasText: question }).locator('.channel').count()).toBe(0);
  await page.screenshot({ path: artifactPath('widget-transcript-by-email-360.png') });

  // …and in the inbox's thread.
  const inbox = await context.newPage();
  await signInToInbox(inbox, `${stack.baseUrl}/inbox/`, team.agent);
  // The workspace's one conversation (its row shows the newest message).
  await inbox.locator('.conversations > li').first().getByRole('button').first().click();
  const inInbox = inbox.locator('.messages .message', { hasText: 'Thanks, I got the copy.' });
  await inInbox.locator('.channel-mark').waitFor();
  expect(await inInbox.locator('.channel-mark').textContent()).toBe(' · by email');
  expect(await inbox.locator('.messages .message', { hasText: question }).locator('.channel-mark').count()).toBe(0);
  await inbox.screenshot({ path: artifactPath('inbox-by-email-360.png') });
  await inbox.close();

  // A third request within the hour (the refused first one counted): 429, said politely.
  await page.reload();
  await tap(frame.getByRole('button', { name: /open chat/i }));
  await tap(frame.getByTestId('conversations').getByRole('button').first());
  await frame.getByTestId('transcript-button').click();
  await status.waitFor();
  expect(await status.textContent()).toBe("You've asked for several copies already. Please try again in a while.");
  await page.screenshot({ path: artifactPath('widget-transcript-limited-360.png') });
  expect(await axeViolations(page)).toEqual([]);
  expect(await cspViolations(page)).toEqual([]);
  await context.close();
});
