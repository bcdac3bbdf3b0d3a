import type { DomainEvent, EventPayload } from '@widget/contracts';
import type { EntityManager } from 'typeorm';

/** What a handler of a domain event gets besides the payload. */
export interface DomainEventContext {
  /** The transaction that also records this event as handled by this handler: write your work through it. */
  manager: EntityManager;
  /** The event's identity: its own `id` when it has one, else the stream sequence. A redelivery has the same key. */
  eventKey: string;
  /** The full subject (with the deployment's NATS_SUBJECT_PREFIX). */
  subject: string;
  /** Runs `fn` once the transaction committed (e.g. wake a worker for the rows just written). */
  afterCommit(fn: () => void): void;
}

export type DomainEventHandler<E> = (payload: EventPayload<E>, context: DomainEventContext) => Promise<void>;

export const ON_DOMAIN_EVENT = Symbol('integrations:onDomainEvent');

/**
 * Marks a method of a provider as a handler of a domain event taken from the
 * JetStream stream (docs/integrations.md, "Domain events"):
 *
 *   @OnDomainEvent(ConversationEvents.messageCreated)
 *   async onMessage(event: EventPayload<typeof ConversationEvents.messageCreated>, ctx: DomainEventContext) { … }
 *
 * The consumer runs it in a transaction that also records (handler, event key),
 * so a redelivered event is not handled twice; it acknowledges the event once
 * every handler of it has committed, and redelivers it (with backoff) when one
 * throws. The event must be in the integrations grant's `consumes`
 * (libs/contracts/src/access.ts), which is also what the stream keeps.
 */
export function OnDomainEvent<E extends DomainEvent<unknown>>(event: E) {
  return (_target: object, _key: string | symbol, descriptor: TypedPropertyDescriptor<DomainEventHandler<E>>): void => {
    const subjects: string[] = Reflect.getMetadata(ON_DOMAIN_EVENT, descriptor.value as object) ?? [];
    Reflect.defineMetadata(ON_DOMAIN_EVENT, [...subjects, event.subject], descriptor.value as object);
  };
}
