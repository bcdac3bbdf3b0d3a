import { AppSpec, checkRedis, ProbeErrorFilter } from '@widget/common';
import { RealtimeConfig, realtimeEnv } from './config';
import { PlainWsServer } from './codecs/plain-ws';
import { RealtimeIoAdapter } from './io.adapter';
import { RealtimeModule } from './realtime.module';
import { SocketHub } from './socket-hub';

/**
 * The realtime edge as the process kit runs it (main.ts alone, apps/server with the rest): no database; Redis
 * checked at start; socket.io, the plain WebSocket codec, the probes and /metrics on one port; a broadcast
 * (queue-less) NATS subscription, so every replica hears every event. Draining refuses new transports and
 * tells every client to reconnect (to another replica) before the listener closes.
 */
export const realtimeApp: AppSpec<RealtimeConfig> = {
  name: 'realtime',
  config: realtimeEnv,
  preflight: ({ config }) => checkRedis(config.REDIS_URL),
  module: ({ config }) => RealtimeModule.register(config),
  http: {
    port: (config) => config.PORT,
    host: (config) => config.HOST,
    backlog: (config) => config.LISTEN_BACKLOG,
    setup: (app, { config, logger }) => {
      app.useWebSocketAdapter(new RealtimeIoAdapter(app, config, app.get(SocketHub), app.get(PlainWsServer)));
      app.useGlobalFilters(new ProbeErrorFilter(logger));
    },
    // Idle keep-alive connections (probes, finished polls) would otherwise hold the listener open until they time out.
    closeIdleConnections: true,
  },
  nats: { connection: 'realtime-events' },
  drain: (app, { logger }) => {
    const hub = app.get(SocketHub);
    hub.draining = true;
    const closed = hub.closeTransports();
    logger.info({ closed }, 'realtime draining');
  },
};
