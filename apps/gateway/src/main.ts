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
import { checkRedis } from './limits/check-redis';
import { GatewayLifecycle } from './health/gateway-lifecycle';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { clientErrorHandler, frameworkErrors } from './http/client-errors';
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
    await checkRedis(config.REDIS_URL);
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
    // Node's refusals and fastify's pre-routing ones leave as the envelope too (http/client-errors.ts).
    clientErrorHandler: clientErrorHandler(logger),
    frameworkErrors: frameworkErrors(logger),
    // A request must arrive whole within HTTP_REQUEST_TIMEOUT_MS (408 otherwise); checked every second.
    requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeout: config.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    http: {
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeout: Math.min(config.HTTP_HEADERS_TIMEOUT_MS, config.HTTP_REQUEST_TIMEOUT_MS),
      connectionsCheckingInterval: 1000,
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // JSON only, parsed by fastify's own parser (see http/edge.ts); Nest adds none of its own.
    bodyParser: false,
  });
  const metrics = new Metrics('gateway');
  await registerHttpEdge(app, { logger, cors, metrics, lingerMs: config.HTTP_LINGER_MS });
  await registerRealtimeProxy(app, config.REALTIME_URL, logger);
  registerStaticPages(app, [{ prefix: '/inbox/', dir: appDist('inbox'), csp: STRICT_PAGE_CSP }], logger);
  app.useGlobalFilters(new AllExceptionsFilter(logger));
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
