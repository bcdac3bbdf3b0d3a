import { Injectable } from '@nestjs/common';
import { AppError, NatsBus, newId } from '@widget/common';
import { ConversationEvents, EventPayload, FormsEvents, Message, OperatorVisitor, SessionEvents, SessionRpc, WebhookEventType } from '@widget/contracts';
import { DomainEventContext, InterestScope, OnDomainEvent } from '../consumer/on-domain-event';
import { PersonData } from '../domain/person-data';
import { DeliveryWorker } from './delivery-worker';
import { WebhooksRepository } from './webhooks.repository';

/** Whose data a body carries: the keys an erasure or export finds it by (SPEC §17). */
interface Owner {
  workspaceId: string;
  sessionId: string | null;
  userId: string | null;
}

/** SPEC §16: the visitor's, the agents', bots' and emailed messages; never an internal note (nor a system line). */
const DELIVERED_AUTHORS = new Set<Message['author']['type']>(['user', 'agent', 'bot']);

/** The workspace of a consumed event: conversation events name it in their audience, the others at the top. */
function eventWorkspace(payload: unknown): unknown {
  const p = payload as { workspaceId?: unknown; audience?: { workspaceId?: unknown } } | null;
  return p?.audience?.workspaceId ?? p?.workspaceId;
}

/**
 * Turns the domain events into deliveries (SPEC §16): one per enabled webhook
 * of the workspace that takes the event, written in the consumer's
 * transaction, with the body `{ type, timestamp, data }` fixed now (every
 * retry sends the same bytes). `data` holds the operator API's views: the
 * events carry the conversation and message views; the visitor's is asked of
 * the session service.
 */
@Injectable()
export class WebhookEventsListener {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly worker: DeliveryWorker,
    private readonly bus: NatsBus,
    private readonly personData: PersonData,
  ) {}

  @OnDomainEvent(ConversationEvents.conversationCreated, { wants: (self: WebhookEventsListener, e, scope) => self.subscribed(scope, e.audience.workspaceId, 'conversation.created') })
  async conversationCreated(e: EventPayload<typeof ConversationEvents.conversationCreated>, ctx: DomainEventContext): Promise<void> {
    await this.enqueue(ctx, e.audience, 'conversation.created', e.createdAt, { conversation: e.payload.conversation });
  }

  @OnDomainEvent(ConversationEvents.conversationUpdated, { wants: (self: WebhookEventsListener, e, scope) => self.subscribed(scope, e.audience.workspaceId, 'conversation.updated') })
  async conversationUpdated(e: EventPayload<typeof ConversationEvents.conversationUpdated>, ctx: DomainEventContext): Promise<void> {
    await this.enqueue(ctx, e.audience, 'conversation.updated', e.createdAt, { conversation: e.payload.conversation });
  }

  @OnDomainEvent(ConversationEvents.messageCreated, {
    wants: (self: WebhookEventsListener, e, scope) => DELIVERED_AUTHORS.has(e.payload.message.author.type) && self.subscribed(scope, e.audience.workspaceId, 'message.created'),
  })
  async messageCreated(e: EventPayload<typeof ConversationEvents.messageCreated>, ctx: DomainEventContext): Promise<void> {
    if (!DELIVERED_AUTHORS.has(e.payload.message.author.type)) return;
    await this.enqueue(ctx, e.audience, 'message.created', e.createdAt, { conversation: e.payload.conversation, message: e.payload.message });
  }

  @OnDomainEvent(FormsEvents.submitted, { wants: (self: WebhookEventsListener, e, scope) => self.subscribed(scope, e.workspaceId, 'form.submitted') })
  async formSubmitted(e: EventPayload<typeof FormsEvents.submitted>, ctx: DomainEventContext): Promise<void> {
    const submission = { id: e.submissionId, formId: e.formId, conversationId: e.conversationId, createdAt: e.at };
    await this.enqueue(ctx, { workspaceId: e.workspaceId, sessionId: e.sessionId, userId: null }, 'form.submitted', e.at, { submission });
  }

  @OnDomainEvent(SessionEvents.identified, { wants: (self: WebhookEventsListener, e, scope) => self.subscribed(scope, e.workspaceId, 'visitor.identified') })
  async visitorIdentified(e: EventPayload<typeof SessionEvents.identified>, ctx: DomainEventContext): Promise<void> {
    const owner = { workspaceId: e.workspaceId, sessionId: e.toSessionId, userId: e.userId };
    if (!(await this.hasSubscribers(ctx, owner.workspaceId, 'visitor.identified'))) return;
    if (await this.personData.erased(ctx.manager, [owner.sessionId, owner.userId])) return;
    let visitor: OperatorVisitor;
    try {
      visitor = await this.bus.send(SessionRpc.adminVisitor, owner);
    } catch (err) {
      // The session is gone (erased, or expired and swept) before the event was handled: nothing to tell.
      if (err instanceof AppError && err.status === 404) return;
      throw err;
    }
    await this.enqueue(ctx, owner, 'visitor.identified', new Date().toISOString(), { visitor });
  }

  /**
   * The interest check, before any transaction: does an enabled webhook of the workspace take this type? One
   * query answers it for every workspace of the pulled batch, read when the batch is handled (after each of its
   * events was published), never cached across batches: a webhook created or changed before an event was
   * published is seen by whichever replica handles the event. The handler reads the subscribers again in its
   * transaction, so one disabled meanwhile gets nothing.
   */
  async subscribed(scope: InterestScope, workspaceId: string, type: WebhookEventType): Promise<boolean> {
    const taken = await scope.once('webhooks', () => this.repo.subscribedTypes(scope.events.map((e) => eventWorkspace(e.payload)).filter((w): w is string => typeof w === 'string')));
    return taken.has(`${workspaceId}\n${type}`);
  }

  private async hasSubscribers(ctx: DomainEventContext, workspaceId: string, event: WebhookEventType): Promise<boolean> {
    return (await this.repo.subscribers(ctx.manager, workspaceId, event)).length > 0;
  }

  private async enqueue(ctx: DomainEventContext, owner: Owner, type: WebhookEventType, timestamp: string, data: unknown): Promise<void> {
    const webhooks = await this.repo.subscribers(ctx.manager, owner.workspaceId, type);
    if (webhooks.length === 0) return;
    // An event about a person erased since it was published (it waited in the stream): nothing of theirs is written again.
    if (await this.personData.erased(ctx.manager, [owner.sessionId, owner.userId])) return;
    const body = JSON.stringify({ type, timestamp, data });
    for (const { id } of webhooks) {
      await this.repo.insertDelivery(ctx.manager, {
        id: newId('delivery'),
        webhookId: id,
        workspaceId: owner.workspaceId,
        event: type,
        eventKey: ctx.eventKey,
        sessionId: owner.sessionId,
        userId: owner.userId,
        body,
      });
    }
    ctx.afterCommit(() => this.worker.poke());
  }
}
