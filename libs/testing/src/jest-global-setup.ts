import { startStack, Stack } from './stack';

/** Boots one shared stack for the whole run; tests isolate themselves by creating their own widgets. */
export default async function globalSetup(): Promise<void> {
  const stack = await startStack();
  (globalThis as { __WIDGET_STACK__?: Stack }).__WIDGET_STACK__ = stack;
  // Test workers inherit this, so @widget/contracts builds the same (prefixed) subjects as the stack.
  process.env.NATS_SUBJECT_PREFIX = stack.env.NATS_SUBJECT_PREFIX;
  process.env.WIDGET_TEST_STACK = JSON.stringify({
    baseUrl: stack.baseUrl,
    logDir: stack.logDir,
    adminKey: stack.adminKey,
    databaseUrl: stack.databaseUrl,
    realtimeUrl: stack.realtime?.url,
    env: stack.env,
  });
}
