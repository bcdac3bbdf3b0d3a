import { encryptionKeyEnv, eventStreamEnvShape, loadConfig, serviceEnv } from '@widget/common';
import { z } from 'zod';
import { emailEnvShape } from './email/email.config';

const flag = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false'])
    .default(fallback)
    .transform((v) => v === 'true');

export const integrationsEnv = serviceEnv.extend({
  /** Email (SPEC §15): SMTP_URL, EMAIL_FROM, EMAIL_UNREAD_DELAY, EMAIL_INBOUND_* … (src/email/email.config.ts). */
  ...emailEnvShape,
  /** Seals the webhooks' signing secrets at rest (and the secret an idempotent create keeps for its retries). */
  SECRET_ENCRYPTION_KEY: encryptionKeyEnv,
  /** SPEC §16: plain http endpoints are refused unless this is true (tests, private deployments). */
  WEBHOOK_ALLOW_HTTP: flag('false'),
  /** SPEC §16: endpoints resolving to a private, loopback or link-local address are refused unless this is true. */
  WEBHOOK_ALLOW_PRIVATE: flag('false'),
  /** One attempt gets no answer for this long: it failed (`timeout`). */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** First retry after this long; each next one waits 3 times longer (docs/api.md, "Webhooks"). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(10).max(3_600_000).default(5000),
  /** A delivery is retried for this long after its first attempt; then it failed and its endpoint is disabled. */
  WEBHOOK_RETRY_WINDOW_MS: z.coerce.number().int().min(100).max(7 * 24 * 3_600_000).default(24 * 3_600_000),
  /** Endpoints one replica delivers to at once (each endpoint gets one attempt at a time). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** How often a replica looks for deliveries that are due (new ones are also started at once). */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Delivered and failed deliveries are kept this long in the delivery log (pending ones until they end). */
  WEBHOOK_LOG_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** EVENT_STREAM_MAX_AGE_HOURS, EVENT_STREAM_REPLICAS, EVENT_ACK_WAIT_MS: the domain-event stream and its durable consumer (libs/common jetstream). */
  ...eventStreamEnvShape,
  /**
   * Fewer domain events than a batch wait at most this long for more before their interest checks and handlers run
   * (0: each at once): at a trickle of chat, one query serves several. A webhook hears what is handled after it
   * exists, so one created within this long after an event may hear it too.
   */
  INTEGRATIONS_EVENT_LINGER_MS: z.coerce.number().int().min(0).max(5000).default(50),
});
export type IntegrationsConfig = z.infer<typeof integrationsEnv>;

export const loadIntegrationsConfig = () => loadConfig(integrationsEnv);
