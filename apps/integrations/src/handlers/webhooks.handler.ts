import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuditLog } from '@widget/common';
import { IntegrationsRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { WebhooksService } from '../webhooks/webhooks.service';

type Req<K extends keyof typeof IntegrationsRpc> = RpcRequest<(typeof IntegrationsRpc)[K]>;
type Res<K extends keyof typeof IntegrationsRpc> = Promise<RpcReply<(typeof IntegrationsRpc)[K]>>;

/** SPEC §16: the operator API of webhooks, as the gateway forwards it. */
@Controller()
export class WebhooksHandler {
  constructor(
    private readonly webhooks: WebhooksService,
    private readonly audit: AuditLog,
  ) {}

  @MessagePattern(IntegrationsRpc.createWebhook.subject)
  create(@Payload() req: Req<'createWebhook'>): Res<'createWebhook'> {
    return this.webhooks.create(req);
  }

  @MessagePattern(IntegrationsRpc.listWebhooks.subject)
  list(@Payload() req: Req<'listWebhooks'>): Res<'listWebhooks'> {
    return this.webhooks.list(req.workspaceId);
  }

  @MessagePattern(IntegrationsRpc.getWebhook.subject)
  get(@Payload() req: Req<'getWebhook'>): Res<'getWebhook'> {
    return this.webhooks.get(req);
  }

  @MessagePattern(IntegrationsRpc.patchWebhook.subject)
  patch(@Payload() req: Req<'patchWebhook'>): Res<'patchWebhook'> {
    return this.webhooks.patch(req);
  }

  @MessagePattern(IntegrationsRpc.deleteWebhook.subject)
  remove(@Payload() req: Req<'deleteWebhook'>): Res<'deleteWebhook'> {
    return this.webhooks.remove(req);
  }

  @MessagePattern(IntegrationsRpc.testWebhook.subject)
  test(@Payload() req: Req<'testWebhook'>): Res<'testWebhook'> {
    return this.webhooks.test(req);
  }

  @MessagePattern(IntegrationsRpc.listDeliveries.subject)
  deliveries(@Payload() req: Req<'listDeliveries'>): Res<'listDeliveries'> {
    return this.webhooks.deliveries(req);
  }

  @MessagePattern(IntegrationsRpc.retryDelivery.subject)
  retry(@Payload() req: Req<'retryDelivery'>): Res<'retryDelivery'> {
    return this.webhooks.retry(req);
  }

  @MessagePattern(IntegrationsRpc.auditLog.subject)
  auditLog(@Payload() req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
