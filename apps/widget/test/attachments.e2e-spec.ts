import './dispose-polyfill';
import { readFileSync } from 'node:fs';
import { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { testStack } from '@widget/testing';
import { chatFrame, DemoStack, drawPng, launchBrowser, shot, startConversation, startDemoStack, tap, watchCsp } from './harness';

/**
 * Attachments in the widget, in Chromium: a file by the paper-clip button, by
 * a drop on the panel and by a paste into the composer, each confirmed over
 * the operator API; the thumbnail comes from a blob: URL the frame fetched
 * with its session (the frame's CSP allows exactly that); refusals in words;
 * nothing of it when the widget's features.attachments is off.
 */
jest.setTimeout(90_000);

let browser: Browser;
let demo: DemoStack;
let png: Buffer;

beforeAll(async () => {
  [browser, demo] = await Promise.all([launchBrowser(), startDemoStack(testStack(), 'attachments-spec')]);
  expect((await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { features: { attachments: true } })).status).toBe(200);
  const page = await browser.newPage();
  png = await drawPng(page, 160, 120);
  await page.close();
});
afterAll(async () => {
  await browser?.close();
  await demo?.stop();
});

/**
 * A new visitor (a browser context of their own) on the demo page with a
 * conversation started by `text`, at `viewport`; the context is closed after.
 */
async function asVisitor(viewport: { width: number; height: number }, text: string, run: (page: Page, conversationId: string, context: BrowserContext) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ viewport });
  context.setDefaultTimeout(15_000);
  try {
    await watchCsp(context);
    const page = await context.newPage();
    await page.goto(demo.demoUrl);
    await run(page, await startConversation(page, text), context);
  } finally {
    await context.close();
  }
}

const PHONE = { width: 360, height: 740 };
const DESKTOP = { width: 1100, height: 760 };

const widgetDocument = (page: Page): Frame => page.frames().find((f) => f.url().includes('/widget/v1/frame'))!;

/** The conversation's messages as the operator API has them (what was really stored). */
async function storedMessages(conversationId: string): Promise<Array<{ text: string; attachments: Array<{ name: string; contentType: string; size: number }> }>> {
  const res = await demo.admin.get(`/conversations/${conversationId}/messages?limit=50`);
  expect(res.status).toBe(200);
  return res.body.data;
}

async function waitForStored(conversationId: string, name: string) {
  for (let i = 0; i < 50; i++) {
    const found = (await storedMessages(conversationId)).find((m) => m.attachments?.some((a) => a.name === name));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no stored message carries ${name}`);
}

/**
 * Hands `name` (PNG bytes) to an element of the frame as the browser would: a
 * DataTransfer holding a File made in the frame's own document, in a drag
 * event or a ClipboardEvent. True when the frame took it (prevented the default).
 */
function handOver(page: Page, selector: string, events: string[], name: string): Promise<boolean[]> {
  return widgetDocument(page).evaluate(
    ({ b64, selector, events, name }) => {
      const target = document.querySelector(selector)!;
      return events.map((type) => {
        const data = new DataTransfer();
        data.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'image/png' }));
        const init = { bubbles: true, cancelable: true };
        const event = type === 'paste' ? new ClipboardEvent(type, { ...init, clipboardData: data }) : new DragEvent(type, { ...init, dataTransfer: data });
        return !target.dispatchEvent(event);
      });
    },
    { b64: png.toString('base64'), selector, events, name },
  );
}

/** Serious or critical axe-core violations in the frame's document, as `id: help`. */
async function axeViolations(page: Page): Promise<string[]> {
  const doc = widgetDocument(page);
  await doc.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return doc.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.filter((v: any) => v.impact === 'serious' || v.impact === 'critical').map((v: any) => `${v.id}: ${v.help}`);
  });
}

async function cspViolations(page: Page): Promise<string[]> {
  const all: string[] = [];
  for (const frame of page.frames()) all.push(...(await frame.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []).catch(() => [])));
  return all;
}

/** The thumbnail of `name` in the thread: shown from a blob: URL, decoded at its real size. */
function thumbnail(page: Page, name: string) {
  return widgetDocument(page).evaluate((alt) => {
    const img = [...document.querySelectorAll<HTMLImageElement>('[data-testid=thumbnail] img')].find((i) => i.alt === alt);
    return img && { src: img.src.slice(0, 5), width: img.naturalWidth, height: img.naturalHeight, shown: img.getBoundingClientRect().width };
  }, name);
}

describe('attachments in the widget', () => {
  it('by the paper-clip button at 360 px: a chip with its progress and a ×, then the message with a thumbnail from a blob: URL', async () => {
    await asVisitor(PHONE, 'I have a screenshot of the error', async (page, id, context) => {
      const frame = chatFrame(page);
      // The paper-clip button is one Shift+Tab before the message box.
      await frame.getByLabel('Message').focus();
      await page.keyboard.press('Shift+Tab');
      expect(await widgetDocument(page).evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Attach files');

      // The PDF's upload is held, never answered, until the × cancels it: it is still uploading whenever the spec
      // looks (the slow uplink alone gave it a few seconds, which a loaded machine can spend before the check).
      let pdfHeld!: () => void;
      const pdfUploadHeld = new Promise<void>((resolve) => (pdfHeld = resolve));
      await context.route('**/widget/v1/conversations/*/attachments', (route) => {
        if (!route.request().postDataBuffer()?.includes('error-log.pdf')) return route.continue();
        pdfHeld();
      });
      // A slow uplink for the frame (its own process).
      const cdp = await context.newCDPSession(widgetDocument(page));
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 96 * 1024 });
      const big = Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.alloc(400 * 1024, 'x'), Buffer.from('\n%%EOF\n')]);
      await frame.locator('[data-testid=file-input]').setInputFiles([
        { name: 'screenshot.png', mimeType: 'image/png', buffer: png },
        { name: 'error-log.pdf', mimeType: 'application/pdf', buffer: big },
      ]);
      const pdfChip = frame.locator('[data-testid=upload]', { hasText: 'error-log.pdf' });
      await frame.locator('[data-testid=upload][data-status=done]', { hasText: 'screenshot.png' }).waitFor();
      await frame.locator('[data-testid=upload] progress').first().waitFor();
      await pdfUploadHeld;
      expect(await pdfChip.getAttribute('data-status')).toBe('uploading');
      await shot(page, 'attach-chips-progress-360');
      expect(await axeViolations(page)).toEqual([]);
      // The × cancels the slow one; the message goes with the screenshot only.
      await tap(frame.getByRole('button', { name: 'Remove error-log.pdf' }));
      await pdfChip.waitFor({ state: 'detached' });
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

      await frame.getByLabel('Message').fill('Here it is');
      await frame.getByLabel('Message').press('Enter');
      const stored = await waitForStored(id, 'screenshot.png');
      expect(stored.text).toBe('Here it is');
      expect(stored.attachments).toEqual([expect.objectContaining({ name: 'screenshot.png', contentType: 'image/png', size: png.length })]);
      expect((await storedMessages(id)).some((m) => m.attachments?.some((a) => a.name === 'error-log.pdf'))).toBe(false);

      await frame.locator('[data-testid=thumbnail] img[alt="screenshot.png"]').waitFor();
      expect(await thumbnail(page, 'screenshot.png')).toEqual({ src: 'blob:', width: 160, height: 120, shown: 160 });
      expect(await frame.locator('[data-testid=upload]').count()).toBe(0);
      expect(await widgetDocument(page).evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await shot(page, 'attach-thumbnail-360');
      expect(await axeViolations(page)).toEqual([]);
      expect(await cspViolations(page)).toEqual([]);
    });
  });

  it('by a drop on the panel: the drop zone shows, and a message of the file alone is sent', async () => {
    await asVisitor(DESKTOP, 'Dropping a file next', async (page, id) => {
      expect(await handOver(page, '.panel', ['dragenter', 'dragover'], 'dropped.png')).toEqual([false, true]);
      await chatFrame(page).locator('.drop-hint').waitFor();
      await shot(page, 'attach-drop-zone');
      // Dropped on the thread inside the panel; taken (else the browser would open the file).
      expect(await handOver(page, '[data-testid=messages]', ['drop'], 'dropped.png')).toEqual([true]);
      const frame = chatFrame(page);
      await frame.locator('.drop-hint').waitFor({ state: 'detached' });
      await frame.locator('[data-testid=upload][data-status=done]', { hasText: 'dropped.png' }).waitFor();
      await frame.getByLabel('Message').press('Enter');
      const stored = await waitForStored(id, 'dropped.png');
      expect(stored.text).toBe('');
      await frame.locator('[data-testid=thumbnail] img[alt="dropped.png"]').waitFor();
      expect(await cspViolations(page)).toEqual([]);
    });
  });

  it('by a paste into the composer: the pasted image becomes a chip and goes with the text', async () => {
    await asVisitor(DESKTOP, 'Pasting a screenshot next', async (page, id) => {
      expect(await handOver(page, 'textarea#composer', ['paste'], 'image.png')).toEqual([true]);
      const frame = chatFrame(page);
      await frame.locator('[data-testid=upload][data-status=done]', { hasText: 'image.png' }).waitFor();
      await frame.getByLabel('Message').fill('Pasted from my clipboard');
      await tap(frame.getByRole('button', { name: 'Send' }));
      const stored = await waitForStored(id, 'image.png');
      expect(stored.text).toBe('Pasted from my clipboard');
      await frame.locator('[data-testid=thumbnail] img[alt="image.png"]').waitFor();
    });
  });

  it('from the page: supportChat.sendMessage({ files }) uploads in the frame with upload:progress events; an aborted send rejects with cancelled and sends nothing', async () => {
    await asVisitor(DESKTOP, 'The page sends a file for me', async (page, id) => {
      const outcome = await page.evaluate(
        async ({ conversationId, b64 }) => {
          const chat = (window as any).supportChat;
          const file = (name: string, bytes: BlobPart, type: string) => new File([bytes], name, { type });
          const sent = await chat.sendMessage({ conversationId, text: 'Sent by the page', files: [file('from-page.png', Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)), 'image/png')] });
          const controller = new AbortController();
          const big = new Uint8Array(4 * 1024 * 1024);
          big.set(new TextEncoder().encode('%PDF-1.4\n%'));
          const aborted = chat.sendMessage({ conversationId, files: [file('aborted.pdf', big, 'application/pdf')] }, { signal: controller.signal }).catch((e: { code: string }) => e.code);
          controller.abort();
          return { sent: sent.attachments.map((a: { name: string }) => a.name), aborted: await aborted };
        },
        { conversationId: id, b64: png.toString('base64') },
      );
      expect(outcome).toEqual({ sent: ['from-page.png'], aborted: 'cancelled' });
      const progress = (await page.evaluate(() => (window as any).demoEvents.filter((e: any) => e.type === 'upload:progress').map((e: any) => e.payload))) as Array<{ conversationId: string; name: string; loaded: number; total: number }>;
      expect(progress).toContainEqual({ conversationId: id, name: 'from-page.png', loaded: png.length, total: png.length });
      const stored = await storedMessages(id);
      expect(stored.find((m) => m.text === 'Sent by the page')?.attachments.map((a) => a.name)).toEqual(['from-page.png']);
      expect(stored.some((m) => m.attachments?.some((a) => a.name === 'aborted.pdf'))).toBe(false);
      await chatFrame(page).locator('[data-testid=thumbnail] img[alt="from-page.png"]').waitFor();
    });
  });

  it("says the server's refusal in words: a type it does not take, a file over the limit; nothing is sent", async () => {
    await asVisitor(PHONE, 'Two files you will refuse', async (page, id) => {
      const frame = chatFrame(page);
      await frame.locator('[data-testid=file-input]').setInputFiles([
        { name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<html><script>alert(1)</script></html>') },
        { name: 'huge.pdf', mimeType: 'application/pdf', buffer: Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.alloc(10 * 1024 * 1024 + 1, 'x')]) },
        // 10 MB cross the DevTools protocol as base64 and then the upload: slow on a loaded 2-core machine, so a longer wait.
      ], { timeout: 60_000 });
      const refusals = frame.locator('[data-testid=upload-refusals]');
      await refusals.locator('p', { hasText: 'huge.pdf' }).waitFor({ timeout: 60_000 });
      await refusals.locator('p', { hasText: 'page.html' }).waitFor();
      expect(await refusals.locator('p').allInnerTexts()).toEqual(
        expect.arrayContaining([expect.stringMatching(/page\.html.*: This type of file can't be sent\.$/), expect.stringMatching(/huge\.pdf.*: This file is too large \(limit 10 MB\)\.$/)]),
      );
      expect(await frame.locator('[data-testid=upload]').count()).toBe(0);
      await shot(page, 'attach-refusals-360');
      expect((await storedMessages(id)).every((m) => (m.attachments ?? []).length === 0)).toBe(true);
    });
  });

  it('shows nothing of it when features.attachments is off: no button, a drop or a paste of a file is not taken', async () => {
    expect((await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { features: { attachments: false } })).status).toBe(200);
    try {
      await asVisitor(DESKTOP, 'No files here', async (page) => {
        const frame = chatFrame(page);
        expect(await frame.getByRole('button', { name: 'Attach files' }).count()).toBe(0);
        expect(await frame.locator('input[type=file]').count()).toBe(0);
        expect(await handOver(page, 'textarea#composer', ['paste'], 'x.png')).toEqual([false]);
        expect(await handOver(page, '.panel', ['dragover', 'drop'], 'x.png')).toEqual([false, false]);
        expect(await frame.locator('[data-testid=upload], .drop-hint').count()).toBe(0);
      });
    } finally {
      await demo.admin.patch(`/widgets/${demo.widget.widgetId}`, { features: { attachments: true } });
    }
  });
});
