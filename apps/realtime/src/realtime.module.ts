import { DynamicModule, Module } from '@nestjs/common';
import { Limiter, LOGGER, metricsController, NatsBus, natsConnectOptions } from '@widget/common';
import type { Logger } from 'pino';
import type { RealtimeConfig } from './config';
import { PlainWsServer } from './codecs/plain-ws';
import { SocketIoGateway } from './codecs/socketio.gateway';
import { DeliveryCore } from './core/delivery-core';
import { DeliveryListener } from './delivery/delivery.listener';
import { HANDSHAKE_LIMIT, HandshakeService } from './handshake/handshake.service';
import { Revocations } from './handshake/revocations';
import { WidgetDirectory } from './handshake/widget-directory';
import { RealtimeChecks } from './health/realtime-checks';
import { PresenceService } from './presence/presence.service';
import { ReplayService } from './replay/replay.service';
import { SocketHub } from './socket-hub';
import { TypingService } from './typing/typing.service';

/**
 * The realtime edge: one delivery core (handshake checks, NATS → rooms, reconnect replay, typing, widget checks)
 * behind two codecs (socket.io, plain WebSocket); probes (the process kit's) and /metrics on its port.
 */
@Module({})
export class RealtimeModule {
  static register(config: RealtimeConfig): DynamicModule {
    return {
      module: RealtimeModule,
      controllers: [DeliveryListener, metricsController()],
      providers: [
        { provide: NatsBus, useFactory: () => new NatsBus({ connection: natsConnectOptions(config, 'realtime'), requestTimeoutMs: config.NATS_REQUEST_TIMEOUT_MS }) },
        // The gateway's Redis buckets: new connections are charged here, whichever way they arrive (docs/limits.md).
        {
          provide: Limiter,
          useFactory: (logger: Logger) =>
            new Limiter({ logger, redisUrl: config.REDIS_URL, keyPrefix: config.RATE_LIMIT_KEY_PREFIX, rules: { [HANDSHAKE_LIMIT]: config.RATE_LIMIT_ADDRESS_REALTIME } }),
          inject: [LOGGER],
        },
        SocketHub,
        RealtimeChecks,
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
