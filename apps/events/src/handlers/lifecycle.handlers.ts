import { Injectable } from '@nestjs/common';
import { OnDomainEvent } from '@widget/common';
import { ConversationEvents, EventPayload, FormsEvents, KnowledgeEvents, SessionEvents } from '@widget/contracts';
import { LifecycleService } from '../domain/lifecycle.service';
import type { SystemRow } from '../persistence/events.repository';

/**
 * Domain events of the other services, taken from the JetStream stream
 * through the events service's durable consumer (LifecycleConsumer): each
 * handler turns one into the lifecycle fact to store (or null: nothing to
 * count), and the consumer writes a pulled batch of them at once.
 */
@Injectable()
export class LifecycleHandlers {
  constructor(private readonly lifecycle: LifecycleService) {}

  @OnDomainEvent(SessionEvents.started)
  sessionStarted(e: EventPayload<typeof SessionEvents.started>): SystemRow | null {
    return this.lifecycle.sessionStarted(e);
  }

  @OnDomainEvent(SessionEvents.identified)
  sessionIdentified(e: EventPayload<typeof SessionEvents.identified>): SystemRow | null {
    return this.lifecycle.sessionIdentified(e);
  }

  @OnDomainEvent(ConversationEvents.conversationCreated)
  conversationCreated(e: EventPayload<typeof ConversationEvents.conversationCreated>): SystemRow | null {
    return this.lifecycle.conversationStarted(e);
  }

  @OnDomainEvent(ConversationEvents.messageCreated)
  messageCreated(e: EventPayload<typeof ConversationEvents.messageCreated>): SystemRow | null {
    return this.lifecycle.messageCreated(e);
  }

  @OnDomainEvent(FormsEvents.submitted)
  formSubmitted(e: EventPayload<typeof FormsEvents.submitted>): SystemRow | null {
    return this.lifecycle.formSubmitted(e);
  }

  @OnDomainEvent(KnowledgeEvents.articleViewed)
  articleViewed(e: EventPayload<typeof KnowledgeEvents.articleViewed>): SystemRow | null {
    return this.lifecycle.articleViewed(e);
  }
}
