import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { drainingNatsStrategy, Limiter, Metrics, natsConnectOptions, newId, PinoNestLogger, RequestContextInterceptor } from '@widget/common';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { constants as zlib } from 'node:zlib';
import type { Logger } from 'pino';
import { GatewayModule } from './app.module';
import type { GatewayConfig } from './config';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { clientErrorHandler, frameworkErrors } from './http/client-errors';
import { refuseMultipartOutside, registerHttpEdge } from './http/edge';
import { UPLOAD_ROUTES } from './attachments/upload-routes';
import { registerRealtimeProxy } from './realtime/realtime-proxy';
import { registerDemo } from './static/demo';
import { demoApiBase, pageSets } from './static/page-sets';
import { registerPageSets } from './static/static-files';

export interface GatewayAppOptions {
  /** Sees every route as it is registered (the OpenAPI coverage spec lists them with it). */
  onRoute?: (route: RouteOptions) => void;
  /** The registry the HTTP metrics go to (main.ts serves it on HEALTH_PORT). */
  metrics?: Metrics;
}

/** The gateway application, every route and hook registered, not yet listening (main.ts and the specs share it). */
export async function createGatewayApp(config: GatewayConfig, logger: Logger, options: GatewayAppOptions = {}): Promise<NestFastifyApplication> {
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
  if (options.onRoute) (adapter.getInstance() as unknown as FastifyInstance).addHook('onRoute', options.onRoute);
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config), adapter, {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
    // JSON only, parsed by fastify's own parser (see http/edge.ts); Nest adds none of its own.
    bodyParser: false,
  });
  const metrics = options.metrics ?? new Metrics('gateway');
  await registerHttpEdge(app, { logger, cors, metrics, lingerMs: config.HTTP_LINGER_MS });
  // Attachment uploads stream one file each (attachments/); multipart bodies are refused on every other route.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: config.ATTACHMENT_MAX_BYTES, files: 1, fields: 0, parts: 1, headerPairs: 100 },
  });
  refuseMultipartOutside(app, UPLOAD_ROUTES);
  const limiter = app.get(Limiter);
  await registerRealtimeProxy(app, config.REALTIME_URL, logger, { trustProxy: config.TRUST_PROXY });
  // Brotli or gzip for every route registered from here on (JSON replies, the frame page): quick settings, as each
  // reply is compressed once. The realtime relay above streams untouched; page-set files come pre-compressed from
  // their builds (their routes opt out of this: static/static-files.ts).
  await app.register(compress, { global: true, encodings: ['br', 'gzip'], threshold: 1024, brotliOptions: { params: { [zlib.BROTLI_PARAM_QUALITY]: 4 } } });
  // The browser face: loader, frame assets, and (demo mode only) the demo site.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const demoApi = demoApiBase(config);
  registerPageSets(fastify, pageSets({ demoApiBase: demoApi }), { demoMode: config.DEMO_MODE, logger });
  if (config.DEMO_MODE) {
    registerDemo(fastify, config.DEMO_SEED_FILE, demoApi, (address) => limiter.consume('addressDemoTokens', address));
    logger.warn('DEMO_MODE is on: /demo/ signs identity tokens for demo users with the seeded widget secret');
  }
  app.useGlobalFilters(new AllExceptionsFilter(logger));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  // Broadcast events (revocations, widget changes): no queue group, every replica hears each one.
  app.connectMicroservice<MicroserviceOptions>(drainingNatsStrategy(natsConnectOptions(config, 'gateway', 'gateway-events')));
  return app;
}
