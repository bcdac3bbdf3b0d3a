import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { checkNats, checkRedis, ConfigError, createLogger, Metrics, natsConnectOptions, NatsMetricsInterceptor, natsServerOptions, PinoNestLogger, RpcErrorFilter } from '@widget/common';
import { loadRealtimeConfig, RealtimeConfig } from './config';
import { PlainWsServer } from './codecs/plain-ws';
import { RealtimeIoAdapter } from './io.adapter';
import { RealtimeModule } from './realtime.module';
import { SocketHub } from './socket-hub';

/** Past this, a shutdown that still waits on a peer is cut short. */
const SHUTDOWN_DEADLINE_MS = 5000;

/**
 * Realtime owns no database, so it does not go through bootstrapService: config,
 * NATS and Redis preflight, then socket.io, the probes and /metrics on one port, and a broadcast
 * (queue-less) NATS subscription so every replica hears every event.
 */
async function bootstrap(): Promise<void> {
  const logger = createLogger('realtime');
  let config: RealtimeConfig;
  try {
    config = loadRealtimeConfig();
    await checkNats(natsConnectOptions(config, 'realtime', 'realtime-preflight'));
    await checkRedis(config.REDIS_URL);
  } catch (err) {
    logger.fatal(err instanceof ConfigError ? err.message : (err as Error).message);
    process.exit(1);
  }

  const app = await NestFactory.create<NestFastifyApplication>(RealtimeModule.register(config, logger), new FastifyAdapter({ logger: false }), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const hub = app.get(SocketHub);
  app.useWebSocketAdapter(new RealtimeIoAdapter(app, config, hub, app.get(PlainWsServer)));
  app.useGlobalFilters(new RpcErrorFilter(logger));
  // Times every domain event this replica handles, by subject (the same histogram as the services' requests).
  app.useGlobalInterceptors(new NatsMetricsInterceptor(app.get(Metrics)));
  app.connectMicroservice<MicroserviceOptions>(natsServerOptions(natsConnectOptions(config, 'realtime', 'realtime-events')), { inheritAppConfig: true });

  const shutdown = async (signal: NodeJS.Signals) => {
    // Readiness drops and new transports are refused first, then every client is told to reconnect elsewhere.
    hub.draining = true;
    const closed = hub.closeTransports();
    logger.info({ signal, closed }, 'realtime draining');
    setTimeout(() => process.exit(0), SHUTDOWN_DEADLINE_MS).unref();
    try {
      const closing = app.close();
      // Idle keep-alive connections (probes, finished polls) would otherwise hold the listener open until they time out.
      (app.getHttpServer() as Server).closeIdleConnections();
      await closing;
      logger.info('realtime stopped');
    } catch (err) {
      logger.error({ err }, 'error while closing');
    }
    process.exit(0);
  };
  process.once('SIGTERM', (signal) => void shutdown(signal));
  process.once('SIGINT', (signal) => void shutdown(signal));

  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT }, `realtime listening on http://${config.HOST}:${config.PORT}`);
}

void bootstrap();
