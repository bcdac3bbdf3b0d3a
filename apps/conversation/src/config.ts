import { loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';

export const conversationEnv = serviceEnv.extend({
  /** How often the outbox poller looks for events the immediate relay could not publish. */
  OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(300),
  /** The poller leaves younger rows to the relay that is publishing them right after commit. */
  OUTBOX_MIN_AGE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /**
   * After NATS comes back, wait this long before publishing the backlog, so
   * subscribers (realtime replicas) reconnecting at the same moment have
   * resubscribed: core NATS keeps nothing for absent subscribers.
   */
  OUTBOX_RECONNECT_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  /** Published outbox rows are kept this long (debugging), then deleted. */
  OUTBOX_RETENTION_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(60),
});
export type ConversationConfig = z.infer<typeof conversationEnv>;

export const loadConversationConfig = () => loadConfig(conversationEnv);
