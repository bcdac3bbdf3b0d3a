import { Module, OnModuleInit } from '@nestjs/common';
import { Metrics, unitOfWorkProviders } from '@widget/common';
import { IntegrationsCoreModule } from '../core.module';
import { PersonData } from '../domain/person-data';
import { WebhooksHandler } from '../handlers/webhooks.handler';
import { DeliveryWorker } from './delivery-worker';
import { EndpointDisabledNotifier } from './endpoint-disabled.notifier';
import { EmailModule } from '../email/email.module';
import { WebhookDisabledMail } from '../email/webhook-disabled.mail';
import { WebhookEventsListener } from './webhook-events.listener';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** SPEC §16: registration, the deliveries the domain events make, and the worker that sends them. */
@Module({
  // Owners are told by email (issue 22 B): the email feature's notifier stands in for the log-only one. The core
  // module is global; it is named here too so the webhooks feature stands on its own (its service test).
  imports: [IntegrationsCoreModule, EmailModule],
  controllers: [WebhooksHandler],
  providers: [
    // The write path of the operator API (one unit of work per write); a service test replaces its Clock and Ids.
    ...unitOfWorkProviders(),
    WebhooksRepository,
    WebhooksService,
    WebhookEventsListener,
    DeliveryWorker,
    { provide: EndpointDisabledNotifier, useExisting: WebhookDisabledMail },
  ],
})
export class WebhooksModule implements OnModuleInit {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly personData: PersonData,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    // SPEC §17: a delivery's body carries the visitor's data (their messages, their profile).
    this.personData.register({
      table: 'webhook_deliveries',
      erase: (m, person) => this.repo.erasePerson(m, person),
      exportRows: (person, afterId, limit) => this.repo.exportPerson(person, afterId, limit),
    });
    let reading: ReturnType<WebhooksRepository['backlog']> | null = null;
    const backlog = () => (reading ??= this.repo.backlog().finally(() => (reading = null)));
    this.metrics.gaugeFromCallback('webhook_deliveries_pending', 'Webhook deliveries not yet delivered (due now or waiting for a retry).', async () => (await backlog()).pending);
    this.metrics.gaugeFromCallback(
      'webhook_deliveries_due_age_seconds',
      'How long the oldest due webhook delivery has waited (0 when none is due).',
      async () => (await backlog()).oldestDueSeconds,
    );
  }
}
