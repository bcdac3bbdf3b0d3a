/**
 * Every NATS subject is built here, and only here. A deployment may share one
 * NATS cluster between several stacks (staging, tests): NATS_SUBJECT_PREFIX
 * namespaces every subject of this process, so it must be set in the
 * environment before this module is imported (it is read once).
 */
const prefix = process.env.NATS_SUBJECT_PREFIX ?? '';

/** The NATS_SUBJECT_PREFIX every subject of this process was built with. */
export const SUBJECT_PREFIX = prefix;

/** A request/reply subject with the request and reply types bound to it. */
export interface Rpc<Req, Res> {
  readonly subject: string;
  /** Phantom fields: carry the types, never set at run time. */
  readonly __req?: Req;
  readonly __res?: Res;
}

/** A broadcast event subject with its payload type bound to it. */
export interface DomainEvent<P> {
  readonly subject: string;
  readonly __payload?: P;
}

export function rpc<Req, Res>(name: string): Rpc<Req, Res> {
  return { subject: `${prefix}rpc.${name}` };
}

export function event<P>(name: string): DomainEvent<P> {
  return { subject: `${prefix}evt.${name}` };
}

export type RpcRequest<R> = R extends Rpc<infer Req, unknown> ? Req : never;
export type RpcReply<R> = R extends Rpc<unknown, infer Res> ? Res : never;
export type EventPayload<E> = E extends DomainEvent<infer P> ? P : never;

/** Name of the NATS header that carries the gateway's request id. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Queue groups: N replicas of one service share each request subject. */
export const QUEUE = {
  session: 'session',
  conversation: 'conversation',
  knowledge: 'knowledge',
  forms: 'forms',
  events: 'events',
  team: 'team',
  integrations: 'integrations',
} as const;
export type ServiceName = keyof typeof QUEUE;
export const SERVICE_NAMES = Object.keys(QUEUE) as ServiceName[];

/** Every service answers a ping on its own subject; the gateway's readiness uses it. */
export const HealthRpc: Record<ServiceName, Rpc<Record<string, never>, { service: ServiceName; ok: true }>> = {
  session: rpc('session.health'),
  conversation: rpc('conversation.health'),
  knowledge: rpc('knowledge.health'),
  forms: rpc('forms.health'),
  events: rpc('events.health'),
  team: rpc('team.health'),
  integrations: rpc('integrations.health'),
};
