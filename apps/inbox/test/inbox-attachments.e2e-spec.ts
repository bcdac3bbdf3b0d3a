import '../../widget/test/dispose-polyfill';
import { addOperator, artifactPath, testStack } from '@widget/testing';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chatFrame, DemoStack, drawPng, launchBrowser, startConversation, startDemoStack } from '../../widget/test/harness';
import { signInToInbox } from './inbox-helpers';

jest.setTimeout(90_000);

/** A tiny valid PDF: one empty page. */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/**
 * Files both ways, both people in Chromium: the visitor attaches a PNG in the
 * widget and the agent sees its thumbnail in the inbox (fetched with the
 * agent's operator token from the operator's path); the agent attaches a PDF to a
 * reply and the visitor sees its chip in the frame and downloads the same bytes.
 */
describe('attachments between the widget and the inbox', () => {
  const stack = testStack();
  let browser: Browser;
  let demo: DemoStack;
  let visitor: BrowserContext;
  let agent: BrowserContext;
  let site: Page;
  let inbox: Page;
  const cspViolations: string[] = [];

  beforeAll(async () => {
    [browser, demo] = await Promise.all([launchBrowser(), startDemoStack(stack, 'inbox-attachments-spec')]);
    expect((await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { features: { attachments: true } })).status).toBe(200);
    visitor = await browser.newContext({ viewport: { width: 360, height: 740 }, acceptDownloads: true });
    agent = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    visitor.setDefaultTimeout(15_000);
    agent.setDefaultTimeout(15_000);
    site = await visitor.newPage();
    inbox = await agent.newPage();
    for (const page of [site, inbox]) page.on('console', (msg) => /Content Security Policy/i.test(msg.text()) && cspViolations.push(msg.text()));
  });
  afterAll(async () => {
    await visitor?.close();
    await agent?.close();
    await browser?.close();
    await demo?.stop();
  });

  it('the visitor attaches a PNG; the agent sees its thumbnail in the thread', async () => {
    await signInToInbox(inbox, new URL('/inbox/', demo.demoUrl).toString(), await addOperator(stack, stack.adminKey, demo.widget.workspaceId, 'agent'));
    await site.goto(demo.demoUrl);
    await startConversation(site, 'The checkout shows this');
    const frame = chatFrame(site);
    const png = await drawPng(site, 200, 150, ['#b42318', '#ffffff']);
    await frame.locator('[data-testid=file-input]').setInputFiles({ name: 'checkout-error.png', mimeType: 'image/png', buffer: png });
    await frame.locator('[data-testid=upload][data-status=done]').waitFor();
    await frame.getByLabel('Message').press('Enter');
    await frame.locator('[data-testid=thumbnail] img[alt="checkout-error.png"]').waitFor();

    // A message of files only is previewed by their names.
    const row = inbox.locator('.conversations > li').filter({ hasText: 'checkout-error.png' });
    await row.getByRole('button').click();
    const img = inbox.locator('.message [data-testid=thumbnail] img[alt="checkout-error.png"]');
    await img.waitFor();
    await inbox.waitForFunction(() => {
      const i = document.querySelector<HTMLImageElement>('[data-testid=thumbnail] img');
      return !!i && i.complete && i.naturalWidth > 0;
    });
    expect(await img.evaluate((i: HTMLImageElement) => ({ src: i.src.slice(0, 5), width: i.naturalWidth, height: i.naturalHeight }))).toEqual({ src: 'blob:', width: 200, height: 150 });
    await inbox.screenshot({ path: artifactPath('inbox-attachment-thumbnail.png') });
  });

  it('the agent attaches a PDF to a reply; the visitor sees its chip and downloads the same bytes', async () => {
    await inbox.locator('[data-testid=file-input]').setInputFiles({ name: 'invoice.pdf', mimeType: 'application/pdf', buffer: PDF });
    await inbox.locator('[data-testid=upload][data-status=done]', { hasText: 'invoice.pdf' }).waitFor();
    await inbox.screenshot({ path: artifactPath('inbox-attachment-reply-chip.png') });
    const reply = inbox.getByLabel(/Reply to the visitor/);
    await reply.fill('Here is your invoice.');
    await reply.press('Enter');
    await inbox.locator('.message [data-testid=file-chip]', { hasText: 'invoice.pdf' }).waitFor();

    const frame = chatFrame(site);
    const chip = frame.locator('[data-testid=message]', { hasText: 'Here is your invoice.' }).locator('[data-testid=file-chip]');
    await chip.waitFor();
    expect(await chip.innerText()).toMatch(/invoice\.pdf\s+193 B/);
    await site.screenshot({ path: artifactPath('widget-attachment-pdf-chip-360.png') });
    const [download] = await Promise.all([site.waitForEvent('download'), chip.click()]);
    expect(download.suggestedFilename()).toBe('invoice.pdf');
    expect(readFileSync((await download.path())!).equals(PDF)).toBe(true);
    expect(cspViolations).toEqual([]);
  });
});
