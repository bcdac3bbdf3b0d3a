import { publicHostOf } from '../handshake/public-host';
import { releaseUpgradeRequest } from '../io.adapter';
import { Inject } from '@nestjs/common';
import { ConnectedSocket, MessageBody, OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { AppError, ErrorEnvelope, Errors, newId, requestContext, toEnvelope } from '@widget/common';
import { HANDSHAKE_KEYS, PRESENCE_SET_EVENT, ServerEvent, SOCKET_ERROR_EVENT, SocketErrorEnvelope } from '@widget/contracts';
import type { Logger } from 'pino';
import type { ExtendedError, Server, Socket } from 'socket.io';
import type { CloseReason, Connection } from '../core/connection';
import { DeliveryCore } from '../core/delivery-core';
import type { Viewer } from '../core/viewer';
import { Admission, HandshakeService } from '../handshake/handshake.service';
import { LOGGER } from '../logger.token';
import { newTypingState } from '../typing/typing.service';

interface SocketData {
  admission: Admission;
  connection: SocketIoConnection;
}
/** Every server-to-client event carries one envelope, named by its type. */
type ServerEvents = Record<string, (event: ServerEvent | SocketErrorEnvelope) => void>;
type IoSocket = Socket<Record<string, never>, ServerEvents, Record<string, never>, SocketData>;

/** A refused handshake: socket.io hands `data` to the client's connect_error as `err.data` (rate_limited, server_busy: with `retryAfter` seconds). */
function refusal(err: unknown, requestId: string, logger: Logger): ExtendedError {
  const appError = err instanceof AppError ? err : Errors.internal();
  if (!(err instanceof AppError)) logger.error({ err, requestId }, 'unexpected error in realtime handshake');
  const refused = new Error(appError.message) as ExtendedError & { data: SocketErrorEnvelope };
  const { error } = toEnvelope(appError, requestId);
  refused.data = { error: appError.retryAfterSeconds === undefined ? error : { ...error, retryAfter: appError.retryAfterSeconds } };
  return refused;
}

/** The socket.io codec of a Connection: events under their type, a last `error` event before a server disconnect. */
class SocketIoConnection implements Connection {
  readonly typing = newTypingState();

  constructor(
    private readonly socket: IoSocket,
    readonly viewer: Viewer,
    readonly requestId: string,
  ) {}

  get open(): boolean {
    return this.socket.connected;
  }

  send(event: ServerEvent): void {
    this.socket.emit(event.type, event);
  }

  end(envelope: SocketErrorEnvelope, _reason: CloseReason): void {
    if (!this.socket.connected) return;
    this.socket.emit(SOCKET_ERROR_EVENT, envelope);
    // A server disconnect: socket.io clients do not reconnect on their own ('io server disconnect').
    this.socket.disconnect(true);
  }

  drop(): void {
    this.socket.conn.close();
  }
}

/** socket.io on SPEC §10's path; path, heartbeat and drain come from RealtimeIoAdapter. */
@WebSocketGateway()
export class SocketIoGateway implements OnGatewayInit<Server>, OnGatewayConnection<IoSocket>, OnGatewayDisconnect<IoSocket> {
  constructor(
    private readonly core: DeliveryCore,
    private readonly handshakes: HandshakeService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  afterInit(server: Server): void {
    server.use((socket: IoSocket, next) => {
      const requestId = newId('request');
      const { auth, query, headers } = socket.handshake;
      const origin = Array.isArray(headers.origin) ? headers.origin[0] : headers.origin;
      requestContext.run({ requestId }, () => {
        this.handshakes
          .authenticate({
            request: socket.request,
            origin,
            token: auth[HANDSHAKE_KEYS.token.auth] ?? query[HANDSHAKE_KEYS.token.query],
            lastMessageId: auth.lastMessageId ?? auth.since ?? query.lastMessageId ?? query.since ?? query[HANDSHAKE_KEYS.lastMessageId.query],
            lastMessageIdField: 'auth.lastMessageId',
            ...publicHostOf(headers),
          })
          .then(
            (admission) => {
              socket.data.admission = admission;
              socket.data.connection = new SocketIoConnection(socket, admission.viewer, requestId);
              next();
            },
            (err: unknown) => next(refusal(err, requestId, this.logger)),
          );
      });
    });
  }

  handleConnection(socket: IoSocket): Promise<void> {
    // The handshake's HTTP request (headers, URL, its parser state) is not read again: socket.io's own advice
    // for many sockets is to let it go (socket.handshake keeps the headers object, so it goes too).
    releaseUpgradeRequest(socket.conn.request);
    (socket.conn as unknown as { request: unknown }).request = null;
    (socket as unknown as { handshake: unknown }).handshake = { auth: {}, headers: {}, query: {} };
    return this.core.admit(socket.data.connection, socket.data.admission.lastMessageId);
  }

  handleDisconnect(socket: IoSocket): void {
    if (socket.data.connection) this.core.release(socket.data.connection);
  }

  /** Acknowledged, when the client asks for an ack, with `{ ok: true }` or the error envelope `{ error }`. */
  @SubscribeMessage('typing')
  typing(@ConnectedSocket() socket: IoSocket, @MessageBody() body: unknown): Promise<{ ok: true } | ErrorEnvelope> {
    return this.core.typing(socket.data.connection, body);
  }

  /** An operator account's `online`/`away` (SPEC §14), acknowledged the same way. */
  @SubscribeMessage(PRESENCE_SET_EVENT)
  presence(@ConnectedSocket() socket: IoSocket, @MessageBody() body: unknown): Promise<{ ok: true } | ErrorEnvelope> {
    return this.core.setPresence(socket.data.connection, body);
  }
}
