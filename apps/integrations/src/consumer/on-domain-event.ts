import { OnDomainEvent as markDomainEvent } from '@widget/common';
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

/** One event of a pulled batch, as an interest check sees it. */
export interface PulledEvent {
  subject: string;
  payload: unknown;
}

/**
 * What an interest check may share with the others of one pulled batch: `once(key, load)` runs `load` once
 * per batch (e.g. one query for the workspaces of every event in it), and `events` are the batch's events.
 */
export interface InterestScope {
  readonly events: readonly PulledEvent[];
  once<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/**
 * Whether the handler would do anything with this event, asked before any transaction: false, and the handler
 * is skipped (no transaction, no `consumed_events` row); an event no handler wants costs no transaction at all.
 * It must read committed state only when it runs (never a cache another replica could leave stale), so an
 * event published after a change (a webhook created) always sees that change.
 */
export type DomainEventInterest<S, E> = (self: S, payload: EventPayload<E>, scope: InterestScope) => boolean | Promise<boolean>;

export interface OnDomainEventOptions<S, E> {
  wants?: DomainEventInterest<S, E>;
}

/**
 * Marks a method of a provider as a handler of a domain event taken from the
 * JetStream stream (docs/integrations.md, "Domain events"):
 *
 *   @OnDomainEvent(ConversationEvents.messageCreated, { wants: (self: Mine, e) => e.payload.message.author.type === 'agent' })
 *   async onMessage(event: EventPayload<typeof ConversationEvents.messageCreated>, ctx: DomainEventContext) { … }
 *
 * The consumer runs it in a transaction that also records (handler, event key),
 * so a redelivered event is not handled twice; it acknowledges the event once
 * every handler of it has committed, and redelivers it (with backoff) when one
 * throws. `wants` (optional) lets it skip the events it would ignore before
 * any transaction. The event must be in the integrations grant's `consumes`
 * (libs/contracts/src/access.ts), which is also what the stream keeps.
 */
export function OnDomainEvent<E extends DomainEvent<unknown>, S = never>(event: E, options?: OnDomainEventOptions<S, E>) {
  return (target: object, key: string | symbol, descriptor: TypedPropertyDescriptor<DomainEventHandler<E>>): void => {
    markDomainEvent(event, options)(target, key, descriptor);
  };
}
