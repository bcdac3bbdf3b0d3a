import { loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';

export const eventsEnv = serviceEnv.extend({
  EVENTS_MAINTENANCE_INTERVAL_MS: z.coerce.number().int().min(60_000).default(6 * 3600_000),
  /** Must exceed the accepted occurredAt age (30 days): ids younger than this are never stored twice. */
  EVENTS_DEDUP_RETENTION_DAYS: z.coerce.number().int().min(31).max(3650).default(35),
});
export type EventsConfig = z.infer<typeof eventsEnv>;

export const loadEventsConfig = () => loadConfig(eventsEnv);
