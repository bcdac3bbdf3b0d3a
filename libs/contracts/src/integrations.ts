import { z } from 'zod';
import { Idempotent, Page, pageQuery } from './common';
import { privacyRpcs } from './privacy';
import { Audited, auditLogRpc } from './team';
import { rpc, SUBJECT_PREFIX } from './transport';

/**
 * The integrations service (issue 22): webhooks (SPEC §16) and email (SPEC §15),
 * fed by a durable JetStream consumer of the domain events (docs/integrations.md).
 */

// ---- The domain-event stream ----

/**
 * The JetStream stream that keeps the domain events the integrations and
 * events services consume, one per NATS_SUBJECT_PREFIX: `domain-events`, or
 * `staging-domain-events` for `staging.`. Its subjects are the events their
 * grants' `consumes` name (`domainEventSubjects()`); each has a durable
 * consumer of its own (`domainEventConsumer(principal)`).
 */
export function domainEventStream(prefix: string = SUBJECT_PREFIX): string {
  const namespace = prefix.replace(/\.$/, '').replace(/\./g, '-');
  return namespace ? `${namespace}-domain-events` : 'domain-events';
}

// ---- Webhooks (SPEC §16) ----

export const WEBHOOK_EVENT_TYPES = ['conversation.created', 'conversation.updated', 'message.created', 'form.submitted', 'visitor.identified'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_URL_MAX = 2048;
export const WEBHOOK_DESCRIPTION_MAX = 255;
/** Endpoints one workspace may register. */
export const WEBHOOKS_PER_WORKSPACE_MAX = 20;

/** Why a URL is refused (SPEC §16), or null: credentials, a scheme other than http(s), not a URL. */
export function webhookUrlProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:pass@)';
  if (url.hash !== '') return 'must not have a fragment';
  return null;
}

const webhookUrl = z
  .string()
  .trim()
  .min(1)
  .max(WEBHOOK_URL_MAX)
  .superRefine((v, ctx) => {
    const problem = webhookUrlProblem(v);
    if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
  });
const webhookEvents = z
  .array(z.enum(WEBHOOK_EVENT_TYPES, { errorMap: () => ({ message: `must be one of ${WEBHOOK_EVENT_TYPES.join(', ')}` }) }))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2);
const webhookDescription = z.string().trim().max(WEBHOOK_DESCRIPTION_MAX);

export const createWebhookBody = z.object({ url: webhookUrl, events: webhookEvents, description: webhookDescription.optional() }).strict();
export type CreateWebhookBody = z.infer<typeof createWebhookBody>;
/** `enabled: true` turns an endpoint the retries disabled back on. */
export const patchWebhookBody = z
  .object({ url: webhookUrl.optional(), events: webhookEvents.optional(), description: webhookDescription.nullable().optional(), enabled: z.boolean().optional() })
  .strict();
export type PatchWebhookBody = z.infer<typeof patchWebhookBody>;
export const webhookDeliveriesQuery = pageQuery;

export interface Webhook {
  id: string;
  url: string;
  events: WebhookEventType[];
  description: string | null;
  enabled: boolean;
  /** Set when the retries gave up (`delivery_failed`) and the endpoint was disabled; null while enabled. */
  disabledAt: string | null;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface CreatedWebhook {
  webhook: Webhook;
  /** `whsec_…`: the signing secret, shown only here. */
  secret: string;
}

export type WebhookDeliveryStatus = 'pending' | 'succeeded' | 'failed';

export interface WebhookDelivery {
  /** Also the `webhook-id` header of every attempt. */
  id: string;
  webhookId: string;
  event: WebhookEventType | 'webhook.test';
  status: WebhookDeliveryStatus;
  attempts: number;
  /** HTTP status of the last attempt; null before one, or when it got no answer. */
  lastStatus: number | null;
  /** Why the last attempt failed without a status (`timeout`, `refused`, `address_not_allowed`, …). */
  lastError: string | null;
  /** When the next attempt is due; null once it succeeded or failed for good. */
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

type WebhookRef = { workspaceId: string; webhookId: string };

export const IntegrationsRpc = {
  createWebhook: rpc<{ workspaceId: string; body: CreateWebhookBody } & Audited & Idempotent, CreatedWebhook>(
    'integrations.webhooks.create',
  ),
  listWebhooks: rpc<{ workspaceId: string }, Page<Webhook>>('integrations.webhooks.list'),
  getWebhook: rpc<WebhookRef, Webhook>('integrations.webhooks.get'),
  patchWebhook: rpc<WebhookRef & { body: PatchWebhookBody } & Audited, Webhook>('integrations.webhooks.patch'),
  deleteWebhook: rpc<WebhookRef & Audited, { deleted: true }>('integrations.webhooks.delete'),
  /** Queues a `webhook.test` delivery (signed like every other); the delivery log shows how it went. */
  testWebhook: rpc<WebhookRef & Audited, WebhookDelivery>('integrations.webhooks.test'),
  listDeliveries: rpc<WebhookRef & { cursor?: string; limit: number }, Page<WebhookDelivery>>('integrations.webhooks.deliveries'),
  /** A delivery due again now with the same `webhook-id`, attempts kept (a failed one gets a fresh 24 h); a disabled webhook's waits until it is enabled again. */
  retryDelivery: rpc<{ workspaceId: string; deliveryId: string } & Audited, WebhookDelivery>('integrations.deliveries.retry'),

  /** Webhook writes this service recorded (SPEC §14). */
  auditLog: auditLogRpc('integrations'),
  /** SPEC §17: this service's part of erasing and exporting one person (delivery payloads; mail, issue 22 B). */
  ...privacyRpcs('integrations'),
} as const;
