import { eventStreamEnvShape, loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';

export const eventsEnv = serviceEnv.extend({
  EVENTS_MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(60_000).default(6 * 3600_000),
  /** Must exceed the accepted occurredAt age (30 days): ids younger than this are never stored twice. */
  EVENTS_DEDUP_RETENTION_DAYS: z.coerce.number().int().min(31).max(3650).default(35),
  /** EVENT_STREAM_MAX_AGE_HOURS, EVENT_STREAM_REPLICAS, EVENT_ACK_WAIT_MS: the domain-event stream and its durable consumer (libs/common jetstream). */
  ...eventStreamEnvShape,
  /** Lifecycle facts written in one statement at most (those pulled from the stream while the previous batch was written; docs/forms-events.md). */
  EVENTS_LIFECYCLE_BATCH_MAX: z.coerce.number().int().min(1).max(5000).default(500),
  /** Fewer facts than a batch wait at most this long for more (0: written at once): at a trickle of traffic, one statement for several. */
  EVENTS_LIFECYCLE_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(100),
  /** How often each workspace's `retention.eventDays` is enforced (SPEC §17; docs/forms-events.md, "Retention"). */
  /** The share of wall-clock time a retention sweep may work (0.05–1): after each batch it pauses for the rest (docs/benchmarks.md). */
  RETENTION_SWEEP_SHARE: z.coerce.number().min(0.05).max(1).default(0.25),
  RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(200).max(7 * 86_400_000).default(3600_000),
  /** Rows a sweep deletes per statement (one short transaction each). */
  RETENTION_SWEEP_BATCH_ROWS: z.coerce.number().int().min(1).max(50_000).default(5000),
});
export type EventsConfig = z.infer<typeof eventsEnv>;

export const loadEventsConfig = () => loadConfig(eventsEnv);
