import { Body, Module, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import {
  AuditContext,
  CreatedWebhook,
  CreateWebhookBody,
  createWebhookBody,
  IdempotencyRequest,
  IntegrationsRpc,
  Page,
  PageQuery,
  PatchWebhookBody,
  patchWebhookBody,
  ROUTES,
  Webhook,
  WebhookDelivery,
  webhookDeliveriesQuery,
} from '@widget/contracts';
import { Access, Audit } from '../auth/access';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';

const workspaceParam = new IdParam('workspace');
const webhookParam = new IdParam('webhook');
const deliveryParam = new IdParam('delivery');

/** SPEC §16: a workspace's webhooks, owner/admin only; the integrations service holds them (docs/api.md, "Webhooks"). */
@AdminController()
export class WebhooksController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.createWebhook)
  @Access.inWorkspace('admin')
  create(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(createWebhookBody)) body: CreateWebhookBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<CreatedWebhook> {
    return this.bus.send(IntegrationsRpc.createWebhook, { workspaceId, body, audit, idempotency });
  }

  @Route(ROUTES.admin.listWebhooks)
  @Access.inWorkspace('admin')
  list(@Param('ws', workspaceParam) workspaceId: string): Promise<Page<Webhook>> {
    return this.bus.send(IntegrationsRpc.listWebhooks, { workspaceId });
  }

  @Route(ROUTES.admin.getWebhook)
  @Access.inWorkspace('admin')
  get(@Param('ws', workspaceParam) workspaceId: string, @Param('id', webhookParam) webhookId: string): Promise<Webhook> {
    return this.bus.send(IntegrationsRpc.getWebhook, { workspaceId, webhookId });
  }

  @Route(ROUTES.admin.patchWebhook)
  @Access.inWorkspace('admin')
  patch(
    @Param('ws', workspaceParam) workspaceId: string,
    @Param('id', webhookParam) webhookId: string,
    @Body(new ZodPipe(patchWebhookBody)) body: PatchWebhookBody,
    @Audit() audit: AuditContext,
  ): Promise<Webhook> {
    return this.bus.send(IntegrationsRpc.patchWebhook, { workspaceId, webhookId, body, audit });
  }

  @Route(ROUTES.admin.deleteWebhook)
  @Access.inWorkspace('admin')
  async remove(@Param('ws', workspaceParam) workspaceId: string, @Param('id', webhookParam) webhookId: string, @Audit() audit: AuditContext): Promise<void> {
    await this.bus.send(IntegrationsRpc.deleteWebhook, { workspaceId, webhookId, audit });
  }

  @Route(ROUTES.admin.testWebhook)
  @Access.inWorkspace('admin')
  test(@Param('ws', workspaceParam) workspaceId: string, @Param('id', webhookParam) webhookId: string, @Audit() audit: AuditContext): Promise<WebhookDelivery> {
    return this.bus.send(IntegrationsRpc.testWebhook, { workspaceId, webhookId, audit });
  }

  @Route(ROUTES.admin.listWebhookDeliveries)
  @Access.inWorkspace('admin')
  deliveries(
    @Param('ws', workspaceParam) workspaceId: string,
    @Param('id', webhookParam) webhookId: string,
    @Query(new ZodPipe(webhookDeliveriesQuery)) query: PageQuery,
  ): Promise<Page<WebhookDelivery>> {
    return this.bus.send(IntegrationsRpc.listDeliveries, { workspaceId, webhookId, cursor: query.cursor, limit: query.limit });
  }

  @Route(ROUTES.admin.retryWebhookDelivery)
  @Access.inWorkspace('admin')
  retry(@Param('ws', workspaceParam) workspaceId: string, @Param('id', deliveryParam) deliveryId: string, @Audit() audit: AuditContext): Promise<WebhookDelivery> {
    return this.bus.send(IntegrationsRpc.retryDelivery, { workspaceId, deliveryId, audit });
  }
}

@Module({ controllers: [WebhooksController] })
export class WebhooksGatewayModule {}
