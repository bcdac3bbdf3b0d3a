import { Controller } from '@nestjs/common';
import { AuditLog, Handles } from '@widget/common';
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

  @Handles(IntegrationsRpc.createWebhook)
  create(req: Req<'createWebhook'>): Res<'createWebhook'> {
    return this.webhooks.create(req);
  }

  @Handles(IntegrationsRpc.listWebhooks)
  list(req: Req<'listWebhooks'>): Res<'listWebhooks'> {
    return this.webhooks.list(req.workspaceId);
  }

  @Handles(IntegrationsRpc.getWebhook)
  get(req: Req<'getWebhook'>): Res<'getWebhook'> {
    return this.webhooks.get(req);
  }

  @Handles(IntegrationsRpc.patchWebhook)
  patch(req: Req<'patchWebhook'>): Res<'patchWebhook'> {
    return this.webhooks.patch(req);
  }

  @Handles(IntegrationsRpc.deleteWebhook)
  remove(req: Req<'deleteWebhook'>): Res<'deleteWebhook'> {
    return this.webhooks.remove(req);
  }

  @Handles(IntegrationsRpc.testWebhook)
  test(req: Req<'testWebhook'>): Res<'testWebhook'> {
    return this.webhooks.test(req);
  }

  @Handles(IntegrationsRpc.listDeliveries)
  deliveries(req: Req<'listDeliveries'>): Res<'listDeliveries'> {
    return this.webhooks.deliveries(req);
  }

  @Handles(IntegrationsRpc.retryDelivery)
  retry(req: Req<'retryDelivery'>): Res<'retryDelivery'> {
    return this.webhooks.retry(req);
  }

  @Handles(IntegrationsRpc.auditLog)
  auditLog(req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
