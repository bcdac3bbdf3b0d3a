import { join } from 'node:path';
import { LOG_AUDIT_DIR_VARIABLE, recordSensitive } from './log-audit';
import { REPO_ROOT, startStack, Stack } from './stack';

/** Boots one shared stack for the whole run; tests isolate themselves by creating their own widgets. */
export default async function globalSetup(): Promise<void> {
  // The suite-wide log audit (log-audit.ts): workers record what they send, the teardown searches every log of the run.
  const startedAt = Date.now();
  process.env.WIDGET_LOG_AUDIT_STARTED = String(startedAt);
  process.env[LOG_AUDIT_DIR_VARIABLE] = join(REPO_ROOT, '.stack', 'log-audit', `run-${startedAt.toString(36)}`);
  const stack = await startStack();
  (globalThis as { __WIDGET_STACK__?: Stack }).__WIDGET_STACK__ = stack;
  recordSensitive(stack.adminKey, stack.env.SECRET_ENCRYPTION_KEY, stack.env.REALTIME_TOKEN_SECRET, ...Object.entries(stack.env).filter(([k]) => k.startsWith('NATS_PASSWORD_')).map(([, v]) => v));
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
