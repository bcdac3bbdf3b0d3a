import './dispose-polyfill';
import { Browser, Page } from 'playwright-core';
import { createTeamWorkspace, noonZone, OperatorApi, openSocket, testStack, TeamWorkspace } from '@widget/testing';
import type { Socket } from 'socket.io-client';
import { axeViolations, chatFrame, cspViolations, DemoStack, launchBrowser, shiftTabTo, shot, startConversation, startDemoStack, tap, waitForEvent, watchCsp, widgetDocument } from './harness';

/**
 * SPEC §15 in Chromium, on the demo page (strict CSP) through a demo-mode gateway on the real stack: the
 * expected-reply line while an agent of the workspace is present within the hours; outside them the "away" line
 * with the opening in the visitor's time, and in a conversation the inline email prompt — by keyboard only at
 * 360 px, the email stored on the session (read back over the operator API), asked once; a dismissal remembered
 * across reloads. The panel asks /config again when it opens, so a change shows on the next open.
 */
jest.setTimeout(90_000);

const stack = testStack();
let browser: Browser;
let demo: DemoStack;
let team: TeamWorkspace;
let agentSocket: Socket;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoStack(stack, 'availability-spec')]);
  team = await createTeamWorkspace(stack, demo.widget.workspaceId);
  const minted = await new OperatorApi(stack.baseUrl, team.agent.token).post(`/workspaces/${demo.widget.workspaceId}/realtime-token`);
  agentSocket = await openSocket(stack.baseUrl, { token: minted.body.token, origin: null });
});
afterAll(async () => {
  agentSocket?.close();
  await browser?.close();
  await demo?.stop();
});

async function availability() {
  const res = await demo.widget.api.get(`/config?workspace_id=${demo.widget.workspaceId}&widget_id=${demo.widget.widgetId}`);
  expect(res.status).toBe(200);
  return res.body.availability as { online: boolean; nextOpenAt: string | null; replyTime: string | null };
}

/** Sets the widget's availability, then reads /config until `online` is as wanted (presence follows the socket's report). */
async function setAvailability(body: unknown, online: boolean) {
  expect((await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { availability: body })).status).toBe(200);
  for (let i = 0; i < 100; i++) {
    const seen = await availability();
    if (seen.online === online) return seen;
    await sleep(100);
  }
  throw new Error(`availability never became online: ${online}`);
}

/** Hours later today in a zone where it is about noon now: outside the hours, opening in three hours. */
function laterToday(replyTime: string) {
  const zone = noonZone();
  return { timezone: zone.timezone, hours: [{ days: [zone.day], open: zone.hh(zone.hour + 3), close: zone.hh(zone.hour + 5) }], replyTime };
}

const PHONE = { width: 360, height: 740 };

/**
 * A new visitor (a browser context of their own, in Paris, British English) on the demo page at `viewport`; no CSP
 * violation by the end; the context is closed after.
 */
async function asVisitor(viewport: { width: number; height: number }, run: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'Europe/Paris' });
  try {
    await watchCsp(context);
    const page = await context.newPage();
    await page.goto(demo.demoUrl);
    await run(page);
    expect(await cspViolations(page)).toEqual([]);
  } finally {
    await context.close();
  }
}

/** Reloads the page, opens the panel and the visitor's conversation (the one holding `message`). */
async function reopenAfterReload(page: Page, message: string): Promise<void> {
  const frame = chatFrame(page);
  await page.reload();
  await tap(frame.getByRole('button', { name: /open chat/i }));
  await tap(frame.getByTestId('conversations').getByRole('button').first());
  await frame.locator('[data-testid=message]', { hasText: message }).waitFor();
  await frame.getByTestId('availability').waitFor();
}
/** Text as read: spaces of any kind as one, without the isolates around a name (i18n isolated()). */
const text = (s: string) => s.replace(/[\u2068\u2069]/g, '').replace(/[\s\u202f]+/g, ' ').trim();

/** Keyboard only: opens the panel, starts a conversation, and sends `message`. */
async function startByKeyboard(page: Page, message: string): Promise<void> {
  const frame = chatFrame(page);
  await frame.getByRole('button', { name: /open chat/i }).focus();
  const doc = widgetDocument(page);
  await page.keyboard.press('Enter');
  await doc.waitForFunction(`document.activeElement?.textContent?.trim() === 'Send us a message'`);
  await page.keyboard.press('Enter');
  await doc.waitForFunction(`document.activeElement?.tagName === 'TEXTAREA'`);
  await page.keyboard.type(message);
  await page.keyboard.press('Enter');
  await frame.locator('[data-testid=message]', { hasText: message }).waitFor();
}

describe('availability in the widget (SPEC §15)', () => {
  it('online: the expected-reply line and no email prompt; after the agent goes away, the next open says so', async () => {
    await setAvailability({ timezone: 'Europe/Paris', hours: [], replyTime: 'minutes' }, true);
    await asVisitor({ width: 1100, height: 760 }, async (page) => {
      await startConversation(page, 'Is anyone there?');
      const frame = chatFrame(page);
      await frame.getByTestId('availability').waitFor();
      expect(text(await frame.getByTestId('availability').innerText())).toBe('We typically reply in a few minutes.');
      expect(await frame.getByTestId('email-prompt').count()).toBe(0);
      await shot(page, 'availability-online');

      await tap(frame.getByRole('button', { name: 'Close chat' }));
      expect(await agentSocket.timeout(5000).emitWithAck('presence.set', { status: 'away' })).toEqual({ ok: true });
      expect((await availability()).online).toBe(false);
      await tap(frame.getByRole('button', { name: /open chat/i }));
      await frame.getByText("We're away right now.").waitFor();
      expect(await agentSocket.timeout(5000).emitWithAck('presence.set', { status: 'online' })).toEqual({ ok: true });
    });
  });

  it('offline, by keyboard at 360 px: the away line with the opening in local time; the email prompt validates, stores the email on the session, and is asked once', async () => {
    const seen = await setAvailability(laterToday('hours'), false);
    expect(seen.nextOpenAt).not.toBeNull();
    await asVisitor(PHONE, async (page) => {
      const frame = chatFrame(page);
      await startByKeyboard(page, 'Hello from the keyboard');

      const back = new Intl.DateTimeFormat('en', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(new Date(seen.nextOpenAt!));
      const line = text(await frame.getByTestId('availability').locator('.availability-line').innerText());
      expect(line).toMatch(/^We're away — back .+\. We typically reply in a few hours\.$/);
      expect(line).toContain(text(back));

      await frame.getByTestId('email-prompt').waitFor();
      const box = await frame.locator('.panel').boundingBox();
      expect(box!.width).toBeLessThanOrEqual(360);
      const input = frame.getByRole('textbox', { name: 'Your email', exact: true });
      const inputBox = await input.boundingBox();
      expect(inputBox!.x + inputBox!.width).toBeLessThanOrEqual(360);
      await shot(page, 'availability-offline-prompt-360px');
      expect(await axeViolations(page)).toEqual([]);

      await shiftTabTo(page, '#email-prompt-input');
      await page.keyboard.type('not-an-email');
      await page.keyboard.press('Enter');
      await frame.getByRole('alert').filter({ hasText: 'Enter a valid email address.' }).waitFor();
      expect(await input.getAttribute('aria-invalid')).toBe('true');
      await page.keyboard.press('Control+A');
      await page.keyboard.type('visitor@example.com');
      await page.keyboard.press('Enter');
      await frame.getByTestId('email-saved').waitFor();
      expect(text(await frame.getByTestId('email-saved').innerText())).toBe("Thanks! We'll email visitor@example.com when we reply.");
      expect(await widgetDocument(page).evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('email-saved');
      await shot(page, 'availability-email-saved-360px');

      // Stored on the session: the operator sees it on the conversation's visitor.
      const conversationId = (await waitForEvent(page, 'conversation:started')).conversation.id as string;
      const stored = await demo.admin.get(`/conversations/${conversationId}`);
      expect(stored.status).toBe(200);
      expect(stored.body.visitor.profile).toMatchObject({ email: 'visitor@example.com' });

      // Asked once: after a reload, the conversation shows the away line and no prompt.
      await reopenAfterReload(page, 'Hello from the keyboard');
      expect(await frame.getByTestId('email-prompt').count()).toBe(0);
    });
  });

  it('a dismissal is remembered across reloads', async () => {
    await setAvailability(laterToday('day'), false);
    await asVisitor(PHONE, async (page) => {
      await startByKeyboard(page, 'No email from me');
      const frame = chatFrame(page);
      await frame.getByTestId('email-prompt').waitFor();
      await shiftTabTo(page, '.email-dismiss');
      await page.keyboard.press('Enter');
      await frame.getByTestId('email-prompt').waitFor({ state: 'detached' });
      // Focus stayed in the panel.
      expect(await widgetDocument(page).evaluate(() => !!document.activeElement?.closest('.panel'))).toBe(true);

      await reopenAfterReload(page, 'No email from me');
      expect(text(await frame.getByTestId('availability').innerText())).toMatch(/^We're away — back .+\. We typically reply within a day\.$/);
      expect(await frame.getByTestId('email-prompt').count()).toBe(0);
    });
  });
});
