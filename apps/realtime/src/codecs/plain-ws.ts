import { publicHostOf } from '../handshake/public-host';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppError, claimUpgrades, Errors, InjectConfig, isPlainRealtimeUpgrade, newId, refuseUpgrade, requestContext, toEnvelope, zodDetails } from '@widget/common';
import { HANDSHAKE_KEYS, idOf, plainClientFrame, PlainServerFrame, PRESENCE_SET_EVENT, REALTIME_CLOSE_CODES, SOCKET_ERROR_EVENT, SocketErrorEnvelope } from '@widget/contracts';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import type { RealtimeConfig } from '../config';
import type { CloseReason, Connection } from '../core/connection';
import { DeliveryCore } from '../core/delivery-core';
import type { Viewer } from '../core/viewer';
import { HandshakeService } from '../handshake/handshake.service';
import { LOGGER } from '../logger.token';
import { SocketHub } from '../socket-hub';
import { newTypingState } from '../typing/typing.service';

/** 1012 Service Restart: the client should reconnect (to another replica while this one drains). */
const CLOSE_RECONNECT = 1012;
const requestIdSchema = idOf('request');

/** The plain WebSocket codec of a Connection: one JSON text frame per event; a last error frame, then close 4401/4403. */
class PlainConnection implements Connection {
  readonly typing = newTypingState();
  /** Cleared on each protocol ping, set again by the pong. */
  alive = true;

  constructor(
    readonly ws: WebSocket,
    readonly viewer: Viewer,
    readonly requestId: string,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(frame: PlainServerFrame): void {
    if (this.open) this.ws.send(JSON.stringify(frame));
  }

  end(envelope: SocketErrorEnvelope, reason: CloseReason): void {
    if (!this.open) return;
    this.send({ type: SOCKET_ERROR_EVENT, payload: envelope });
    this.ws.close(REALTIME_CLOSE_CODES[reason], envelope.error.code);
  }

  drop(): void {
    if (this.open) this.ws.close(CLOSE_RECONNECT, 'reconnect');
  }
}

/**
 * SPEC §10's plain WebSocket beside socket.io on the same path: an upgrade
 * without `EIO` is authenticated first (refused with the HTTP error envelope),
 * then upgraded and handed to the delivery core.
 */
@Injectable()
export class PlainWsServer implements OnModuleDestroy {
  private readonly wss: WebSocketServer;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly connections = new Set<PlainConnection>();

  constructor(
    private readonly core: DeliveryCore,
    private readonly handshakes: HandshakeService,
    private readonly hub: SocketHub,
    @InjectConfig() private readonly config: RealtimeConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.wss = new WebSocketServer({ noServer: true, maxPayload: config.MAX_FRAME_BYTES, clientTracking: true });
    // Protocol pings: a peer that has not answered the previous ping by the next one is cut off.
    this.heartbeat = setInterval(() => this.ping(), config.PING_INTERVAL_MS).unref();
  }

  /** Call once socket.io's engine has attached to the server: plain upgrades go here, the rest to socket.io. */
  attach(server: Server): void {
    claimUpgrades(server, isPlainRealtimeUpgrade, (req, socket, head) => this.upgrade(req, socket, head));
  }

  onModuleDestroy(): void {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.terminate();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const forwarded = req.headers['x-request-id'];
    const requestId = typeof forwarded === 'string' && requestIdSchema.safeParse(forwarded).success ? forwarded : newId('request');
    if (this.hub.draining) return refuseUpgrade(socket, Errors.upstreamUnavailable(), requestId);
    const query = new URL(req.url ?? '/', 'http://upgrade.invalid').searchParams;
    requestContext.run({ requestId }, () => {
      this.handshakes
        .authenticate({
          request: req,
          origin: req.headers.origin,
          token: query.get(HANDSHAKE_KEYS.token.query) ?? undefined,
          lastMessageId: query.get(HANDSHAKE_KEYS.lastMessageId.query) ?? undefined,
          lastMessageIdField: HANDSHAKE_KEYS.lastMessageId.query,
          ...publicHostOf(req.headers),
        })
        .then(
          (admission) =>
            this.wss.handleUpgrade(req, socket, head, (ws) => {
              const connection = new PlainConnection(ws, admission.viewer, requestId);
              ws.on('pong', () => (connection.alive = true));
              ws.on('message', (data, isBinary) => void this.frame(connection, data, isBinary));
              this.connections.add(connection);
              ws.on('close', () => {
                this.connections.delete(connection);
                this.core.release(connection);
              });
              ws.on('error', (err) => this.logger.warn({ err, requestId }, 'plain WebSocket error'));
              void this.core.admit(connection, admission.lastMessageId);
            }),
          (err: unknown) => {
            if (!(err instanceof AppError)) this.logger.error({ err, requestId }, 'unexpected error in realtime handshake');
            const wait = err instanceof AppError ? err.retryAfterSeconds : undefined;
            const retryAfter: Record<string, string> = wait === undefined ? {} : { 'Retry-After': String(Math.ceil(wait)) };
            refuseUpgrade(socket, err instanceof AppError ? err : Errors.internal(), requestId, retryAfter);
          },
        );
    });
  }

  /** Client frames: `{type:'ping'}` → `{type:'pong'}`; `typing` and `presence.set` → the core; a bad frame → an error frame (the socket stays). */
  private async frame(connection: PlainConnection, data: RawData, isBinary: boolean): Promise<void> {
    let body: unknown;
    try {
      body = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      body = undefined;
    }
    const parsed = plainClientFrame.safeParse(body);
    if (!parsed.success) {
      const error = body === undefined ? Errors.validation([{ field: '(frame)', reason: 'must be a JSON text frame' }]) : Errors.validation(zodDetails(parsed.error));
      return connection.send({ type: SOCKET_ERROR_EVENT, payload: toEnvelope(error, newId('request')) });
    }
    if (parsed.data.type === 'ping') return connection.send({ type: 'pong' });
    const { type, ...event } = parsed.data;
    const answer = type === PRESENCE_SET_EVENT ? await this.core.setPresence(connection, event) : await this.core.typing(connection, event);
    if ('error' in answer) connection.send({ type: SOCKET_ERROR_EVENT, payload: answer });
  }

  private ping(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.ws.terminate();
        continue;
      }
      connection.alive = false;
      connection.ws.ping();
    }
  }
}
