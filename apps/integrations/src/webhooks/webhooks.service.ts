import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, Errors, InjectConfig, SecretBox, StoredReply, Tx, UnitOfWork } from '@widget/common';
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
import type { IntegrationsConfig } from '../config';
import { DeliveryWorker } from './delivery-worker';
import { toDelivery, toWebhook, WebhooksRepository } from './webhooks.repository';

/** A signing secret per Standard Webhooks: `whsec_` and 32 random bytes, base64. */
const newSigningSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

type Ref = { workspaceId: string; webhookId: string; audit?: AuditContext };
type Created = { webhook: Webhook; secret: string; secretSealed: string };

/** The operator API of webhooks (SPEC §16): owner/admin only (the gateway's access rule), every write audited. */
@Injectable()
export class WebhooksService {
  private readonly box: SecretBox;
  /** The reply kept under an Idempotency-Key holds the secret sealed (the row's ciphertext), never in clear; a retry answers it opened. */
  private readonly storedReply: StoredReply<Created>;

  constructor(
    private readonly repo: WebhooksRepository,
    private readonly audit: AuditLog,
    private readonly worker: DeliveryWorker,
    private readonly uow: UnitOfWork,
    @InjectConfig() config: IntegrationsConfig,
  ) {
    const box = (this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY));
    this.storedReply = {
      save: (r) => ({ webhook: r.webhook, secretSealed: r.secretSealed }),
      load: (s) => {
        const stored = s as { webhook: Webhook; secretSealed: string };
        return { ...stored, secret: box.open(stored.secretSealed) };
      },
    };
  }

  /** The secret is shown here only; a retried create (same Idempotency-Key) shows the same one. */
  async create(req: { workspaceId: string; body: CreateWebhookBody; audit?: AuditContext; idempotency?: IdempotencyRequest }): Promise<CreatedWebhook> {
    const created = await this.uow.run({ idempotency: req.idempotency, storedReply: this.storedReply }, (tx) => this.createIn(tx, req));
    return { webhook: created.webhook, secret: created.secret };
  }

  private async createIn(tx: Tx, req: { workspaceId: string; body: CreateWebhookBody; audit?: AuditContext }): Promise<Created> {
    // One create at a time per workspace, so the count below holds.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`webhooks:${req.workspaceId}`]);
    if ((await this.repo.countIn(tx, req.workspaceId)) >= WEBHOOKS_PER_WORKSPACE_MAX) {
      throw new AppError('validation_error', `A workspace may have at most ${WEBHOOKS_PER_WORKSPACE_MAX} webhooks.`, { reason: 'too_many_webhooks' });
    }
    const secret = newSigningSecret();
    const secretSealed = this.box.seal(secret);
    const row = await this.repo.insert(tx, {
      id: tx.newId('webhook'),
      workspace_id: req.workspaceId,
      url: req.body.url,
      events: [...new Set(req.body.events)],
      description: req.body.description ?? null,
      secret_sealed: secretSealed,
      created_at: tx.now(),
    });
    await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'webhook.created', targetType: 'webhook', targetId: row.id });
    return { webhook: toWebhook(row), secret, secretSealed };
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
    const webhook = await this.uow.run({}, async (tx) => {
      const row = await this.repo.find(req.workspaceId, req.webhookId, tx, true);
      if (!row) throw Errors.notFound('webhook');
      const enabled = req.body.enabled ?? row.enabled;
      const next = await this.repo.update(tx, row.id, {
        url: req.body.url ?? row.url,
        events: req.body.events ? [...new Set(req.body.events)] : row.events,
        description: req.body.description === undefined ? row.description : req.body.description,
        enabled,
        disabled_at: enabled ? null : row.disabled_at,
        disabled_reason: enabled ? null : (row.disabled_reason ?? (req.body.enabled === false ? 'disabled_by_operator' : null)),
      }, tx.now());
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'webhook.updated', targetType: 'webhook', targetId: row.id });
      return toWebhook(next);
    });
    if (webhook.enabled) this.worker.poke();
    return webhook;
  }

  /** Its deliveries go with it. */
  async remove(req: Ref): Promise<{ deleted: true }> {
    await this.uow.run({}, async (tx) => {
      const row = await this.repo.find(req.workspaceId, req.webhookId, tx, true);
      if (!row) throw Errors.notFound('webhook');
      await this.repo.remove(tx, row.id);
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'webhook.deleted', targetType: 'webhook', targetId: row.id });
    });
    return { deleted: true };
  }

  /** A `webhook.test` delivery, signed and retried like any other. */
  async test(req: Ref): Promise<WebhookDelivery> {
    const delivery = await this.uow.run({}, async (tx) => {
      // Locked, so a delete at the same moment comes first (then 404) or after (taking this delivery with it).
      const row = await this.repo.find(req.workspaceId, req.webhookId, tx, true);
      if (!row) throw Errors.notFound('webhook');
      const id = tx.newId('delivery');
      const body = JSON.stringify({ type: 'webhook.test', timestamp: tx.now().toISOString(), data: { webhookId: row.id } });
      const created = await this.repo.insertDelivery(tx, { id, webhookId: row.id, workspaceId: row.workspace_id, event: 'webhook.test', eventKey: null, sessionId: null, userId: null, body });
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'webhook.tested', targetType: 'webhook', targetId: row.id });
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
    const delivery = await this.uow.run({}, async (tx) => {
      const row = await this.repo.findDelivery(tx, req.workspaceId, req.deliveryId);
      if (!row) throw Errors.notFound('delivery');
      const rearmed = await this.repo.rearm(tx, row.id);
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'webhook.delivery_retried', targetType: 'webhook_delivery', targetId: row.id });
      return toDelivery(rearmed);
    });
    this.worker.poke();
    return delivery;
  }
}
