import { encryptionKeyEnv, loadConfig, secretEnv, serviceEnv, urlEnv } from '@widget/common';
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
  /**
   * Routing (SPEC §14) asks the team service who is present for at most this long; past it (or when the team
   * service is down) the new conversation is left unassigned, so opening one never waits longer than this for it.
   */
  ROUTING_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(500),
  /** The attachment links' signing key is derived from it (HKDF), so every replica signs alike. */
  SECRET_ENCRYPTION_KEY: encryptionKeyEnv,
  /** How long an attachment's signed link works, in seconds (SPEC §13). */
  ATTACHMENT_URL_TTL: z.coerce.number().int().min(10).max(7 * 86400).default(900),
  /** How often unsent attachments older than an hour are deleted with their bytes. */
  ATTACHMENT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(60_000),
  /**
   * How often each replica applies the workspaces' retention settings (SPEC §17: conversationDays,
   * attachmentDays, asked of the session service), deleting what is older in batches.
   */
  /** The share of wall-clock time a retention sweep may work (0.05–1): after each batch it pauses for the rest (docs/benchmarks.md). */
  RETENTION_SWEEP_SHARE: z.coerce.number().min(0.05).max(1).default(0.25),
  RETENTION_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(86_400_000).default(3_600_000),
  /**
   * S3-compatible object storage for attachment bytes (MinIO, AWS S3, …): set S3_BUCKET to use it;
   * unset, the bytes are kept in PostgreSQL (conversation.attachment_chunks).
   */
  S3_BUCKET: z.string().min(3).max(63).optional(),
  S3_ENDPOINT: urlEnv(['http:', 'https:']).optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  S3_SECRET_ACCESS_KEY: secretEnv(z.string().min(1).optional(), { generate: 'the key of an S3/MinIO user allowed on S3_BUCKET' }),
  /** Path-style URLs (bucket in the path), as MinIO and most self-hosted stores need. */
  S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /** Object keys start with this (several deployments may share a bucket). */
  S3_KEY_PREFIX: z.string().max(200).default('attachments/'),
});
export type ConversationConfig = z.infer<typeof conversationEnv>;

export const loadConversationConfig = () => loadConfig(conversationEnv);
