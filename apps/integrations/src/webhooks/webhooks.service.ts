import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, Errors, IdempotencyStore, InjectConfig, newId, SecretBox, withinTransaction } from '@widget/common';
import {
  AuditContext,
  CreatedWebhook,
  CreateWebhookBody,
  IdempotencyRequest,
  Page,
  PatchWebhookBody,
  Webhook,
  WebhookDelivery,
  WEBHOOKS_PER_WORKSPACE_MAX,
} from '@widget/contracts';
import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { IntegrationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { toDelivery, toWebhook, WebhooksRepository } from './webhooks.repository';

/** A signing secret per Standard Webhooks: `whsec_` and 32 random bytes, base64. */
const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

type Ref = { workspaceId: string; webhookId: string; audit?: AuditContext };

/** The operator API of webhooks (SPEC §16): owner/admin only (the gateway's access rule), every write audited. */
@Injectable()
export class WebhooksService {
  private readonly box: SecretBox;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditLog,
    private readonly worker: DeliveryWorker,
    @InjectConfig() config: IntegrationsConfig,
  ) {
    this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
  }

  /** The secret is shown here only; a retried create (same Idempotency-Key) shows the same one. */
  async create(req: { workspaceId: string; body: CreateWebhookBody; audit?: AuditContext; idempotency?: IdempotencyRequest }): Promise<CreatedWebhook> {
    const stored = await this.idempotency.run(req.idempotency, (m) => withinTransaction(this.repo.dataSource, m, (t) => this.createIn(t, req)));
    return { webhook: stored.webhook, secret: this.box.open(stored.secretSealed) };
  }

  private async createIn(m: EntityManager, req: { workspaceId: string; body: CreateWebhookBody; audit?: AuditContext }): Promise<{ webhook: Webhook; secretSealed: string }> {
    // One create at a time per workspace, so the count below holds.
    await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`webhooks:${req.workspaceId}`]);
    if ((await this.repo.countIn(m, req.workspaceId)) >= WEBHOOKS_PER_WORKSPACE_MAX) {
      throw new AppError('validation_error', `A workspace may have at most ${WEBHOOKS_PER_WORKSPACE_MAX} webhooks.`, { reason: 'too_many_webhooks' });
    }
    const secretSealed = this.box.seal(newSigningSecret());
    const row = await this.repo.insert(m, {
      id: newId('webhook'),
      workspace_id: req.workspaceId,
      url: req.body.url,
      events: [...new Set(req.body.events)],
      description: req.body.description ?? null,
      secret_sealed: secretSealed,
      created_at: new Date(),
    });
    await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'webhook.created', targetType: 'webhook', targetId: row.id });
    return { webhook: toWebhook(row), secretSealed };
  }

  async list(workspaceId: string): Promise<Page<Webhook>> {
    return { data: (await this.repo.list(workspaceId)).map(toWebhook), nextCursor: null };
  }

  async get({ workspaceId, webhookId }: Ref): Promise<Webhook> {
    const row = await this.repo.find(workspaceId, webhookId);
    if (!row) throw Errors.notFound('webhook');
    return toWebhook(row);
  }

  /** `enabled: true` on a disabled endpoint turns it back on (its pending deliveries go out again). */
  async patch(req: Ref & { body: PatchWebhookBody }): Promise<Webhook> {
    const webhook = await this.repo.transaction(async (m) => {
      const row = await this.repo.find(req.workspaceId, req.webhookId, m, true);
      if (!row) throw Errors.notFound('webhook');
      const enabled = req.body.enabled ?? row.enabled;
      const next = await this.repo.update(m, row.id, {
        url: req.body.url ?? row.url,
        events: req.body.events ? [...new Set(req.body.events)] : row.events,
        description: req.body.description === undefined ? row.description : req.body.description,
        enabled,
        disabled_at: enabled ? null : row.disabled_at,
        disabled_reason: enabled ? null : (row.disabled_reason ?? (req.body.enabled === false ? 'disabled_by_operator' : null)),
      });
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'webhook.updated', targetType: 'webhook', targetId: row.id });
      return toWebhook(next);
    });
    if (webhook.enabled) this.worker.poke();
    return webhook;
  }

  /** Its deliveries go with it. */
  async remove(req: Ref): Promise<{ deleted: true }> {
    await this.repo.transaction(async (m) => {
      const row = await this.repo.find(req.workspaceId, req.webhookId, m, true);
      if (!row) throw Errors.notFound('webhook');
      await this.repo.remove(m, row.id);
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'webhook.deleted', targetType: 'webhook', targetId: row.id });
    });
    return { deleted: true };
  }

  /** A `webhook.test` delivery, signed and retried like any other. */
  async test(req: Ref): Promise<WebhookDelivery> {
    const delivery = await this.repo.transaction(async (m) => {
      // Locked, so a delete at the same moment comes first (then 404) or after (taking this delivery with it).
      const row = await this.repo.find(req.workspaceId, req.webhookId, m, true);
      if (!row) throw Errors.notFound('webhook');
      const id = newId('delivery');
      const body = JSON.stringify({ type: 'webhook.test', timestamp: new Date().toISOString(), data: { webhookId: row.id } });
      const created = await this.repo.insertDelivery(m, { id, webhookId: row.id, workspaceId: row.workspace_id, event: 'webhook.test', eventKey: null, sessionId: null, userId: null, body });
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'webhook.tested', targetType: 'webhook', targetId: row.id });
      return toDelivery(created!);
    });
    this.worker.poke();
    return delivery;
  }

  async deliveries(req: Ref & { cursor?: string; limit: number }): Promise<Page<WebhookDelivery>> {
    const row = await this.repo.find(req.workspaceId, req.webhookId);
    if (!row) throw Errors.notFound('webhook');
    const rows = await this.repo.deliveries(row.id, req.cursor, req.limit + 1);
    const data = rows.slice(0, req.limit).map(toDelivery);
    return { data, nextCursor: rows.length > req.limit ? data[data.length - 1].id : null };
  }

  /** Due again now with the same `webhook-id`; a delivery that already succeeded is sent once more (the operator asked). */
  async retry(req: { workspaceId: string; deliveryId: string; audit?: AuditContext }): Promise<WebhookDelivery> {
    const delivery = await this.repo.transaction(async (m) => {
      const row = await this.repo.findDelivery(m, req.workspaceId, req.deliveryId);
      if (!row) throw Errors.notFound('delivery');
      const rearmed = await this.repo.rearm(m, row.id);
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'webhook.delivery_retried', targetType: 'webhook_delivery', targetId: row.id });
      return toDelivery(rearmed);
    });
    this.worker.poke();
    return delivery;
  }
}
