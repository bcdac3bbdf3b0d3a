import proxy from '@fastify/http-proxy';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppError, Errors, localServerFor, Metrics, newId, refuseUpgrade, relayedForwardedFor } from '@widget/common';
import { REALTIME_PATH } from '@widget/contracts';
import type { FastifyInstance } from 'fastify';
import { IncomingMessage, request as httpRequest, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';

interface UpstreamResponse {
  statusCode: number;
  stream: NodeJS.ReadableStream;
}

/**
 * How long the relay waits for a TCP connection to the realtime service. Past
 * it, as when the connection is refused, the client is answered 503
 * upstream_unavailable at once, so it retries instead of waiting on a relay
 * that has no upstream (docs/realtime.md).
 */
const UPSTREAM_CONNECT_TIMEOUT_MS = 3000;

export interface RealtimeRelayOptions {
  /** TRUST_PROXY: the client address, host and scheme are what the proxy in front says, as for fastify's request. */
  trustProxy: boolean;
  /** Counts each upgrade by the way it reached realtime (gateway_realtime_upgrades_total). */
  metrics: Metrics;
}

function isRealtimePath(url: string | undefined): boolean {
  const path = new URL(url ?? '/', 'http://realtime.invalid').pathname;
  return path === REALTIME_PATH || path === `${REALTIME_PATH}/`;
}

/**
 * Routes the realtime path, HTTP long-polling and WebSocket upgrades alike, to
 * the realtime service. Authentication, Origin and the realtime connection
 * limit are the realtime service's own (its handshake, docs/limits.md); this
 * carries the bytes, adds the request id and the forwarded client address,
 * host and scheme, and turns transport-level failures into the error envelope:
 * while the realtime service is away, every attempt is answered 503
 * upstream_unavailable at once, and no client socket is held without an upstream.
 */
export async function registerRealtimeProxy(app: NestFastifyApplication, upstream: string | undefined, logger: Logger, options: RealtimeRelayOptions): Promise<void> {
  if (!upstream) {
    logger.warn('REALTIME_URL is not set: the realtime path answers not_found on this gateway');
    return;
  }
  const forwarded = (req: IncomingMessage) => ({ 'x-forwarded-for': relayedForwardedFor(req, options.trustProxy), ...publicOrigin(req, options.trustProxy) });
  // An encapsulated scope: the proxy streams bodies through untouched, so it brings its own
  // pass-through parsers, which may not collide with the gateway's JSON parser.
  await app.register(async (scope: FastifyInstance) => {
    scope.removeAllContentTypeParsers();
    await scope.register(proxy, {
      upstream,
      prefix: REALTIME_PATH,
      rewritePrefix: REALTIME_PATH,
      // Upgrades are relayed below: the plugin would accept the client's upgrade before dialling the upstream.
      websocket: false,
      undici: { connect: { timeout: UPSTREAM_CONNECT_TIMEOUT_MS } },
      replyOptions: {
        rewriteRequestHeaders: (request, headers) => ({ ...headers, 'x-request-id': request.id, ...forwarded(request.raw as IncomingMessage) }),
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
    });
  });

  const target = new URL(upstream);
  const relayed = new Set<Duplex>();
  // Both protocols' upgrades, relayed at the HTTP level: the upstream is dialled first, and its answer
  // (101, or the realtime service's refusal envelope) reaches the client byte for byte; no upstream, a 503.
  const server = app.getHttpServer() as Server;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!isRealtimePath(req.url)) return refuseUpgrade(socket, Errors.notFound('route'), newId('request'));
    // Realtime in this very process (TARGET=all): its server takes the client's own socket, as if it had
    // accepted the connection, with the headers the relay would have added.
    const local = localServerFor(target);
    // (Never itself: a REALTIME_URL naming the gateway's own port would hand the upgrade back here forever.)
    if (local && local !== server) {
      options.metrics.countRealtimeUpgrade('in_process');
      return handOver(local, req, socket, head, forwarded(req), logger);
    }
    options.metrics.countRealtimeUpgrade('relayed');
    relayUpgrade(target, req, socket, head, forwarded(req), logger, relayed);
  });
  // On shutdown the relayed sockets close with the listener: their clients reconnect to another replica.
  (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('preClose', async () => {
    for (const socket of relayed) socket.destroy();
  });
}

/**
 * One upgrade handed to the realtime server of this process: the same request, with the request id and the
 * forwarded client address, host and scheme the relay would send, on the client's own socket. Realtime answers
 * it (101, or its refusal envelope) and owns the socket from here, its drain included.
 */
function handOver(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer, forwarded: Record<string, string>, logger: Logger): void {
  const requestId = newId('request');
  Object.assign(req.headers, { 'x-request-id': requestId, ...forwarded });
  // The access-log line of an upgrade, without the query (it may hold a token); realtime writes the answer itself.
  logger.info({ requestId, method: 'GET', path: (req.url ?? '').split('?')[0], handedTo: 'realtime (this process)' }, 'request');
  server.emit('upgrade', req, socket, head);
}

/** One upgrade, relayed at the HTTP level to the realtime service (SPEC §10). */
function relayUpgrade(target: URL, req: IncomingMessage, socket: Duplex, head: Buffer, forwarded: Record<string, string>, logger: Logger, relayed: Set<Duplex>): void {
  const requestId = newId('request');
  const started = Date.now();
  // The access-log line of an upgrade (it never reaches fastify's router), without the query: it may hold a token.
  const logged = (status: number) => logger.info({ requestId, method: 'GET', path: (req.url ?? '').split('?')[0], status, ms: Date.now() - started }, 'request');
  socket.on('error', () => socket.destroy());
  const upstreamReq = httpRequest({
    host: target.hostname,
    port: target.port,
    method: 'GET',
    path: req.url,
    headers: { ...req.headers, 'x-request-id': requestId, ...forwarded },
    // A connection of its own: a pooled one may belong to a realtime process that is gone.
    agent: false,
  });
  upstreamReq.on('socket', (upstream) => {
    const timer = setTimeout(() => upstreamReq.destroy(new Error(`no connection to the realtime service within ${UPSTREAM_CONNECT_TIMEOUT_MS} ms`)), UPSTREAM_CONNECT_TIMEOUT_MS);
    upstream.once('connect', () => clearTimeout(timer));
    upstream.once('close', () => clearTimeout(timer));
  });
  // A client that leaves before the answer takes its pending upstream request with it.
  const abandon = () => upstreamReq.destroy();
  socket.once('close', abandon);
  const writeHead = (statusLine: string, rawHeaders: string[]) => {
    let text = `${statusLine}\r\n`;
    for (let i = 0; i < rawHeaders.length; i += 2) text += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
    socket.write(`${text}\r\n`);
  };
  upstreamReq.on('upgrade', (res, upstreamSocket, upstreamHead) => {
    socket.off('close', abandon);
    logged(101);
    writeHead(`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`, res.rawHeaders);
    if (upstreamHead.length) socket.write(upstreamHead);
    if (head.length) upstreamSocket.write(head);
    relayed.add(socket);
    upstreamSocket.on('error', () => socket.destroy());
    socket.on('close', () => {
      relayed.delete(socket);
      upstreamSocket.destroy();
    });
    upstreamSocket.on('close', () => socket.destroy());
    upstreamSocket.pipe(socket).pipe(upstreamSocket);
  });
  // A refusal before the upgrade: the status and the error envelope, as the realtime service sent them.
  upstreamReq.on('response', (res) => {
    socket.off('close', abandon);
    logged(res.statusCode ?? 0);
    writeHead(`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? ''}`, res.rawHeaders);
    res.pipe(socket);
  });
  upstreamReq.on('error', (err) => {
    if (socket.destroyed) return;
    logger.warn({ err, requestId }, 'realtime upstream failed (WebSocket upgrade)');
    logged(503);
    refuseUpgrade(socket, Errors.upstreamUnavailable(), requestId);
  });
  upstreamReq.end();
}

/** The public host and scheme the browser used (as fastify's request.host/protocol say them): realtime accepts that origin (the frame's, SPEC §12). */
function publicOrigin(req: IncomingMessage, trustProxy: boolean): Record<string, string> {
  const last = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join(',') : value)?.split(',').pop()?.trim();
  const host = (trustProxy && last(req.headers['x-forwarded-host'])) || req.headers.host || '';
  const scheme = (trustProxy && last(req.headers['x-forwarded-proto'])) || ((req.socket as TLSSocket).encrypted ? 'https' : 'http');
  return { 'x-forwarded-host': host, 'x-forwarded-proto': scheme };
}
