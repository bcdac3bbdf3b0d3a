import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AttachmentsGatewayModule } from './attachments/attachments.module';
import type { GatewayConfig } from './config';
import { ConversationsGatewayModule } from './conversations/conversations.module';
import { GatewayCoreModule } from './core.module';
import { AdminOpenApiController, OpenApiController } from './openapi/openapi.controller';
import { EdgeLimitGuard } from './limits/limit-guards';
import { SessionsGatewayModule } from './widget/sessions.module';
import { KnowledgeGatewayModule } from './knowledge/knowledge.module';
import { FormsGatewayModule } from './forms/forms.module';
import { EventsGatewayModule } from './events/events.module';
import { TeamGatewayModule } from './team/team.module';
import { PrivacyGatewayModule } from './privacy/privacy.module';
import { EmailGatewayModule } from './email/email.controller';
import { WebhooksGatewayModule } from './webhooks/webhooks.controller';

/**
 * The gateway: one feature module per upstream service, each holding that
 * service's widget and admin controllers. Controllers translate HTTP ↔
 * contract and hold no rules.
 */
@Module({})
export class GatewayModule {
  static register(config: GatewayConfig): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        GatewayCoreModule.register(config),
        SessionsGatewayModule,
        KnowledgeGatewayModule,
        FormsGatewayModule,
        EventsGatewayModule,
        ConversationsGatewayModule,
        AttachmentsGatewayModule,
        TeamGatewayModule,
        PrivacyGatewayModule,
        EmailGatewayModule,
        WebhooksGatewayModule,
      ],
      controllers: [OpenApiController, AdminOpenApiController],
      providers: [{ provide: APP_GUARD, useExisting: EdgeLimitGuard }],
    };
  }
}
