import { DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { GatewayConfig } from './config';
import { ConversationsGatewayModule } from './conversations/conversations.module';
import { GatewayCoreModule } from './core.module';
import { HealthController } from './health/health.controller';
import { OpenApiController } from './openapi/openapi.controller';
import { WidgetThrottlerGuard } from './http/throttler.guard';
import { SessionsGatewayModule } from './widget/sessions.module';
import { KnowledgeGatewayModule } from './knowledge/knowledge.module';
import { FormsGatewayModule } from './forms/forms.module';
import { EventsGatewayModule } from './events/events.module';

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
        ThrottlerModule.forRoot({
          throttlers: [{ name: 'default', ttl: config.RATE_LIMIT_WINDOW_MS, limit: config.RATE_LIMIT_MAX }],
          skipIf: (context) => context.getType() !== 'http',
        }),
        SessionsGatewayModule,
        KnowledgeGatewayModule,
        FormsGatewayModule,
        EventsGatewayModule,
        ConversationsGatewayModule,
      ],
      controllers: [HealthController, OpenApiController],
      providers: [{ provide: APP_GUARD, useClass: WidgetThrottlerGuard }],
    };
  }
}
