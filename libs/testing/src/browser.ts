import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { REPO_ROOT } from './stack';

/** Debian's Chromium; Playwright's own browsers are never downloaded. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a headless Chromium in a container with no outside network. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** `extraArgs`: a spec's own flags beside the shared ones. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs], headless: true });
}

/** Where browser specs leave screenshots: .stack/test-artifacts/<name> (git-ignored). */
export function artifactPath(name: string): string {
  const dir = join(REPO_ROOT, '.stack', 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
