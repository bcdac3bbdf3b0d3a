import proxy from '@fastify/http-proxy';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError, claimUpgrades, Errors, isPlainRealtimeUpgrade, newId, refuseUpgrade } from '@widget/common';
import { REALTIME_PATH } from '@widget/contracts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IncomingMessage, request as httpRequest } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ClientOptions } from 'ws';
import { chargeReply, RateLimitedError } from '../limits/limiter';

interface UpstreamResponse {
  statusCode: number;
  stream: NodeJS.ReadableStream;
}

/** Request headers the realtime service needs from a WebSocket upgrade (the proxy forwards only cookies by default). */
const FORWARDED_WS_HEADERS = ['origin', 'user-agent', 'cookie', 'accept-language'] as const;

/** How the proxy charges new realtime connections (docs/limits.md, RATE_LIMIT_ADDRESS_REALTIME). */
export interface RealtimeLimits {
  /** Takes one point from the client address's bucket, or throws RateLimitedError. */
  charge(address: string): Promise<void>;
  /** TRUST_PROXY: the client address of an upgrade is the first X-Forwarded-For hop, as fastify's request.ip. */
  trustProxy: boolean;
}

/**
 * A new realtime connection: a socket.io handshake (polling or WebSocket,
 * without an engine.io `sid`) or a plain WebSocket upgrade. Requests of a
 * connection already open (`sid`: polls, posts, the upgrade of a polling
 * session) are not new ones.
 */
export function isRealtimeHandshake(url: string | undefined): boolean {
  const parsed = new URL(url ?? '/', 'http://realtime.invalid');
  const path = parsed.pathname.endsWith('/') ? parsed.pathname.slice(0, -1) : parsed.pathname;
  return path === REALTIME_PATH && !parsed.searchParams.has('sid');
}

/**
 * Routes the realtime path, HTTP long-polling and WebSocket upgrades alike, to
 * the realtime service. Authentication and Origin of the socket are the
 * realtime service's own (its handshake); this carries the bytes, adds the
 * request id, charges every new connection to the client address's realtime
 * budget (before the realtime service, and so the session service, sees its
 * token), and turns transport-level refusals into the error envelope.
 */
export async function registerRealtimeProxy(app: NestFastifyApplication, upstream: string | undefined, logger: Logger, limits: RealtimeLimits): Promise<void> {
  if (!upstream) {
    logger.warn('REALTIME_URL is not set: the realtime path answers not_found on this gateway');
    return;
  }
  // An encapsulated scope: the proxy streams bodies through untouched, so it brings its own
  // pass-through parsers, which may not collide with the gateway's JSON parser.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    // socket.io's polling handshake (HTTP); upgrades are charged below, before any 'upgrade' listener.
    scope.addHook('onRequest', async (request, reply) => {
      if (!isRealtimeHandshake(request.url)) return;
      await chargeReply(reply, () => limits.charge(request.ip));
    });
    await scope.register(proxy, {
      upstream,
      prefix: REALTIME_PATH,
      rewritePrefix: REALTIME_PATH,
      websocket: true,
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => ({
          ...headers,
          'x-request-id': request.id,
          'x-forwarded-for': forwardedFor(request),
          ...forwardedOrigin(request),
        }),
        onResponse: (_request, reply, raw) => {
          // reply-from's typings name the raw response; at run time it is { statusCode, headers, stream }.
          const res = raw as unknown as UpstreamResponse;
          if (res.statusCode < 400) return void reply.send(res.stream);
          // engine.io answers unknown transports/sessions with its own JSON, and a draining replica with 403.
          res.stream.resume();
          reply.removeHeader('content-length');
          void reply.send(
            res.statusCode === 400
              ? new AppError('validation_error', 'The realtime transport request is not valid.', { reason: 'transport_error' })
              : Errors.upstreamUnavailable(),
          );
        },
        onError: (reply, { error }) => {
          logger.warn({ err: error, requestId: reply.request.id }, 'realtime upstream failed');
          void reply.send(Errors.upstreamUnavailable());
        },
      },
      // The typings of wsClientOptions lack rewriteRequestHeaders, which the plugin does call (see its README).
      wsClientOptions: Object.assign({} as ClientOptions, { rewriteRequestHeaders: wsHeaders }),
    });
  });
  // The plugin's WebSocket proxy accepts the client's upgrade before it dials the upstream, so a refused
  // plain-WebSocket handshake would reach the client as a closed socket. Plain upgrades are piped instead:
  // the realtime service's answer (101, or the 401/403 error envelope) reaches the client byte for byte.
  const target = new URL(upstream);
  // The plugin registered its 'upgrade' listener above; claimUpgrades puts this one in front of it.
  claimUpgrades(app.getHttpServer(), isPlainRealtimeUpgrade, (req, socket, head) => pipeUpgrade(target, req, socket, head, logger));
  // In front of both: a new connection by WebSocket (plain, or socket.io without a polling session) is charged first.
  claimUpgrades(
    app.getHttpServer(),
    (req) => isRealtimeHandshake(req.url),
    (req, socket, head, next) => {
      socket.on('error', () => socket.destroy());
      limits.charge(upgradeAddress(req, limits.trustProxy)).then(next, (err: unknown) => {
        const requestId = newId('request');
        logger.info({ requestId, method: 'GET', path: (req.url ?? '').split('?')[0], status: 429 }, 'request');
        if (err instanceof RateLimitedError) return refuseUpgrade(socket, err, requestId, { 'Retry-After': String(err.retryAfterSeconds) });
        logger.error({ err, requestId }, 'realtime upgrade limit failed');
        refuseUpgrade(socket, Errors.internal(), requestId);
      });
    },
  );
}

/** The client address of a raw upgrade request, as fastify's request.ip would say (trustProxy: the first X-Forwarded-For hop). */
function upgradeAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  const first = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',')[0]?.trim();
  return (trustProxy && first) || (req.socket.remoteAddress ?? '');
}

/** One plain-WebSocket upgrade, relayed at the HTTP level to the realtime service (SPEC §10). */
function pipeUpgrade(target: URL, req: IncomingMessage, socket: Duplex, head: Buffer, logger: Logger): void {
  const requestId = newId('request');
  const started = Date.now();
  // The access-log line of a plain upgrade (it never reaches fastify's router), without the query: it holds the token.
  const logged = (status: number) => logger.info({ requestId, method: 'GET', path: (req.url ?? '').split('?')[0], status, ms: Date.now() - started }, 'request');
  socket.on('error', () => socket.destroy());
  const upstreamReq = httpRequest({
    host: target.hostname,
    port: target.port,
    method: 'GET',
    path: req.url,
    headers: { ...req.headers, 'x-request-id': requestId, 'x-forwarded-for': forwardedFor(req) },
  });
  const writeHead = (statusLine: string, rawHeaders: string[]) => {
    let text = `${statusLine}\r\n`;
    for (let i = 0; i < rawHeaders.length; i += 2) text += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
    socket.write(`${text}\r\n`);
  };
  upstreamReq.on('upgrade', (res, upstreamSocket, upstreamHead) => {
    logged(101);
    writeHead(`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`, res.rawHeaders);
    if (upstreamHead.length) socket.write(upstreamHead);
    if (head.length) upstreamSocket.write(head);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('close', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
  });
  // A refusal before the upgrade: the status and the error envelope, as the realtime service sent them.
  upstreamReq.on('response', (res) => {
    logged(res.statusCode ?? 0);
    writeHead(`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`, res.rawHeaders);
    res.pipe(socket);
  });
  upstreamReq.on('error', (err) => {
    logger.warn({ err, requestId }, 'realtime upstream failed (plain WebSocket)');
    logged(503);
    refuseUpgrade(socket, Errors.upstreamUnavailable(), requestId);
  });
  upstreamReq.end();
}

function wsHeaders(headers: Record<string, string>, request: FastifyRequest): Record<string, string> {
  const forwarded: Record<string, string> = { ...headers, 'x-request-id': request.id, 'x-forwarded-for': forwardedFor(request), ...forwardedOrigin(request) };
  for (const name of FORWARDED_WS_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') forwarded[name] = value;
  }
  return forwarded;
}

interface ClientRequest {
  headers: Record<string, string | string[] | undefined>;
  socket: { remoteAddress?: string };
}

function forwardedFor(request: ClientRequest): string {
  const prior = request.headers['x-forwarded-for'];
  return prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${request.socket.remoteAddress ?? ''}` : (request.socket.remoteAddress ?? '');
}

/** The public host and scheme the browser used: realtime accepts that origin (the frame's, SPEC §12) besides the widget's list. */
function forwardedOrigin(request: { host: string; protocol: string }): Record<string, string> {
  return { 'x-forwarded-host': request.host, 'x-forwarded-proto': request.protocol };
}
