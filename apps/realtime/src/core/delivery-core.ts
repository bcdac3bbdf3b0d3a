import { Inject, Injectable } from '@nestjs/common';
import { AppError, Errors, Metrics, newId, outcomeOf, requestContext, toEnvelope } from '@widget/common';
import type { ServerEvent } from '@widget/contracts';
import type { Logger } from 'pino';
import { Revocations } from '../handshake/revocations';
import { WidgetDirectory } from '../handshake/widget-directory';
import { LOGGER } from '../logger.token';
import { PresenceService } from '../presence/presence.service';
import { ReplayService } from '../replay/replay.service';
import { SocketHub } from '../socket-hub';
import { TypingService } from '../typing/typing.service';
import type { CloseReason, Connection } from './connection';
import { roomsOfViewer } from './rooms';
import { expiryOf, visitorRefusal } from './viewer';

/** setTimeout's ceiling (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

const secondsSince = (started: bigint) => Number(process.hrtime.bigint() - started) / 1e9;

/** What a client event is answered with: socket.io's ack, or (failures only) the plain WebSocket's error frame. */
export type ClientEventAnswer = { ok: true } | ReturnType<typeof toEnvelope>;

/**
 * Who may see what, for both protocols: rooms, reconnect replay, expiry,
 * revocation, typing and the widget checks. The codecs only translate frames.
 */
@Injectable()
export class DeliveryCore {
  private readonly gauge: ReturnType<Metrics['socketGauge']>;
  private readonly expiries = new Map<Connection, NodeJS.Timeout>();

  constructor(
    private readonly hub: SocketHub,
    private readonly replays: ReplayService,
    private readonly typingRelay: TypingService,
    private readonly presence: PresenceService,
    private readonly widgets: WidgetDirectory,
    private readonly revocations: Revocations,
    private readonly metrics: Metrics,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.gauge = metrics.socketGauge();
  }

  /** A socket past its handshake: live delivery first, replay second, so a message committed meanwhile arrives at least once. */
  async admit(connection: Connection, lastMessageId: string | null): Promise<void> {
    this.gauge.connected();
    this.hub.join(connection, roomsOfViewer(connection.viewer));
    this.armExpiry(connection);
    this.presence.connected(connection.viewer);
    if (!lastMessageId) return;
    await requestContext.run({ requestId: connection.requestId }, async () => {
      const started = process.hrtime.bigint();
      try {
        for await (const event of this.replays.eventsAfter(connection.viewer, lastMessageId)) {
          if (!connection.open) break;
          connection.send(event);
        }
        this.metrics.observeSocketEvent('replay', 'ok', secondsSince(started));
      } catch (err) {
        this.metrics.observeSocketEvent('replay', outcomeOf(err), secondsSince(started));
        // Closing the transport (not ending the socket) makes the client reconnect and replay again.
        this.logger.warn({ err, requestId: connection.requestId }, 'replay failed; closing the transport so the client retries');
        connection.drop();
      }
    });
  }

  /** Once per admitted socket, when it closes for whatever reason. */
  release(connection: Connection): void {
    if (!this.expiries.has(connection)) return;
    this.gauge.disconnected();
    clearTimeout(this.expiries.get(connection));
    this.expiries.delete(connection);
    this.hub.leave(connection);
    this.presence.disconnected(connection.viewer);
  }

  deliver(room: string, event: ServerEvent): void {
    this.hub.emitTo(room, event);
  }

  /**
   * Every socket of a room ends with the error (a revoked session: 4401). A revoked room is remembered too,
   * so the signed realtime tokens minted for it before now are refused at the handshake (Revocations).
   */
  endRoom(room: string, error: AppError, reason: CloseReason): void {
    if (reason === 'revoked') this.revocations.revoked(room);
    const envelope = toEnvelope(error, newId('request'));
    for (const connection of this.hub.members(room)) connection.end(envelope, reason);
  }

  /** Acknowledged by the codec with `{ ok: true }`, or answered with the error envelope. */
  typing(connection: Connection, body: unknown): Promise<ClientEventAnswer> {
    const { viewer } = connection;
    return this.answer('typing', () =>
      viewer.kind === 'visitor' ? this.typingRelay.relay(viewer.session, connection.typing, body) : this.typingRelay.relayOperator(viewer.operator, connection.typing, body),
    );
  }

  /** `presence.set { status }` (SPEC §14): an operator account sets itself online or away in the token's workspace. */
  setPresence(connection: Connection, body: unknown): Promise<ClientEventAnswer> {
    return this.answer('presence', () => this.presence.set(connection.viewer, body));
  }

  /** One client event, timed by name: `{ ok: true }`, or the error envelope (an unexpected error logged, answered internal_error). */
  private answer(event: string, work: () => Promise<void>): Promise<ClientEventAnswer> {
    const requestId = newId('request');
    return requestContext.run({ requestId }, async () => {
      const started = process.hrtime.bigint();
      try {
        await work();
        this.metrics.observeSocketEvent(event, 'ok', secondsSince(started));
        return { ok: true as const };
      } catch (err) {
        this.metrics.observeSocketEvent(event, outcomeOf(err), secondsSince(started));
        if (!(err instanceof AppError)) this.logger.error({ err, requestId, event }, 'unexpected error handling a client event');
        return toEnvelope(err instanceof AppError ? err : Errors.internal(), requestId);
      }
    });
  }

  /**
   * A widget changed (`session.widget.updated`): its sockets that the new config no longer
   * allows (disabled, conversations off, origin removed, anonymous refused) end with 4403.
   */
  async recheckWidget(widgetId: string): Promise<void> {
    const connections = this.hub.ofWidget(widgetId);
    if (connections.length === 0) return;
    let widget;
    try {
      widget = await this.widgets.get(widgetId);
    } catch (err) {
      this.logger.warn({ err, widgetId }, 'widget re-check failed; its sockets stay until the next change or reconnect');
      return;
    }
    for (const connection of connections) {
      if (connection.viewer.kind !== 'visitor') continue;
      const refusal = visitorRefusal(widget, connection.viewer.session, connection.viewer.origin, connection.viewer.ownOrigin);
      if (refusal) connection.end(toEnvelope(refusal, newId('request')), 'forbidden');
    }
  }

  /**
   * Visitors: at session expiry the transport closes, and the reconnect meets auth_expired (the client refreshes).
   * Operators: the token is the socket's lifetime, so at its expiry the socket ends with auth_expired (4401).
   */
  private armExpiry(connection: Connection): void {
    const untilExpiry = Date.parse(expiryOf(connection.viewer)) - Date.now();
    const fire =
      connection.viewer.kind === 'visitor'
        ? () => connection.drop()
        : () => connection.end(toEnvelope(Errors.realtimeTokenExpired(), newId('request')), 'revoked');
    this.expiries.set(connection, setTimeout(fire, Math.max(0, Math.min(untilExpiry, MAX_TIMER_MS))));
  }
}
