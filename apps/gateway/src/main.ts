import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import cors from '@fastify/cors';
import {
  checkNats,
  ConfigError,
  createLogger,
  drainingNatsStrategy,
  installGracefulShutdown,
  loadShutdownConfig,
  Metrics,
  newId,
  PinoNestLogger,
  RequestContextInterceptor,
} from '@widget/common';
import { GatewayModule } from './app.module';
import { loadGatewayConfig } from './config';
import { GatewayLifecycle } from './health/gateway-lifecycle';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { registerHttpEdge } from './http/edge';
import { registerRealtimeProxy } from './realtime/realtime-proxy';
import { appDist, registerStaticPages, STRICT_PAGE_CSP } from './static/static-pages';

async function bootstrap(): Promise<void> {
  const logger = createLogger('gateway');
  let config;
  let shutdown;
  try {
    config = loadGatewayConfig();
    shutdown = loadShutdownConfig();
    await checkNats(config.NATS_URL);
  } catch (err) {
    logger.fatal(err instanceof ConfigError ? err.message : (err as Error).message);
    process.exit(1);
  }

  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: () => newId('request'),
    requestIdHeader: false,
    logger: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // JSON only, parsed by fastify's own parser (see http/edge.ts); Nest adds none of its own.
    bodyParser: false,
  });
  const retryAfterSeconds = Math.ceil(config.RATE_LIMIT_WINDOW_MS / 1000);
  const metrics = new Metrics('gateway');
  await registerHttpEdge(app, { logger, retryAfterSeconds, cors, metrics });
  await registerRealtimeProxy(app, config.REALTIME_URL, logger);
  registerStaticPages(app, [{ prefix: '/inbox/', dir: appDist('inbox'), csp: STRICT_PAGE_CSP }], logger);
  app.useGlobalFilters(new AllExceptionsFilter(logger, retryAfterSeconds));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  // Broadcast events (revocations, widget changes): no queue group, every replica hears each one.
  app.connectMicroservice<MicroserviceOptions>(drainingNatsStrategy(config.NATS_URL));

  const lifecycle = app.get(GatewayLifecycle);
  // Readiness turns false first; the HTTP listener closes after SHUTDOWN_DELAY_MS and finishes the requests it accepted.
  installGracefulShutdown(app, { logger, config: shutdown, onSignal: () => (lifecycle.shuttingDown = true) });

  await app.startAllMicroservices();
  await app.listen(config.PORT, config.HOST);
  logger.info({ port: config.PORT }, `gateway listening on http://${config.HOST}:${config.PORT}`);
}

void bootstrap();
