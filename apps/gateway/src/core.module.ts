import { DynamicModule, Global, Module } from '@nestjs/common';
import { CONFIG, Limiter, LOGGER, NatsBus, natsConnectOptions } from '@widget/common';
import type { Logger } from 'pino';
import { AdminAccessGuard } from './auth/admin-access.guard';
import { OperatorCallers } from './auth/operator-callers';
import { ResourceWorkspaces } from './auth/resource-workspaces';
import { SessionCache } from './auth/session-cache';
import { WidgetAuthGuard } from './auth/widget-auth.guard';
import { WidgetDirectory } from './auth/widget-directory';
import type { GatewayConfig } from './config';
import { GatewayChecks } from './health/gateway-checks';
import { ActionLimitGuard, EdgeLimitGuard } from './limits/limit-guards';
import { gatewayLimiter } from './limits/limiter';

/** What every feature module of the gateway uses: config, the NATS client, the edge guards and caches. */
@Global()
@Module({})
export class GatewayCoreModule {
  static register(config: GatewayConfig): DynamicModule {
    const providers = [
      { provide: CONFIG, useValue: config },
      { provide: NatsBus, useFactory: () => new NatsBus({ connection: natsConnectOptions(config, 'gateway'), requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }) },
      SessionCache,
      WidgetDirectory,
      WidgetAuthGuard,
      OperatorCallers,
      ResourceWorkspaces,
      AdminAccessGuard,
      GatewayChecks,
      { provide: Limiter, useFactory: (logger: Logger) => gatewayLimiter(config, logger), inject: [LOGGER] },
      EdgeLimitGuard,
      ActionLimitGuard,
    ];
    return { module: GatewayCoreModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }
}
