import { DynamicModule, Module } from '@nestjs/common';
import { CONFIG, Limiter, Metrics, metricsController, NatsBus, natsConnectOptions } from '@widget/common';
import type { Logger } from 'pino';
import type { RealtimeConfig } from './config';
import { PlainWsServer } from './codecs/plain-ws';
import { SocketIoGateway } from './codecs/socketio.gateway';
import { DeliveryCore } from './core/delivery-core';
import { DeliveryListener } from './delivery/delivery.listener';
import { HANDSHAKE_LIMIT, HandshakeService } from './handshake/handshake.service';
import { Revocations } from './handshake/revocations';
import { WidgetDirectory } from './handshake/widget-directory';
import { HealthController } from './health/health.controller';
import { LOGGER } from './logger.token';
import { PresenceService } from './presence/presence.service';
import { ReplayService } from './replay/replay.service';
import { SocketHub } from './socket-hub';
import { TypingService } from './typing/typing.service';

/**
 * The realtime edge: one delivery core (handshake checks, NATS → rooms, reconnect replay, typing, widget checks)
 * behind two codecs (socket.io, plain WebSocket); probes and /metrics on its port.
 */
@Module({})
export class RealtimeModule {
  static register(config: RealtimeConfig, logger: Logger): DynamicModule {
    return {
      module: RealtimeModule,
      controllers: [DeliveryListener, HealthController, metricsController()],
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        { provide: NatsBus, useFactory: () => new NatsBus({ connection: natsConnectOptions(config, 'realtime'), requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }) },
        { provide: Metrics, useFactory: () => new Metrics('realtime') },
        // The gateway's Redis buckets: new connections are charged here, whichever way they arrive (docs/limits.md).
        {
          provide: Limiter,
          useFactory: () => new Limiter({ redisUrl: config.REDIS_URL, keyPrefix: config.RATE_LIMIT_KEY_PREFIX, rules: { [HANDSHAKE_LIMIT]: config.RATE_LIMIT_ADDRESS_REALTIME } }),
        },
        SocketHub,
        WidgetDirectory,
        Revocations,
        HandshakeService,
        ReplayService,
        TypingService,
        PresenceService,
        DeliveryCore,
        SocketIoGateway,
        PlainWsServer,
      ],
    };
  }
}
