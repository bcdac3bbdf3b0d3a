import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import cors from '@fastify/cors';
import { drainingNatsStrategy, Metrics, newId, PinoNestLogger, RequestContextInterceptor } from '@widget/common';
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import { GatewayModule } from './app.module';
import type { GatewayConfig } from './config';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { registerHttpEdge } from './http/edge';
import { registerRealtimeProxy } from './realtime/realtime-proxy';

export interface GatewayAppOptions {
  /** Sees every route as it is registered (the OpenAPI coverage spec lists them with it). */
  onRoute?: (route: RouteOptions) => void;
}

/** The gateway application, every route and hook registered, not yet listening (main.ts and the specs share it). */
export async function createGatewayApp(config: GatewayConfig, logger: Logger, options: GatewayAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUST_PROXY,
    genReqId: () => newId('request'),
    requestIdHeader: false,
    logger: false,
  });
  if (options.onRoute) (adapter.getInstance() as unknown as FastifyInstance).addHook('onRoute', options.onRoute);
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
  app.useGlobalFilters(new AllExceptionsFilter(logger, retryAfterSeconds));
  app.useGlobalInterceptors(new RequestContextInterceptor());
  // Broadcast events (revocations, widget changes): no queue group, every replica hears each one.
  app.connectMicroservice<MicroserviceOptions>(drainingNatsStrategy(config.NATS_URL));
  return app;
}
