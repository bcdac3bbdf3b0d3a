import { Injectable } from '@nestjs/common';
import { InjectLogger, NatsBus, UnitOfWork } from '@widget/common';
import { SessionRpc, TeamRpc } from '@widget/contracts';
import type { Logger } from 'pino';
import { EndpointDisabledNotifier } from '../webhooks/endpoint-disabled.notifier';
import type { WebhookRow } from '../webhooks/webhooks.repository';
import { MailQueueRepository } from './mail-queue.repository';
import { MailSender } from './mail-sender';
import { webhookDisabledMail } from './templates';

/**
 * SPEC §16 "owners are told": the webhooks feature's notifier, by email. Besides what the webhook itself
 * records (and the log line), each active owner of the workspace gets one mail per disabling.
 */
@Injectable()
export class WebhookDisabledMail extends EndpointDisabledNotifier {
  private readonly logger: Logger;

  constructor(
    private readonly bus: NatsBus,
    private readonly queue: MailQueueRepository,
    private readonly sender: MailSender,
    private readonly uow: UnitOfWork,
    @InjectLogger() logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'WebhookDisabledMail' });
  }

  override async endpointDisabled(webhook: WebhookRow): Promise<void> {
    this.logger.warn(`webhook ${webhook.id} of workspace ${webhook.workspace_id} disabled: its deliveries failed for the whole retry window`);
    if (!this.sender.enabled) return;
    const members = await this.bus.send(TeamRpc.listMembers, { workspaceId: webhook.workspace_id });
    const owners = members.filter((m) => m.role === 'owner' && m.status === 'active');
    if (owners.length === 0) return;
    const workspace = await this.bus.send(SessionRpc.getWorkspace, { workspaceId: webhook.workspace_id });
    const rendered = webhookDisabledMail({ workspaceName: workspace.name, url: webhook.url, webhookId: webhook.id });
    const disabledAt = (webhook.disabled_at ?? this.uow.now()).toISOString();
    // The team and session services were asked above, outside the unit of work.
    await this.uow.run({}, async (tx) => {
      for (const owner of owners) {
        await this.queue.enqueue(tx, {
          kind: 'webhook_disabled',
          workspaceId: webhook.workspace_id,
          conversationId: null,
          sessionId: null,
          userId: null,
          recipient: owner.email,
          dedupeKey: `webhook-disabled:${webhook.id}:${disabledAt}:${owner.id}`,
          content: { ...rendered, headers: { 'Auto-Submitted': 'auto-generated' } },
        }, tx.newId('mail'));
      }
    });
  }
}
