import type { INestApplicationContext } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { DomainEvent, REQUEST_ID_HEADER, Rpc } from '@widget/contracts';
import { connect, Msg, NatsConnection, NatsError, Subscription } from 'nats';
import type { Logger } from 'pino';
import type { ZodType, ZodTypeDef } from 'zod';
import { isDatabaseUnavailable } from '../database/unavailable';
import { AppError, Errors } from '../errors';
import { requestContext } from '../logging';
import { Metrics, outcomeOf, subjectLabel } from '../metrics/metrics';
import { NatsConnectOptions } from './connection';

/**
 * The services' NATS side without Nest's per-message RPC pipeline (rxjs,
 * interceptors, exception filters, the transport's serializers): handlers are
 * methods of Nest providers or controllers marked `@Handles(SomeRpc.x)` or
 * `@OnEvent(SomeEvents.y)`, found once at start, and each subject is one
 * nats.js subscription whose callback calls the method directly.
 *
 * The wire stays Nest's NATS transport's, so NatsBus, the outbox relay and
 * processes of the previous release interoperate: a request is
 * `{ pattern, data, id }` and its reply `{ response, isDisposed: true, id }` or
 * `{ err: WireError, isDisposed: true, id }`; an event is `{ pattern, data }`
 * (no `id`: nobody is answered).
 */

const HANDLERS = 'widget:nats-handlers';

interface HandlerMark {
  kind: 'rpc' | 'event';
  subject: string;
  method: string | symbol;
  schema?: ZodType;
}

function mark(target: object, entry: HandlerMark): void {
  const owner = target.constructor;
  const marks: HandlerMark[] = Reflect.getOwnMetadata(HANDLERS, owner) ?? [];
  Reflect.defineMetadata(HANDLERS, [...marks, entry], owner);
}

type Awaitable<T> = T | Promise<T>;
/** The method's type is checked against the contract (its request in, its reply out); `value` only, so it checks one way. */
interface MethodOf<F> {
  value?: F;
}

export interface HandlesOptions<Req> {
  /** Checked before the handler runs: a payload it refuses is answered validation_error, the handler never sees it. */
  schema?: ZodType<Req, ZodTypeDef, unknown>;
}

/** Answers the requests of one RPC subject; the method takes the request and returns (or resolves to) the reply. */
export function Handles<Req, Res>(route: Rpc<Req, Res>, options: HandlesOptions<Req> = {}) {
  return (target: object, method: string | symbol, _descriptor: MethodOf<(req: Req) => Awaitable<Res>>): void =>
    mark(target, { kind: 'rpc', subject: route.subject, method, schema: options.schema as ZodType | undefined });
}

/**
 * Hears one broadcast domain event. Within a process, every method marked for
 * the subject runs; across processes the dispatcher's queue decides (none:
 * every replica hears each event; a queue group: one replica does).
 */
export function OnEvent<P>(evt: DomainEvent<P>) {
  return (target: object, method: string | symbol, _descriptor: MethodOf<(payload: P) => Awaitable<void>>): void =>
    mark(target, { kind: 'event', subject: evt.subject, method });
}

export interface DispatcherOptions {
  /** natsConnectOptions(config, principal, name): the dispatcher has its own connection. */
  connection: NatsConnectOptions;
  /** Queue group of every subscription (replicas share the work), or none: each replica gets every message. */
  queue?: string;
  logger: Logger;
  /** nats_request_duration_seconds by subject and outcome. */
  metrics?: Metrics;
  /** One `handled` line per message (the services); otherwise only failures are logged. */
  logEach?: boolean;
}

type Invoke = (data: unknown) => unknown;

interface Route {
  subject: string;
  label: string;
  kind: 'rpc' | 'event';
  invoke: Invoke;
  schema?: ZodType;
}

interface Packet {
  pattern?: unknown;
  data?: unknown;
  id?: unknown;
}

const decoder = new TextDecoder();
const encode = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value));

/** Every `@Handles`/`@OnEvent` method of the application's instantiated providers and controllers, by subject. */
export function discoverRoutes(app: INestApplicationContext): Route[] {
  const seen = new Set<unknown>();
  const bySubject = new Map<string, { kind: 'rpc' | 'event'; schema?: ZodType; targets: Invoke[] }>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of [...module.controllers.values(), ...module.providers.values()]) {
      const instance = wrapper.instance as Record<string | symbol, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      const marks: HandlerMark[] | undefined = Reflect.getMetadata(HANDLERS, instance.constructor);
      if (!marks) continue;
      seen.add(instance);
      if (!wrapper.isDependencyTreeStatic()) throw new Error(`${wrapper.name as string}: NATS handlers must live in singleton providers`);
      for (const { kind, subject, method, schema } of marks) {
        const fn = instance[method] as (data: unknown) => unknown;
        const invoke: Invoke = (data) => fn.call(instance, data);
        const route = bySubject.get(subject);
        if (!route) bySubject.set(subject, { kind, schema, targets: [invoke] });
        else if (route.kind === 'event' && kind === 'event') route.targets.push(invoke);
        else throw new Error(`${subject} has more than one request handler`);
      }
    }
  }
  return [...bySubject].map(([subject, { kind, schema, targets }]) => ({
    subject,
    label: subjectLabel(subject),
    kind,
    schema,
    invoke: targets.length === 1 ? targets[0] : (data) => Promise.all(targets.map((target) => target(data))),
  }));
}

/**
 * Subscribes every discovered handler on its own NATS connection. Draining
 * (`drain()`, also run first by `app.close()`): the subscriptions stop taking
 * messages (NATS hands the queue group's next requests to other replicas),
 * the messages already taken are handled and answered, the replies flushed,
 * then the connection closes.
 */
export class NatsDispatcher {
  private connection?: NatsConnection;
  private subscriptions: Subscription[] = [];
  private inFlight = 0;
  private idleWaiters: Array<() => void> = [];
  private drained?: Promise<void>;

  constructor(
    private readonly routes: Route[],
    private readonly options: DispatcherOptions,
  ) {}

  get subjects(): string[] {
    return this.routes.map((route) => route.subject);
  }

  /** Messages taken and not yet answered. */
  get pending(): number {
    return this.inFlight;
  }

  async start(): Promise<void> {
    const { connection, queue, logger } = this.options;
    const nc = await connect({ ...connection, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    this.connection = nc;
    void this.watch(nc);
    for (const route of this.routes) {
      this.subscriptions.push(nc.subscribe(route.subject, { queue, callback: (err, msg) => this.onMessage(route, err, msg) }));
    }
    // The subscriptions are with the server before anyone is told this process is ready.
    await nc.flush();
    logger.debug({ subjects: this.subjects.length, queue }, 'NATS handlers subscribed');
  }

  drain(): Promise<void> {
    this.drained ??= this.drainNow();
    return this.drained;
  }

  private async drainNow(): Promise<void> {
    const nc = this.connection;
    if (!nc || nc.isClosed()) return;
    const { logger } = this.options;
    const started = performance.now();
    logger.info({ pending: this.inFlight }, 'NATS handlers draining');
    await Promise.all(this.subscriptions.map((sub) => (sub.isClosed() ? undefined : sub.drain().catch(() => undefined))));
    await this.idle();
    await nc.flush().catch(() => undefined);
    await nc.close();
    logger.info({ ms: Math.round(performance.now() - started) }, 'NATS handlers drained');
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private async watch(nc: NatsConnection): Promise<void> {
    const { logger } = this.options;
    for await (const status of nc.status()) {
      if (this.drained) continue;
      if (status.type === 'disconnect') logger.warn({ server: status.data }, 'NATS handlers disconnected');
      else if (status.type === 'reconnect') logger.info({ server: status.data }, 'NATS handlers reconnected');
      else if (status.type === 'error') logger.error({ err: status.data }, 'NATS handlers connection error');
    }
  }

  private onMessage(route: Route, err: NatsError | null, msg: Msg): void {
    if (err) {
      this.options.logger.error({ err, subject: route.subject }, 'NATS subscription error');
      return;
    }
    this.inFlight++;
    const requestId = msg.headers?.get(REQUEST_ID_HEADER) || undefined;
    if (requestId) requestContext.run({ requestId }, () => void this.handle(route, msg, requestId));
    else void this.handle(route, msg, undefined);
  }

  /** An AppError as it is; PostgreSQL away as a retryable 503 (a warning); anything else logged and internal_error. */
  private wireError(err: unknown, subject: string): AppError {
    if (err instanceof AppError) return err;
    if (isDatabaseUnavailable(err)) {
      this.options.logger.warn({ subject, err: (err as Error)?.message }, 'database unavailable');
      return Errors.databaseUnavailable();
    }
    this.options.logger.error({ err, subject }, 'unhandled error in NATS handler');
    return Errors.internal();
  }

  private async handle(route: Route, msg: Msg, requestId: string | undefined): Promise<void> {
    const started = performance.now();
    let id: unknown;
    let reply: object;
    let failure: unknown;
    try {
      let packet = JSON.parse(decoder.decode(msg.data)) as Packet | null;
      // As Nest's transport: a message that is not a packet is the payload of an event.
      if (packet === null || typeof packet !== 'object' || (packet.pattern === undefined && packet.data === undefined)) packet = { data: packet };
      id = packet.id;
      const data = route.schema ? parse(route.schema, packet.data) : packet.data;
      reply = { response: await route.invoke(data), isDisposed: true, id };
    } catch (err) {
      failure = err ?? new Error('handler threw nothing');
      reply = { err: this.wireError(err, route.subject).toWire(), isDisposed: true, id };
    }
    // Without an id the sender asked for no answer (an event; Nest's transport answers none either).
    if (msg.reply && id !== undefined) {
      try {
        msg.respond(encode(reply));
      } catch (err) {
        this.options.logger.error({ err, subject: route.subject }, 'NATS reply not sent');
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const { metrics, logger, logEach } = this.options;
    metrics?.observeNats(route.label, failure === undefined ? 'ok' : outcomeOf(failure), seconds);
    if (logEach) {
      const ms = Math.round(seconds * 10_000) / 10;
      if (failure === undefined) logger.info({ requestId, subject: route.subject, ms }, 'handled');
      else logger.info({ requestId, subject: route.subject, ms, code: failure instanceof AppError ? failure.code : 'internal_error' }, 'handled with error');
    }
    if (--this.inFlight === 0 && this.idleWaiters.length > 0) this.idleWaiters.splice(0).forEach((wake) => wake());
  }
}

function parse(schema: ZodType, data: unknown): unknown {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const details = result.error.issues.slice(0, 20).map((issue) => ({ field: issue.path.join('.') || '(request)', reason: issue.message }));
  throw Errors.validation(details);
}

/**
 * Starts the NATS side of a Nest application (after `app.init()`, so every
 * provider's onModuleInit ran): every `@Handles`/`@OnEvent` method it holds,
 * subscribed with `queue`. `app.close()` drains it before anything else
 * closes, so handlers in flight still have their database and NATS clients.
 */
export async function startDispatcher(app: INestApplicationContext, options: DispatcherOptions): Promise<NatsDispatcher> {
  await app.init();
  const dispatcher = new NatsDispatcher(discoverRoutes(app), options);
  await dispatcher.start();
  // Nest hands out its application behind proxies whose `set` ignores assignments: the method is defined on the
  // application itself, and calls the class's own close (not the proxies' late-bound wrapper, which would call this).
  const close = (Object.getPrototypeOf(app) as { close: (...args: unknown[]) => Promise<void> }).close;
  Object.defineProperty(app, 'close', {
    configurable: true,
    writable: true,
    value: async function (this: unknown, ...args: unknown[]): Promise<void> {
      await dispatcher.drain();
      return close.apply(this, args);
    },
  });
  return dispatcher;
}
