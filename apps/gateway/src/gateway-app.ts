import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import compress from '@fastify/compress';
import cors from '@fastify/cors';
import multipart from '@fastify/multipart';
import { AppContext, AppSpec, buildApp, checkRedis, Limiter, loadConfig, Metrics, newId, Readiness, shutdownEnv } from '@widget/common';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { constants as zlib } from 'node:zlib';
import type { Logger } from 'pino';
import { GatewayModule } from './app.module';
import { GatewayConfig, gatewayEnv } from './config';
import { createHealthServer } from './health/health-port';
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
  /** The registry the HTTP metrics go to (served on HEALTH_PORT). */
  metrics?: Metrics;
}

/** fastify as the edge needs it: body and time limits, request ids, the envelope for refusals before routing. */
function gatewayAdapter(config: GatewayConfig, logger: Logger, onRoute?: (route: RouteOptions) => void): FastifyAdapter {
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
  if (onRoute) (adapter.getInstance() as unknown as FastifyInstance).addHook('onRoute', onRoute);
  return adapter;
}

/** Every plugin, hook and filter of the edge, registered before the listener opens. */
async function setupGateway(app: NestFastifyApplication, { config, logger, metrics }: AppContext<GatewayConfig>): Promise<void> {
  await registerHttpEdge(app, { logger, cors, metrics, lingerMs: config.HTTP_LINGER_MS });
  // Attachment uploads stream one file each (attachments/); multipart bodies are refused on every other route.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: config.ATTACHMENT_MAX_BYTES, files: 1, fields: 0, parts: 1, headerPairs: 100 },
  });
  refuseMultipartOutside(app, UPLOAD_ROUTES);
  const limiter = app.get(Limiter);
  await registerRealtimeProxy(app, config.REALTIME_URL, logger, { trustProxy: config.TRUST_PROXY, metrics: app.get(Metrics) });
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
}

/** /metrics and the probes on the internal HEALTH_PORT, never on the public origin. */
async function openHealthPort(app: NestFastifyApplication, { config, logger, metrics }: AppContext<GatewayConfig>): Promise<void> {
  if (config.HEALTH_PORT === undefined) {
    logger.warn('HEALTH_PORT is not set: the gateway serves no /metrics');
    return;
  }
  const health = createHealthServer(app, metrics);
  await new Promise<void>((resolve, reject) => health.once('error', reject).listen(config.HEALTH_PORT, '0.0.0.0', resolve));
  app.getHttpServer().once('close', () => health.close());
  logger.info({ healthPort: config.HEALTH_PORT }, 'gateway metrics and probes on the health port');
}

/**
 * The gateway as the process kit runs it (main.ts alone, apps/server with the
 * rest): Redis checked at start, broadcast NATS events (revocations, widget
 * changes: no queue group, every replica hears each one), readiness dropped
 * first on SIGTERM while the listener serves SHUTDOWN_DELAY_MS longer.
 */
export const gatewayApp: AppSpec<GatewayConfig> = {
  name: 'gateway',
  config: gatewayEnv,
  preflight: ({ config }) => checkRedis(config.REDIS_URL),
  module: ({ config }) => GatewayModule.register(config),
  http: {
    port: (config) => config.PORT,
    host: (config) => config.HOST,
    adapter: ({ config, logger }) => gatewayAdapter(config, logger),
    // JSON only, parsed by fastify's own parser (see http/edge.ts); Nest adds none of its own.
    nestOptions: { bodyParser: false },
    setup: setupGateway,
    started: openHealthPort,
  },
  nats: { connection: 'gateway-events' },
};

/** The gateway application, every route and hook registered, not yet listening (the specs build it). */
export async function createGatewayApp(config: GatewayConfig, logger: Logger, options: GatewayAppOptions = {}): Promise<NestFastifyApplication> {
  const ctx: AppContext<GatewayConfig> = {
    name: 'gateway',
    config,
    shutdown: loadConfig(shutdownEnv),
    logger,
    metrics: options.metrics ?? new Metrics('gateway'),
    readiness: new Readiness('gateway'),
  };
  return buildApp(gatewayApp, ctx, { adapter: gatewayAdapter(config, logger, options.onRoute) });
}
