import { DynamicModule, Module } from '@nestjs/common';
import { CONFIG, Metrics, metricsController, NatsBus } from '@widget/common';
import type { Logger } from 'pino';
import type { RealtimeConfig } from './config';
import { DeliveryListener } from './delivery/delivery.listener';
import { HandshakeService } from './handshake/handshake.service';
import { WidgetDirectory } from './handshake/widget-directory';
import { HealthController } from './health/health.controller';
import { LOGGER } from './logger.token';
import { RealtimeGateway } from './realtime.gateway';
import { ReplayService } from './replay/replay.service';
import { SocketHub } from './socket-hub';
import { TypingService } from './typing/typing.service';

/** The realtime edge: handshake checks, NATS → rooms delivery, reconnect replay, typing relay; probes and /metrics on its port. */
@Module({})
export class RealtimeModule {
  static register(config: RealtimeConfig, logger: Logger): DynamicModule {
    return {
      module: RealtimeModule,
      controllers: [DeliveryListener, HealthController, metricsController()],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: NatsBus, useFactory: () => new NatsBus({ url: config.NATS_URL, requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS, name: 'realtime' }) },
        { provide: Metrics, useFactory: () => new Metrics('realtime') },
        SocketHub,
        WidgetDirectory,
        HandshakeService,
        ReplayService,
        TypingService,
        RealtimeGateway,
      ],
    };
  }
}
