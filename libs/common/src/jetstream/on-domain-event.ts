import type { DomainEvent } from '@widget/contracts';
import type { DiscoveryService, MetadataScanner } from '@nestjs/core';

const ON_DOMAIN_EVENT = Symbol('widget:onDomainEvent');

interface Marked {
  subject: string;
  options: unknown;
}

/** A method marked `@OnDomainEvent`, found on a provider. */
export interface FoundDomainEventHandler<O = unknown> {
  subject: string;
  /** `Class.method`. */
  name: string;
  instance: object;
  run: (...args: never[]) => unknown;
  /** What the service's own decorator added (integrations: its interest check). */
  options: O | undefined;
}

/**
 * Marks a method of a provider as a handler of a domain event taken from the
 * JetStream stream through the service's durable consumer (DurableEventConsumer).
 * What the method is handed, and what it must return, is the consuming
 * service's (apps/integrations: a transaction; apps/events: a fact to store).
 * The event must be in the service's grant `consumes` (libs/contracts/src/access.ts),
 * which is also what the stream keeps; test/nats-access.spec.ts checks both.
 */
export function OnDomainEvent(event: DomainEvent<unknown>, options?: unknown): MethodDecorator {
  return (_target, _key, descriptor) => {
    const marks: Marked[] = Reflect.getMetadata(ON_DOMAIN_EVENT, descriptor.value as object) ?? [];
    Reflect.defineMetadata(ON_DOMAIN_EVENT, [...marks, { subject: event.subject, options }], descriptor.value as object);
  };
}

/** Every `@OnDomainEvent` method of the application's providers and controllers; throws on an event outside `consumes`. */
export function findDomainEventHandlers<O = unknown>(discovery: DiscoveryService, scanner: MetadataScanner, consumes: string[], principal: string): FoundDomainEventHandler<O>[] {
  const found: FoundDomainEventHandler<O>[] = [];
  for (const wrapper of [...discovery.getProviders(), ...discovery.getControllers()]) {
    const instance = wrapper.instance as Record<string, unknown> | undefined;
    if (!instance || typeof instance !== 'object') continue;
    const prototype = Object.getPrototypeOf(instance) as object;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const fn = instance[method] as (...args: never[]) => unknown;
      const marks: Marked[] | undefined = typeof fn === 'function' ? Reflect.getMetadata(ON_DOMAIN_EVENT, fn) : undefined;
      for (const mark of marks ?? []) {
        found.push({ subject: mark.subject, name: `${instance.constructor.name}.${method}`, instance, run: fn.bind(instance), options: mark.options as O | undefined });
      }
    }
  }
  const unkept = [...new Set(found.map((h) => h.subject))].filter((s) => !consumes.includes(s));
  if (unkept.length > 0) throw new Error(`@OnDomainEvent on ${unkept.join(', ')}: add it to the ${principal} grant's consumes (libs/contracts/src/access.ts)`);
  return found;
}
