import { Injectable } from '@nestjs/common';
import { InjectLogger } from '@widget/common';
import type { Logger } from 'pino';
import type { WebhookRow } from './webhooks.repository';

/**
 * Tells a workspace's owners that an endpoint was disabled after 24 h of failed
 * retries (SPEC §16). The webhook itself records it (`enabled: false`,
 * `disabledAt`, `disabledReason: "delivery_failed"`), which the operator API
 * shows. Email to the owners goes through the mail queue of the email feature
 * (issue 22 B): it provides this class with `useClass` of its own; until then
 * this one only logs (ids only).
 */
@Injectable()
export class EndpointDisabledNotifier {
  private readonly logger: Logger;

  constructor(@InjectLogger() logger: Logger) {
    this.logger = logger.child({ component: 'EndpointDisabledNotifier' });
  }

  async endpointDisabled(webhook: WebhookRow): Promise<void> {
    this.logger.warn(`webhook ${webhook.id} of workspace ${webhook.workspace_id} disabled: its deliveries failed for the whole retry window`);
  }
}
