import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { InjectConfig, Metrics, natsConnectOptions } from '@widget/common';
import { domainEventStream, domainEventSubjects, INTEGRATIONS_CONSUMER } from '@widget/contracts';
import { ConsumerMessages, JetStreamManager, JsMsg, NatsConnection, connect } from 'nats';
import { DataSource } from 'typeorm';
import type { IntegrationsConfig } from '../config';
import { ensureEventStream } from './event-stream';
import { DomainEventHandler, ON_DOMAIN_EVENT } from './on-domain-event';

interface Registered {
  /** `Class.method`: the key its handled events are recorded under. */
  name: string;
  run: DomainEventHandler<never>;
}

/** A failing event is offered again after 2^n seconds (n: deliveries so far), at most this long. */
const MAX_REDELIVERY_DELAY_MS = 60_000;
/** Events pulled at once by one replica. */
const BATCH = 64;

/**
 * The durable JetStream consumer of the domain events (docs/integrations.md):
 * every replica pulls from the same durable consumer, so each event goes to one
 * replica at a time; an event not acknowledged within EVENT_ACK_WAIT_MS (the
 * replica died) goes to another. Handlers are the `@OnDomainEvent` methods of
 * the service's providers; each runs in a transaction that records (handler,
 * event key) in `integrations.consumed_events`, so a redelivered event does
 * nothing twice. The event is acknowledged after every handler committed.
 */
@Injectable()
export class DomainEventConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DomainEventConsumer.name);
  private readonly handlers = new Map<string, Registered[]>();
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private loop: Promise<void> | null = null;
  private stopping = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectConfig() private readonly config: IntegrationsConfig,
    private readonly metrics: Metrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.discoverHandlers();
    const stream = domainEventStream();
    const subjects = domainEventSubjects();
    const unkept = [...this.handlers.keys()].filter((s) => !subjects.includes(s));
    if (unkept.length > 0) throw new Error(`@OnDomainEvent on ${unkept.join(', ')}: add it to the integrations grant's consumes (libs/contracts/src/access.ts)`);
    this.nc = await connect({ ...natsConnectOptions(this.config, 'integrations', 'integrations-events'), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const jsm = await this.nc.jetstreamManager({ checkAPI: false });
    await ensureEventStream(jsm, {
      stream,
      subjects,
      consumer: INTEGRATIONS_CONSUMER,
      maxAgeHours: this.config.EVENT_STREAM_MAX_AGE_HOURS,
      replicas: this.config.EVENT_STREAM_REPLICAS,
      ackWaitMs: this.config.EVENT_ACK_WAIT_MS,
    });
    this.watchLag(jsm, stream);
    const consumer = await this.nc.jetstream({ checkAPI: false }).consumers.get(stream, INTEGRATIONS_CONSUMER);
    this.messages = await consumer.consume({ max_messages: BATCH });
    this.loop = this.run(this.messages);
    this.logger.log(`consuming ${stream} (${subjects.length} subjects) as ${INTEGRATIONS_CONSUMER}`);
  }

  async onApplicationShutdown(): Promise<void> {
    // Stop pulling, finish the event in hand; the ones pulled but not handled are redelivered after ack_wait.
    this.stopping = true;
    await this.messages?.close().catch(() => undefined);
    await this.loop;
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  /** The consumer's lag on /metrics, asked of JetStream on each scrape (the same for every replica: aggregate with max). */
  private watchLag(jsm: JetStreamManager, stream: string): void {
    this.metrics.gaugeFromCallback('domain_events_pending', 'Domain events in the stream not yet handled and acknowledged by the integrations consumer.', async () => {
      const info = await jsm.consumers.info(stream, INTEGRATIONS_CONSUMER);
      return info.num_pending + info.num_ack_pending;
    });
  }

  private discoverHandlers(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method] as DomainEventHandler<never>;
        const subjects: string[] | undefined = Reflect.getMetadata(ON_DOMAIN_EVENT, fn);
        for (const subject of subjects ?? []) {
          const list = this.handlers.get(subject) ?? [];
          list.push({ name: `${instance.constructor.name}.${method}`, run: fn.bind(instance) });
          this.handlers.set(subject, list);
        }
      }
    }
  }

  private async run(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      try {
        await this.handle(msg);
        msg.ack();
      } catch (err) {
        const delay = Math.min(MAX_REDELIVERY_DELAY_MS, 1000 * 2 ** Math.min(msg.info.redeliveryCount, 16));
        this.logger.warn(`event ${msg.subject} #${msg.seq} failed (${(err as Error).message}); offered again in ${delay} ms`);
        msg.nak(delay);
      }
    }
    // The pull ended without a shutdown (the consumer or its stream deleted): a process that consumes nothing must not
    // look healthy, so it exits and its supervisor starts it again, which makes the stream and consumer again.
    if (!this.stopping) {
      this.logger.fatal('the domain-event consumer stopped delivering; exiting to be restarted');
      process.exit(1);
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const handlers = this.handlers.get(msg.subject) ?? [];
    if (handlers.length === 0) return;
    // The wire shape of every emit (NatsBus, the conversation outbox): { pattern, data }.
    const { data } = msg.json<{ data: unknown }>();
    const id = (data as { id?: unknown } | null)?.id;
    const eventKey = typeof id === 'string' ? id : `seq:${msg.seq}`;
    const committed: (() => void)[] = [];
    for (const handler of handlers) {
      await this.dataSource.transaction(async (manager) => {
        const claimed: unknown[] = await manager.query(
          `INSERT INTO integrations.consumed_events (handler, event_key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING handler`,
          [handler.name, eventKey],
        );
        if (claimed.length === 0) return;
        await handler.run(data as never, { manager, eventKey, subject: msg.subject, afterCommit: (fn) => committed.push(fn) });
      });
    }
    committed.forEach((fn) => fn());
  }
}
