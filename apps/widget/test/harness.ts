import './dispose-polyfill';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, Server, Socket } from 'node:net';
import { Browser, BrowserContext, Frame, FrameLocator, Locator, Page } from 'playwright-core';
import { AdminApi, artifactPath, createTestWidget, freePort, launchChromium, RunningApp, spawnApp, StackInfo, TestWidget } from '@widget/testing';

// Chromium's test profile blocks third-party storage outright (as some browsers and private windows do); most
// visitors' browsers partition it instead. The blocked case has its own test (an init script denies storage).
export function launchBrowser(): Promise<Browser> {
  return launchChromium(['--disable-features=TrackingProtection3pcd']);
}

/**
 * A TCP relay in front of the realtime service: the test can cut every socket
 * and refuse new ones for a while, or stall them (open, but nothing passes
 * either way, as a phone's socket after the tab was in the background).
 */
export class CuttableRelay {
  private server: Server | null = null;
  private readonly open = new Set<Socket>();
  private readonly pairs = new Set<[Socket, Socket]>();
  private refusing = false;
  private stalled = false;
  port = 0;

  constructor(private readonly target: URL) {}

  async start(): Promise<string> {
    this.port = await freePort();
    this.server = createServer((client) => {
      if (this.refusing) return void client.destroy();
      const upstream = new Socket();
      upstream.connect(Number(this.target.port), this.target.hostname);
      const pair: [Socket, Socket] = [client, upstream];
      if (!this.stalled) this.flow(pair);
      this.pairs.add(pair);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.open.delete(client);
        this.open.delete(upstream);
        this.pairs.delete(pair);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      this.open.add(client).add(upstream);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    return `http://127.0.0.1:${this.port}`;
  }

  cut(): void {
    this.refusing = true;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
  }

  restore(): void {
    this.refusing = false;
  }

  /** Every socket stays open; bytes wait in the relay until `unstall()`, then pass in order. */
  stall(): void {
    this.stalled = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  unstall(): void {
    this.stalled = false;
    for (const pair of this.pairs) this.flow(pair);
  }

  private flow([client, upstream]: [Socket, Socket]): void {
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async stop(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export interface DemoStack {
  gateway: RunningApp;
  relay: CuttableRelay;
  widget: TestWidget;
  admin: AdminApi;
  /** The demo page on an allowed origin (localhost) and on one that is not (127.0.0.1). */
  demoUrl: string;
  otherOriginDemoUrl: string;
  formId: string;
  stop(): Promise<void>;
}

/**
 * A gateway in demo mode on the shared test stack, its realtime traffic through
 * a cuttable relay, and a widget seeded like `npm run stack` seeds the demo.
 */
export async function startDemoStack(stack: StackInfo, name: string): Promise<DemoStack> {
  if (!stack.realtimeUrl) throw new Error('the browser tests need the realtime service');
  const relay = new CuttableRelay(new URL(stack.realtimeUrl));
  const relayUrl = await relay.start();
  const seedFile = artifactPath(`${name}-seed.json`);
  const gateway = await spawnApp(stack, 'gateway', { DEMO_MODE: 'true', DEMO_SEED_FILE: seedFile, REALTIME_URL: relayUrl });
  const demoOrigin = `http://localhost:${gateway.port}`;
  const widget = await createTestWidget(stack, { allowedOrigins: [demoOrigin] });
  const admin = new AdminApi(stack.baseUrl, stack.adminKey);
  const collection = (await admin.post(`/workspaces/${widget.workspaceId}/collections`, { name: 'Help center' })).body;
  for (const article of [
    { title: 'How do I reset my password?', body: '<p>Open <strong>Settings → Security</strong> and choose <em>Reset password</em>. We email you a reset link.</p>' },
    { title: 'Shipping times and tracking', body: '<p>Orders ship within 2 business days. Standard delivery takes 3 to 5 days.</p>' },
  ]) {
    await admin.post(`/workspaces/${widget.workspaceId}/articles`, { ...article, collectionId: collection.id, status: 'published' });
  }
  const form = (
    await admin.post(`/workspaces/${widget.workspaceId}/forms`, {
      name: 'Report a problem',
      description: 'Tell us what went wrong.',
      fields: [
        { key: 'email', label: 'Email', type: 'email', required: true },
        { key: 'details', label: 'What happened?', type: 'textarea', required: true, maxLength: 2000 },
      ],
    })
  ).body;
  await admin.patch(`/widgets/${widget.widgetId}`, { forms: { visibleFormIds: [form.id] } });
  writeFileSync(seedFile, JSON.stringify({ workspaceId: widget.workspaceId, widgetId: widget.widgetId, widgetSecret: widget.secret }));
  return {
    gateway,
    relay,
    widget,
    admin,
    formId: form.id,
    demoUrl: `${demoOrigin}/demo/`,
    otherOriginDemoUrl: `http://127.0.0.1:${gateway.port}/demo/`,
    async stop() {
      await relay.stop();
      await gateway.stop();
    },
  };
}

/** Records CSP violations in every document (page and frame) before any script of theirs runs. */
export async function watchCsp(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    (window as unknown as { cspViolations: string[] }).cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => (window as unknown as { cspViolations: string[] }).cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
}

export const chatFrame = (page: Page): FrameLocator => page.frameLocator('iframe[data-support-chat]');

/** The widget's own document (the frame), to evaluate in. */
export const widgetDocument = (page: Page): Frame => page.frames().find((f) => f.url().includes('/widget/v1/frame'))!;

/** What watchCsp recorded in every document of the page. */
export async function cspViolations(page: Page): Promise<string[]> {
  const all: string[] = [];
  for (const frame of page.frames()) all.push(...(await frame.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? []).catch(() => [])));
  return all;
}

/** Serious or critical axe-core violations in the widget's document, with the elements they concern. */
export async function axeViolations(page: Page): Promise<string[]> {
  const doc = widgetDocument(page);
  await doc.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  return doc.evaluate(async () => {
    const result = await (window as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v: any) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v: any) => v.nodes.map((n: any) => `${v.id}: ${n.target.join(' ')} ${n.failureSummary ?? ''}`));
  });
}

/** Keyboard only: Shift+Tab until the element matching `selector` in the widget has focus (at most 20 presses). */
export async function shiftTabTo(page: Page, selector: string): Promise<void> {
  const doc = widgetDocument(page);
  for (let i = 0; i < 20; i++) {
    if (await doc.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Shift+Tab');
  }
  throw new Error(`focus never reached ${selector}`);
}

let step = 0;
/** One numbered screenshot per step, under .stack/test-artifacts/ (git-ignored). */
export async function shot(page: Page, name: string): Promise<string> {
  const file = artifactPath(`${String(++step).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** The events the demo page logged (window.demoEvents). */
export function demoEvents(page: Page): Promise<{ type: string; payload: any }[]> {
  return page.evaluate(() => ((window as unknown as { demoEvents?: { type: string; payload: unknown }[] }).demoEvents ?? []).map((e) => ({ type: e.type, payload: e.payload })));
}

export async function waitForEvent(page: Page, type: string): Promise<any> {
  const handle = await page.waitForFunction(
    (t) => ((window as unknown as { demoEvents?: { type: string; payload: unknown }[] }).demoEvents ?? []).find((e) => e.type === t)?.payload,
    type,
  );
  return handle.jsonValue();
}

/**
 * A click in the widget frame (kept as one helper: the frame is cross-site, so worth one place to adjust). The host
 * sizes the iframe from the frame's layout message (96 px for the launcher, larger for the panel), a task or more
 * after the frame changed view; a click aimed in between lands where the element was, not where it is (it missed
 * that way in CI at load 11). So it waits until the iframe's size agrees with what the frame shows, before the
 * click and after it (a click that opens or closes the panel returns once the host has resized the iframe).
 */
export async function tap(locator: Locator): Promise<void> {
  await frameSized(locator.page());
  await locator.click();
  await frameSized(locator.page());
}

/** Until the host has applied the frame's last layout: the panel in a larger iframe, the launcher (or nothing) in 96 px or less. */
async function frameSized(page: Page, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const doc = widgetDocument(page);
    const panel = doc ? await doc.evaluate(() => document.querySelector('.panel') !== null).catch(() => null) : null;
    const box = await page.locator('iframe[data-support-chat]').boundingBox();
    if (panel !== null && box && (panel ? box.width > 96 : box.width <= 96)) return;
    if (Date.now() > deadline) throw new Error(`the widget iframe never took the size of its view (panel: ${panel}, box: ${JSON.stringify(box)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens the panel and starts a conversation with `text`; returns its id (from the SDK's conversation:started event). */
export async function startConversation(page: Page, text: string): Promise<string> {
  const frame = chatFrame(page);
  await tap(frame.getByRole('button', { name: /open chat/i }));
  // By keyboard, not a click: the host grows the iframe from launcher to panel size right after opening, and a click
  // aimed while that resize lands (on a loaded machine) can miss the button; Enter on it cannot.
  await frame.getByRole('button', { name: 'Send us a message' }).press('Enter');
  await frame.getByLabel('Message').fill(text);
  await frame.getByLabel('Message').press('Enter');
  const started = await waitForEvent(page, 'conversation:started');
  await frame.locator('[data-testid=message]', { hasText: text }).waitFor();
  return started.conversation.id as string;
}

/** A real PNG of width × height drawn on a canvas in the page: a block of one colour on another. */
export async function drawPng(page: Page, width: number, height: number, colours = ['#1f6feb', '#ffd33d']): Promise<Buffer> {
  const base64 = await page.evaluate(
    async ({ width, height, colours }) => {
      const canvas = new OffscreenCanvas(width, height);
      const g = canvas.getContext('2d')!;
      g.fillStyle = colours[0]!;
      g.fillRect(0, 0, width, height);
      g.fillStyle = colours[1]!;
      g.fillRect(width / 4, height / 3, width / 2, height / 3);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      return btoa(String.fromCharCode(...bytes));
    },
    { width, height, colours },
  );
  return Buffer.from(base64, 'base64');
}
