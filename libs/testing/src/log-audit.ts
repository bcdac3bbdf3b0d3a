import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The suite-wide log audit. While `npm test` runs, every value of personal
 * data or secret that a spec sends or receives through the test clients
 * (`Api`, `AdminApi`, the factories) is recorded; after the last spec, the
 * global teardown searches every process log the run wrote (the shared stack,
 * and every stack and extra process a spec started) for each of them.
 *
 * Recorded: bearer tokens, `token`/`secret` in bodies and replies, and strings
 * a visitor or operator writes (message text, subjects, questions, emails,
 * names, form values, metadata, traits). Values are kept only when long and
 * varied enough that finding one in a log cannot be a coincidence.
 */
export const LOG_AUDIT_DIR_VARIABLE = 'WIDGET_LOG_AUDIT_DIR';

/** Keys whose string value is itself personal data or a secret. */
const SENSITIVE_KEYS = new Set(['text', 'message', 'subject', 'question', 'email', 'phone', 'token', 'secret', 'note', 'details', 'password', 'inviteToken']);
/** Objects whose every string is: who the person is, what they typed in a form, what the site said of them. */
const SENSITIVE_CONTAINERS = new Set(['user', 'author', 'company', 'values', 'metadata', 'customFields', 'traits', 'attributes', 'properties']);

/** Long enough and varied enough that a log line holding it is no coincidence. */
export function auditable(value: string): boolean {
  if (value.length < 10 || value.length > 4096) return false;
  const alnum = new Set(value.toLowerCase().replace(/[^a-z0-9]/g, ''));
  return alnum.size >= 5;
}

/** The sensitive strings of a JSON value (a request or reply body). */
export function sensitiveStrings(value: unknown, key = '', inside = false, out: string[] = []): string[] {
  if (typeof value === 'string') {
    if ((inside || SENSITIVE_KEYS.has(key)) && auditable(value)) out.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) sensitiveStrings(item, key, inside, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) sensitiveStrings(v, k, inside || SENSITIVE_CONTAINERS.has(k), out);
  }
  return out;
}

/** What this process already recorded: a token sent on every request is written once. */
const recorded = new Set<string>();

/** Records values for the audit (a no-op outside `npm test`'s global setup). One file per process: workers append in parallel. */
export function recordSensitive(...values: unknown[]): void {
  const dir = process.env[LOG_AUDIT_DIR_VARIABLE];
  if (!dir) return;
  const keep = values.filter((v): v is string => typeof v === 'string' && auditable(v) && !recorded.has(v));
  if (keep.length === 0) return;
  for (const v of keep) recorded.add(v);
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, `values-${process.pid}.jsonl`), keep.map((v) => JSON.stringify(v)).join('\n') + '\n');
}

export interface LogAuditReport {
  files: number;
  lines: number;
  values: number;
  leaks: string[];
}

/** Every `*.log` under `root` written since `sinceMs`, searched for every recorded value. */
export function auditLogs(auditDir: string, root: string, sinceMs: number): LogAuditReport {
  const values = new Set<string>();
  if (existsSync(auditDir)) {
    for (const f of readdirSync(auditDir)) {
      if (!f.startsWith('values-')) continue;
      for (const line of readFileSync(join(auditDir, f), 'utf8').split('\n')) if (line) values.add(JSON.parse(line) as string);
    }
  }
  const files: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.log') && statSync(path).mtimeMs >= sinceMs) files.push(path);
    }
  };
  walk(root);
  const leaks: string[] = [];
  let lines = 0;
  for (const file of files) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line) continue;
      lines++;
      for (const value of values) {
        if (line.includes(value)) leaks.push(`${file}: ${JSON.stringify(value.slice(0, 40))}…: ${line.slice(0, 300)}`);
      }
    }
  }
  return { files: files.length, lines, values: values.size, leaks };
}
