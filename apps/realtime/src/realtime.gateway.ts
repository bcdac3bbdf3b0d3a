import { Inject } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { AppError, ErrorEnvelope, Errors, Metrics, newId, outcomeOf, requestContext, toEnvelope } from '@widget/common';
import { SessionContext } from '@widget/contracts';
import type { Logger } from 'pino';
import type { ExtendedError, Server, Socket } from 'socket.io';
import { roomsOf } from './delivery/rooms';
import { HandshakeService } from './handshake/handshake.service';
import { LOGGER } from './logger.token';
import { ReplayService } from './replay/replay.service';
import { SocketEnvelope, SocketHub } from './socket-hub';
import { newTypingState, TypingService, TypingState } from './typing/typing.service';

interface SocketData {
  requestId: string;
  session: SessionContext;
  lastMessageId: string | null;
  typing: TypingState;
  expiry?: NodeJS.Timeout;
}
/** Every server-to-client event carries one envelope, named by its type. */
type ServerEvents = Record<string, (envelope: SocketEnvelope) => void>;
type VisitorSocket = Socket<Record<string, never>, ServerEvents, Record<string, never>, SocketData>;

/** setTimeout's ceiling (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** A refused handshake: socket.io hands `data` to the client's connect_error as `err.data`. */
function refusal(err: unknown, requestId: string, logger: Logger): ExtendedError {
  const appError = err instanceof AppError ? err : Errors.internal();
  if (!(err instanceof AppError)) logger.error({ err, requestId }, 'unexpected error in realtime handshake');
  const refused = new Error(appError.message) as ExtendedError & { data: ErrorEnvelope };
  refused.data = toEnvelope(appError, requestId);
  return refused;
}

/** Path, CORS and heartbeat come from RealtimeIoAdapter (they depend on config). */
@WebSocketGateway()
export class RealtimeGateway implements OnGatewayInit<Server>, OnGatewayConnection<VisitorSocket>, OnGatewayDisconnect<VisitorSocket> {
  /** Sockets past the handshake: up in handleConnection, down in handleDisconnect (Nest pairs them). */
  private readonly sockets: ReturnType<Metrics['socketGauge']>;

  constructor(
    private readonly hub: SocketHub,
    private readonly handshakes: HandshakeService,
    private readonly replays: ReplayService,
    private readonly typingRelay: TypingService,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.sockets = metrics.socketGauge();
  }

  afterInit(server: Server): void {
    this.hub.attach(server);
    server.use((socket: VisitorSocket, next) => {
      const requestId = newId('request');
      requestContext.run({ requestId }, () => {
        this.handshakes.authenticate(socket.handshake).then(
          (viewer) => {
            socket.data.requestId = requestId;
            socket.data.session = viewer.session;
            socket.data.lastMessageId = viewer.lastMessageId;
            socket.data.typing = newTypingState();
            next();
          },
          (err: unknown) => next(refusal(err, requestId, this.logger)),
        );
      });
    });
  }

  async handleConnection(socket: VisitorSocket): Promise<void> {
    this.sockets.connected();
    const { session, lastMessageId, requestId } = socket.data;
    // Live delivery first, replay second: a message committed meanwhile arrives at least once, never zero times.
    socket.join(roomsOf(session));
    const untilExpiry = Date.parse(session.expiresAt) - Date.now();
    // At expiry the transport closes; the client's reconnect then meets auth_expired and refreshes.
    socket.data.expiry = setTimeout(() => socket.conn.close(), Math.max(0, Math.min(untilExpiry, MAX_TIMER_MS)));
    if (!lastMessageId) return;
    await requestContext.run({ requestId }, async () => {
      const started = process.hrtime.bigint();
      try {
        for await (const envelope of this.replays.envelopesAfter(session, lastMessageId)) {
          if (socket.disconnected) break;
          socket.emit(envelope.type, envelope);
        }
        this.metrics.observeSocketEvent('replay', 'ok', secondsSince(started));
      } catch (err) {
        this.metrics.observeSocketEvent('replay', outcomeOf(err), secondsSince(started));
        // Closing the transport (not a server disconnect) makes the client reconnect and replay again.
        this.logger.warn({ err, sessionId: session.sessionId }, 'replay failed; closing the transport so the client retries');
        socket.conn.close();
      }
    });
  }

  handleDisconnect(socket: VisitorSocket): void {
    this.sockets.disconnected();
    clearTimeout(socket.data.expiry);
  }

  /** Acknowledged, when the client asks for an ack, with `{ ok: true }` or the error envelope `{ error }`. */
  @SubscribeMessage('typing')
  async typing(@ConnectedSocket() socket: VisitorSocket, @MessageBody() body: unknown): Promise<{ ok: true } | ErrorEnvelope> {
    const requestId = newId('request');
    return requestContext.run({ requestId }, async () => {
      const started = process.hrtime.bigint();
      try {
        await this.typingRelay.relay(socket.data.session, socket.data.typing, body);
        this.metrics.observeSocketEvent('typing', 'ok', secondsSince(started));
        return { ok: true as const };
      } catch (err) {
        this.metrics.observeSocketEvent('typing', outcomeOf(err), secondsSince(started));
        if (!(err instanceof AppError)) this.logger.error({ err, requestId }, 'unexpected error relaying typing');
        return toEnvelope(err instanceof AppError ? err : Errors.internal(), requestId);
      }
    });
  }
}
