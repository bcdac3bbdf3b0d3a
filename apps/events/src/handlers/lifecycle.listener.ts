import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ConversationEvents, EventPayload, FormsEvents, KnowledgeEvents, SessionEvents } from '@widget/contracts';
import { LifecycleService } from '../domain/lifecycle.service';

/**
 * Domain events of the other services. The events service subscribes in its
 * queue group, so with N replicas exactly one records each fact. Handlers
 * return once the fact is buffered (see LifecycleBuffer).
 */
@Controller()
export class LifecycleListener {
  constructor(private readonly lifecycle: LifecycleService) {}

  @EventPattern(SessionEvents.started.subject)
  sessionStarted(@Payload() e: EventPayload<typeof SessionEvents.started>): void {
    this.lifecycle.sessionStarted(e);
  }

  @EventPattern(SessionEvents.identified.subject)
  sessionIdentified(@Payload() e: EventPayload<typeof SessionEvents.identified>): void {
    this.lifecycle.sessionIdentified(e);
  }

  @EventPattern(ConversationEvents.conversationCreated.subject)
  conversationCreated(@Payload() e: EventPayload<typeof ConversationEvents.conversationCreated>): void {
    this.lifecycle.conversationStarted(e);
  }

  @EventPattern(ConversationEvents.messageCreated.subject)
  messageCreated(@Payload() e: EventPayload<typeof ConversationEvents.messageCreated>): void {
    this.lifecycle.messageCreated(e);
  }

  @EventPattern(FormsEvents.submitted.subject)
  formSubmitted(@Payload() e: EventPayload<typeof FormsEvents.submitted>): void {
    this.lifecycle.formSubmitted(e);
  }

  @EventPattern(KnowledgeEvents.articleViewed.subject)
  articleViewed(@Payload() e: EventPayload<typeof KnowledgeEvents.articleViewed>): void {
    this.lifecycle.articleViewed(e);
  }
}
