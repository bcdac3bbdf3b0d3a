import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { DomainEventConsumer } from './consumer/domain-event-consumer';
import { IntegrationsCoreModule } from './core.module';
import { IntegrationsPrivacyService } from './domain/privacy.service';
import { PrivacyHandler } from './handlers/privacy.handler';
import { WebhooksModule } from './webhooks/webhooks.module';
import { EmailModule } from './email/email.module';

/**
 * Webhooks (SPEC §16) and email (SPEC §15), fed by the durable consumer of the
 * domain events (docs/integrations.md). A feature is a module of its own
 * (webhooks/, email/) listed here; its providers mark their event handlers with
 * `@OnDomainEvent(...)` and it registers the tables that hold a person's data
 * with `PersonData` (IntegrationsCoreModule, global).
 */
@Module({
  imports: [DiscoveryModule, IntegrationsCoreModule, WebhooksModule, EmailModule],
  controllers: [PrivacyHandler],
  providers: [DomainEventConsumer, IntegrationsPrivacyService],
})
export class IntegrationsModule {}
