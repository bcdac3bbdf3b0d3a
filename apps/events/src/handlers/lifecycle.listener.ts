import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ConversationEvents, EventPayload, FormsEvents, KnowledgeEvents, SessionEvents } from '@widget/contracts';
import { LifecycleService } from '../domain/lifecycle.service';

/**
 * Domain events of the other services. The events service subscribes in its
 * queue group, so with N replicas exactly one records each fact.
 */
@Controller()
export class LifecycleListener {
  constructor(private readonly lifecycle: LifecycleService) {}

  @EventPattern(SessionEvents.started.subject)
  sessionStarted(@Payload() e: EventPayload<typeof SessionEvents.started>): Promise<void> {
    return this.lifecycle.sessionStarted(e);
  }

  @EventPattern(SessionEvents.identified.subject)
  sessionIdentified(@Payload() e: EventPayload<typeof SessionEvents.identified>): Promise<void> {
    return this.lifecycle.sessionIdentified(e);
  }

  @EventPattern(ConversationEvents.conversationCreated.subject)
  conversationCreated(@Payload() e: EventPayload<typeof ConversationEvents.conversationCreated>): Promise<void> {
    return this.lifecycle.conversationStarted(e);
  }

  @EventPattern(ConversationEvents.messageCreated.subject)
  messageCreated(@Payload() e: EventPayload<typeof ConversationEvents.messageCreated>): Promise<void> {
    return this.lifecycle.messageCreated(e);
  }

  @EventPattern(FormsEvents.submitted.subject)
  formSubmitted(@Payload() e: EventPayload<typeof FormsEvents.submitted>): Promise<void> {
    return this.lifecycle.formSubmitted(e);
  }

  @EventPattern(KnowledgeEvents.articleViewed.subject)
  articleViewed(@Payload() e: EventPayload<typeof KnowledgeEvents.articleViewed>): Promise<void> {
    return this.lifecycle.articleViewed(e);
  }
}
