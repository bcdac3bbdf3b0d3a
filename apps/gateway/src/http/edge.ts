import type corsPlugin from '@fastify/cors';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Errors, Metrics, requestContext } from '@widget/common';
import { JSON_TOO_DEEP_REASON, jsonDepthExceeds, REALTIME_PATH, UNSTORABLE_TEXT_REASON, unstorableTextFields } from '@widget/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { WidgetDirectory } from '../auth/widget-directory';
import { lingerOnClose } from './client-errors';
import { sendError } from './error-reply';
import { unsupportedMediaType } from './to-app-error';
import { WIDGET_BASE } from './route-decorators';

interface EdgeOptions {
  logger: Logger;
  cors: typeof corsPlugin;
  metrics: Metrics;
  lingerMs: number;
}

/**
 * Fastify-level concerns that run before Nest's router: the request id header,
 * JSON parsing (an empty body is no body), CORS, errors raised before a route
 * is reached, and one access-log line per request.
 */
export async function registerHttpEdge(app: NestFastifyApplication, options: EdgeOptions): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  const directory = app.get(WidgetDirectory);

  // The rest of the request (hooks, body parsing, guards, the handler) runs in its request context, so every log line
  // and NATS request of it names the request id (fastify keeps the context across the body's parsing). A hook, not a
  // Nest interceptor: with none, Nest calls the handler without its rxjs interceptor chain.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('X-Request-Id', request.id);
    requestContext.run({ requestId: request.id }, done);
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: ids in paths would explode the series count.
    const route = request.routeOptions.url ?? 'unmatched';
    options.metrics.observeHttp(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
    options.logger.info(
      { requestId: request.id, method: request.method, path: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
    done();
  });

  const defaultJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser(['application/json', 'text/plain']);
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, undefined);
    return defaultJson(request, body as string, (err: Error | null, parsed?: unknown) => {
      if (err) return done(err);
      // Bounded before anything walks the body (docs/limits.md): 3,000 levels would exhaust a recursive walk.
      if (jsonDepthExceeds(parsed)) return done(Errors.validation([{ field: '(body)', reason: JSON_TOO_DEEP_REASON }]));
      done(null, parsed);
    });
  });

  // A body without a Content-Type would be silently dropped: refuse it like any other non-JSON body.
  fastify.addHook('onRequest', (request, _reply, done) => {
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && !request.headers['content-type']) return done(unsupportedMediaType());
    done();
  });
  // PostgreSQL cannot store NUL, and an unpaired surrogate is not text: refused at the edge, whatever the route
  // (but POST /events, whose service refuses such an event by its index and keeps the rest of the batch).
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.routeOptions.url === `/${WIDGET_BASE}/events`) return done();
    // The realtime path's bodies are engine.io frames streamed through to the realtime service (a stream, not JSON).
    const body = request.url.startsWith(REALTIME_PATH) ? undefined : request.body;
    const fields = [...unstorableTextFields(body), ...unstorableTextFields(request.query, ['(query)'])];
    if (fields.length > 0) return done(Errors.validation(fields.map((field) => ({ field, reason: UNSTORABLE_TEXT_REASON }))));
    done();
  });
  // A 413 (or a 415: a refused upload type) is sent before the body is read; keep reading it for a while so a client still uploading hears the answer.
  // Replies carry tokens and visitor data: never stored by a browser or a shared cache unless a route says
  // otherwise (the page sets' hashed files do), and never sniffed into another type.
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (!reply.hasHeader('cache-control')) void reply.header('Cache-Control', 'no-store');
    void reply.header('X-Content-Type-Options', 'nosniff');
    if (reply.statusCode === 413 || reply.statusCode === 415) {
      void reply.header('Connection', 'close');
      lingerOnClose(request.raw.socket, options.lingerMs);
    }
    done(null, payload);
  });

  fastify.setErrorHandler((error, request, reply) => sendError(error, request, reply, options.logger));

  await app.register(options.cors, {
    delegator: (request: FastifyRequest, callback) => {
      const origin = request.headers.origin;
      const isWidgetRoute = request.url.startsWith(`/${WIDGET_BASE}/`);
      const preflight = request.method === 'OPTIONS';
      if (!origin || !isWidgetRoute) return callback(null, { origin: false });
      directory
        .originAllowedAnywhere(origin)
        .then((allowed) => {
          if (!allowed && preflight) return callback(Errors.invalidOrigin('origin_not_allowed'), { origin: false });
          callback(null, {
            origin: allowed,
            methods: ['GET', 'POST', 'PATCH', 'DELETE', 'OPTIONS'],
            allowedHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
            exposedHeaders: ['X-Request-Id', 'Retry-After'],
            maxAge: 600,
          });
        })
        .catch((err: unknown) => callback(err as Error, { origin: false }));
    },
  });
}

/** Only the upload routes read multipart bodies; anywhere else one is refused like any non-JSON body. */
export function refuseMultipartOutside(app: NestFastifyApplication, routes: ReadonlySet<string>): void {
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (request.isMultipart() && !routes.has(request.routeOptions.url ?? '')) return done(unsupportedMediaType());
    done();
  });
}
