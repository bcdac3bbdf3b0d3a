import { Injectable } from '@nestjs/common';
import {
  ArticleViewed,
  Conversation,
  FormSubmitted,
  LIFECYCLE_EVENT_TYPES as T,
  Message,
  SessionIdentified,
  SessionStarted,
  VisitorEvent,
} from '@widget/contracts';
import type { Attribution, EventRow, SystemRow } from '../persistence/events.repository';

/** A fact before serialization: its properties as an object. */
type Fact = Omit<EventRow, 'properties'> & { properties: Record<string, unknown> };

/** `<type>:<natural key>`: holds a `:`, which client ids may not, so the two never collide. */
const systemId = (type: string, key: string) => `${type}:${key}`;
const at = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isNaN(t) ? new Date() : new Date(t);
};

/**
 * Turns the other services' domain events into countable lifecycle events
 * (rows the LifecycleConsumer writes a pulled batch of at once). Their ids are
 * derived from the domain event, so a redelivery is a no-op.
 */
@Injectable()
export class LifecycleService {
  sessionStarted(e: SessionStarted): SystemRow | null {
    return this.record(
      { workspaceId: e.workspaceId, widgetId: e.widgetId, sessionId: e.sessionId },
      { eventId: systemId(T.sessionStarted, e.sessionId), type: T.sessionStarted, occurredAt: at(e.at), properties: { identityType: e.identityType } },
    );
  }

  sessionIdentified(e: SessionIdentified): SystemRow | null {
    return this.record(
      { workspaceId: e.workspaceId, widgetId: e.widgetId, sessionId: e.toSessionId },
      {
        eventId: systemId(T.sessionIdentified, e.toSessionId),
        type: T.sessionIdentified,
        occurredAt: new Date(),
        properties: { userId: e.userId, fromSessionId: e.fromSessionId, merge: e.merge },
      },
    );
  }

  conversationStarted(e: VisitorEvent<{ conversation: Conversation }>): SystemRow | null {
    const conversation = e.payload.conversation;
    return this.record(
      { workspaceId: e.audience.workspaceId, widgetId: null, sessionId: e.audience.sessionId },
      {
        eventId: systemId(T.conversationStarted, conversation.id),
        type: T.conversationStarted,
        occurredAt: at(conversation.createdAt),
        properties: { conversationId: conversation.id, userId: e.audience.userId },
      },
    );
  }

  /** Only what the visitor wrote is a "message sent"; agent and bot replies are not widget activity. */
  messageCreated(e: VisitorEvent<{ conversation: Conversation; message: Message }>): SystemRow | null {
    const message = e.payload.message;
    if (message.author.type !== 'user') return null;
    return this.record(
      { workspaceId: e.audience.workspaceId, widgetId: null, sessionId: e.audience.sessionId },
      {
        eventId: systemId(T.messageSent, message.id),
        type: T.messageSent,
        occurredAt: at(message.createdAt),
        properties: { conversationId: message.conversationId, messageId: message.id, userId: e.audience.userId },
      },
    );
  }

  formSubmitted(e: FormSubmitted): SystemRow | null {
    return this.record(
      { workspaceId: e.workspaceId, widgetId: e.widgetId, sessionId: e.sessionId },
      {
        eventId: systemId(T.formSubmitted, e.submissionId),
        type: T.formSubmitted,
        occurredAt: at(e.at),
        properties: { formId: e.formId, submissionId: e.submissionId, conversationId: e.conversationId },
      },
    );
  }

  /** A view has no id of its own: session, article and instant make it one. */
  articleViewed(e: ArticleViewed): SystemRow | null {
    return this.record(
      { workspaceId: e.workspaceId, widgetId: e.widgetId, sessionId: e.sessionId },
      {
        eventId: systemId(T.articleViewed, `${e.sessionId}:${e.articleId}:${e.at}`),
        type: T.articleViewed,
        occurredAt: at(e.at),
        properties: { articleId: e.articleId },
      },
    );
  }

  private record(by: Omit<Attribution, 'source'>, fact: Fact): SystemRow {
    return { ...by, ...fact, properties: JSON.stringify(fact.properties) };
  }
}
