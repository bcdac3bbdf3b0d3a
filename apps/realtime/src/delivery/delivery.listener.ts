import { Controller, Inject } from '@nestjs/common';
import { credentialRef, Errors, newId, OnEvent } from '@widget/common';
import { ConversationEvents, EventPayload, SessionEvents, TeamEvents, VISITOR_EVENT_TYPES, VisitorEvent } from '@widget/contracts';
import type { Logger } from 'pino';
import { DeliveryCore } from '../core/delivery-core';
import { credentialRoom, principalRoom, roomOf, sessionRoom, workspaceRoom } from '../core/rooms';
import { WidgetDirectory } from '../handshake/widget-directory';
import { LOGGER } from '../logger.token';

/**
 * Broadcast subscriptions (no queue group): every realtime replica hears every
 * event and hands it to the sockets it holds in the audience's room, and to
 * the operator feeds of the event's workspace.
 */
@Controller()
export class DeliveryListener {
  constructor(
    private readonly core: DeliveryCore,
    private readonly widgets: WidgetDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @OnEvent(ConversationEvents.messageCreated)
  messageCreated(event: EventPayload<typeof ConversationEvents.messageCreated>): void {
    // A note has its own subject; should one ever come this way, it still never reaches a visitor.
    this.deliver(event, { visitors: event?.payload?.message?.author?.type !== 'note' });
  }

  /** An internal note (issue 21): the workspace's operator feeds only, never the visitor's sockets. */
  @OnEvent(ConversationEvents.noteCreated)
  noteCreated(event: EventPayload<typeof ConversationEvents.noteCreated>): void {
    this.deliver(event, { visitors: false });
  }

  @OnEvent(ConversationEvents.conversationCreated)
  conversationCreated(event: EventPayload<typeof ConversationEvents.conversationCreated>): void {
    this.deliver(event);
  }

  @OnEvent(ConversationEvents.conversationUpdated)
  conversationUpdated(event: EventPayload<typeof ConversationEvents.conversationUpdated>): void {
    this.deliver(event);
  }

  @OnEvent(ConversationEvents.conversationRead)
  conversationRead(event: EventPayload<typeof ConversationEvents.conversationRead>): void {
    this.deliver(event);
  }

  /** The visitor's own unread badge: not an operator's concern. */
  @OnEvent(ConversationEvents.unreadChanged)
  unreadChanged(event: EventPayload<typeof ConversationEvents.unreadChanged>): void {
    this.deliver(event, { operators: false });
  }

  @OnEvent(ConversationEvents.typingStart)
  typingStart(event: EventPayload<typeof ConversationEvents.typingStart>): void {
    this.deliver(event);
  }

  @OnEvent(ConversationEvents.typingStop)
  typingStop(event: EventPayload<typeof ConversationEvents.typingStop>): void {
    this.deliver(event);
  }

  /** Who has a conversation now (SPEC §14 routing, or an operator's PATCH): the workspace's operator feeds only. */
  @OnEvent(ConversationEvents.conversationAssigned)
  conversationAssigned(event: EventPayload<typeof ConversationEvents.conversationAssigned>): void {
    this.deliver(event, { visitors: false });
  }

  /** Visitor typing (from whichever replica holds the visitor's socket) → the workspace's operator feeds. */
  @OnEvent(ConversationEvents.visitorTyping)
  visitorTyping(event: EventPayload<typeof ConversationEvents.visitorTyping>): void {
    if (typeof event?.workspaceId !== 'string' || typeof event.conversationId !== 'string') return;
    this.core.deliver(workspaceRoom(event.workspaceId), {
      id: newId('event'),
      type: event.typing ? VISITOR_EVENT_TYPES.typingStart : VISITOR_EVENT_TYPES.typingStop,
      createdAt: event.at,
      payload: { conversationId: event.conversationId, author: { type: 'user', id: event.userId, name: null } },
    });
  }

  /** A shut-down or superseded (identified) session loses its sockets at once, on every replica (plain WebSocket: 4401). */
  @OnEvent(SessionEvents.revoked)
  revoked(event: EventPayload<typeof SessionEvents.revoked>): void {
    if (typeof event?.sessionId !== 'string') return;
    this.core.endRoom(sessionRoom(event.sessionId), Errors.invalidToken('revoked'), 'revoked');
  }

  /**
   * An account's role changed or it was removed, or a key was revoked (SPEC §14: at once, for what
   * was issued too): its operator sockets end (4401); a member still in the workspace reconnects
   * with a new realtime token, one removed cannot get one.
   */
  @OnEvent(TeamEvents.accessChanged)
  accessChanged(event: EventPayload<typeof TeamEvents.accessChanged>): void {
    // A logout: the sockets opened through that one token end (the account's other sign-ins stay).
    if (typeof event?.tokenHash === 'string') this.core.endRoom(credentialRoom(credentialRef(event.tokenHash)), Errors.invalidToken('revoked'), 'revoked');
    const id = event?.operatorId ?? event?.apiKeyId;
    if (typeof id !== 'string') return;
    this.core.endRoom(principalRoom(id), Errors.invalidToken('access_changed'), 'revoked');
  }

  /** The cached allow-list goes, and this replica's sockets of the widget are checked against the new config. */
  @OnEvent(SessionEvents.widgetUpdated)
  async widgetUpdated(event: EventPayload<typeof SessionEvents.widgetUpdated>): Promise<void> {
    if (typeof event?.widgetId !== 'string') return;
    this.widgets.forget(event.widgetId);
    await this.core.recheckWidget(event.widgetId);
  }

  private deliver(event: VisitorEvent<unknown>, { operators = true, visitors = true } = {}): void {
    if (typeof event?.type !== 'string' || typeof event.id !== 'string') {
      this.logger.warn({ id: event?.id, type: event?.type }, 'visitor event without a type or id dropped');
      return;
    }
    const envelope = { id: event.id, type: event.type, createdAt: event.createdAt, payload: event.payload };
    const room = visitors ? roomOf(event.audience) : null;
    if (room) this.core.deliver(room, envelope);
    if (operators && typeof event.audience?.workspaceId === 'string') this.core.deliver(workspaceRoom(event.audience.workspaceId), envelope);
  }
}
