import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ConversationEvents, EventPayload, SessionEvents, VisitorEvent } from '@widget/contracts';
import type { Logger } from 'pino';
import { WidgetDirectory } from '../handshake/widget-directory';
import { LOGGER } from '../logger.token';
import { SocketHub } from '../socket-hub';
import { roomOf, sessionRoom } from './rooms';

/**
 * Broadcast subscriptions (no queue group): every realtime replica hears every
 * event and hands it to the sockets it holds in the audience's room.
 */
@Controller()
export class DeliveryListener {
  constructor(
    private readonly hub: SocketHub,
    private readonly widgets: WidgetDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @EventPattern(ConversationEvents.messageCreated.subject)
  messageCreated(@Payload() event: EventPayload<typeof ConversationEvents.messageCreated>): void {
    this.deliver(event);
  }

  @EventPattern(ConversationEvents.conversationCreated.subject)
  conversationCreated(@Payload() event: EventPayload<typeof ConversationEvents.conversationCreated>): void {
    this.deliver(event);
  }

  @EventPattern(ConversationEvents.conversationUpdated.subject)
  conversationUpdated(@Payload() event: EventPayload<typeof ConversationEvents.conversationUpdated>): void {
    this.deliver(event);
  }

  @EventPattern(ConversationEvents.conversationRead.subject)
  conversationRead(@Payload() event: EventPayload<typeof ConversationEvents.conversationRead>): void {
    this.deliver(event);
  }

  @EventPattern(ConversationEvents.unreadChanged.subject)
  unreadChanged(@Payload() event: EventPayload<typeof ConversationEvents.unreadChanged>): void {
    this.deliver(event);
  }

  @EventPattern(ConversationEvents.typingStart.subject)
  typingStart(@Payload() event: EventPayload<typeof ConversationEvents.typingStart>): void {
    this.deliver(event);
  }

  @EventPattern(ConversationEvents.typingStop.subject)
  typingStop(@Payload() event: EventPayload<typeof ConversationEvents.typingStop>): void {
    this.deliver(event);
  }

  /** A shut-down or superseded (identified) session loses its sockets at once, on every replica. */
  @EventPattern(SessionEvents.revoked.subject)
  revoked(@Payload() event: EventPayload<typeof SessionEvents.revoked>): void {
    if (typeof event?.sessionId !== 'string') return;
    this.hub.disconnectRoom(sessionRoom(event.sessionId));
  }

  @EventPattern(SessionEvents.widgetUpdated.subject)
  widgetUpdated(@Payload() event: EventPayload<typeof SessionEvents.widgetUpdated>): void {
    if (typeof event?.widgetId === 'string') this.widgets.forget(event.widgetId);
  }

  private deliver(event: VisitorEvent<unknown>): void {
    const room = roomOf(event?.audience);
    if (!room || typeof event.type !== 'string' || typeof event.id !== 'string') {
      this.logger.warn({ id: event?.id, type: event?.type }, 'visitor event without a type, id or audience dropped');
      return;
    }
    this.hub.emitTo(room, { id: event.id, type: event.type, createdAt: event.createdAt, payload: event.payload });
  }
}
