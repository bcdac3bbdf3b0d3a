import type { Metrics } from '@widget/common';

export interface QueueBacklog {
  pending: number;
  oldestDueSeconds: number;
}

/**
 * The two /metrics gauges of a queue kept in PostgreSQL (`<name>_pending`, `<name>_due_age_seconds`), read
 * with one query per scrape however many gauges ask: the mail queue (email/), and any other queue of this service.
 */
export function queueGauges(metrics: Metrics, name: string, what: string, read: () => Promise<QueueBacklog>): void {
  let reading: Promise<QueueBacklog> | null = null;
  const backlog = () => (reading ??= read().finally(() => (reading = null)));
  metrics.gaugeFromCallback(`${name}_pending`, `${what} not yet sent (due now or waiting for a retry).`, async () => (await backlog()).pending);
  metrics.gaugeFromCallback(`${name}_due_age_seconds`, `How long the oldest due ${what.toLowerCase()} has waited (0 when none is due).`, async () => (await backlog()).oldestDueSeconds);
}
