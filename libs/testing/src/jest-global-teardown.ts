import { Stack } from './stack';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __WIDGET_STACK__?: Stack }).__WIDGET_STACK__?.stop();
}
