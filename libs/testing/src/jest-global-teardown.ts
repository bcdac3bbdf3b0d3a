import { join } from 'node:path';
import { auditLogs, LOG_AUDIT_DIR_VARIABLE } from './log-audit';
import { REPO_ROOT, Stack } from './stack';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __WIDGET_STACK__?: Stack }).__WIDGET_STACK__?.stop();
  const auditDir = process.env[LOG_AUDIT_DIR_VARIABLE];
  if (!auditDir) return;
  // Every process of the run has stopped (pino writes synchronously): search all their logs for what the specs sent.
  const report = auditLogs(auditDir, join(REPO_ROOT, '.stack', 'test-logs'), Number(process.env.WIDGET_LOG_AUDIT_STARTED ?? 0));
  console.log(`\nlog audit: ${report.files} log files, ${report.lines} lines, ${report.values} recorded values of personal data and secrets, ${report.leaks.length} found`);
  if (report.leaks.length > 0) {
    throw new Error(`log audit: personal data or secrets in the logs (log-audit.ts):\n${report.leaks.slice(0, 20).join('\n')}`);
  }
}
