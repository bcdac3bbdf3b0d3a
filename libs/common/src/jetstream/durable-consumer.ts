import { domainEventConsumer, domainEventStream, domainEventSubjects, NatsPrincipal } from '@widget/contracts';
import { connect, ConsumerMessages, JsMsg, NatsConnection } from 'nats';
import type { Metrics } from '../metrics';
import { NatsEnv, natsConnectOptions } from '../nats/connection';
import { ensureEventStream, EventStreamEnv } from './event-stream';
import type { Logger } from 'pino';

/** A failing event is offered again after 2^n seconds (n: deliveries so far), at most this long. */
const MAX_REDELIVERY_DELAY_MS = 60_000;

/** What a batch handler says went wrong: the events to offer again (the others are acknowledged). */
export type BatchFailures = Map<JsMsg, Error>;

export interface DurableConsumerOptions {
  /** Its durable consumer is named after it, and its grant allows that consumer only (libs/contracts/src/access.ts). */
  principal: NatsPrincipal;
  env: NatsEnv & EventStreamEnv;
  metrics: Metrics;
  /** The app's logger (the process kit's LOGGER). */
  logger: Logger;
  /** Most events handed to one `handle` call. */
  batch: number;
  /** Fewer than `batch` events wait at most this long for more before `handle` (0 or absent: handled at once). */
  lingerMs?: number;
  /**
   * Handles the events pulled so far (in stream order, at most `batch`); resolves once their effects are durable.
   * Every event it does not name in the returned failures is acknowledged; throwing fails them all.
   */
  handle: (batch: JsMsg[]) => Promise<BatchFailures | void>;
}

/**
 * A durable JetStream pull consumer of the domain-event stream
 * (docs/architecture.md, "Domain events into JetStream"), shared by the
 * services that must not lose an event while they are away (integrations,
 * events). It makes the stream (the subjects every grant's `consumes` names)
 * and its own durable consumer when missing; every replica pulls from that one
 * consumer, so each event goes to one replica at a time, and one not
 * acknowledged within EVENT_ACK_WAIT_MS (the replica died) goes to another.
 *
 * Events are handed over in batches: while one batch is handled, the next
 * pulled ones gather, and the handler gets them all at once (so under load a
 * batch costs one transaction for many events). With `lingerMs`, fewer than a
 * batch wait that long at most for more: at a trickle of traffic that is what
 * makes batches (docs/benchmarks.md, "Fewer wakeups per send"). An
 * event is acknowledged after its batch was handled; a failed one is offered
 * again with backoff.
 */
export class DurableEventConsumer {
  private readonly logger: Logger;
  private nc: NatsConnection | null = null;
  private messages: ConsumerMessages | null = null;
  private readonly queue: JsMsg[] = [];
  private wake: (() => void) | null = null;
  private pulling = true;
  private stopping = false;
  private reader: Promise<void> | null = null;
  private writer: Promise<void> | null = null;
  private inHand: Promise<void> = Promise.resolve();

  private constructor(private readonly options: DurableConsumerOptions) {
    this.logger = options.logger.child({ component: `DomainEvents(${options.principal})` });
  }

  /** Connects as the principal, makes the stream and the durable consumer when missing, and starts pulling. */
  static async start(options: DurableConsumerOptions): Promise<DurableEventConsumer> {
    const consumer = new DurableEventConsumer(options);
    await consumer.open();
    return consumer;
  }

  private async open(): Promise<void> {
    const { principal, env } = this.options;
    const stream = domainEventStream();
    const subjects = domainEventSubjects();
    const durable = domainEventConsumer(principal);
    this.nc = await connect({ ...natsConnectOptions(env, principal, `${principal}-domain-events`), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
    const jsm = await this.nc.jetstreamManager({ checkAPI: false });
    await ensureEventStream(jsm, {
      stream,
      subjects,
      consumer: durable,
      maxAgeHours: env.EVENT_STREAM_MAX_AGE_HOURS,
      replicas: env.EVENT_STREAM_REPLICAS,
      ackWaitMs: env.EVENT_ACK_WAIT_MS,
    });
    // Its lag on /metrics, asked of JetStream on each scrape (the same for every replica: aggregate with max).
    this.options.metrics.gaugeFromCallback('domain_events_pending', `Domain events in the stream not yet handled and acknowledged by the ${principal} consumer.`, async () => {
      const info = await jsm.consumers.info(stream, durable);
      return info.num_pending + info.num_ack_pending;
    });
    const consumer = await this.nc.jetstream({ checkAPI: false }).consumers.get(stream, durable);
    this.messages = await consumer.consume({ max_messages: Math.max(64, this.options.batch) });
    this.reader = this.read(this.messages);
    this.writer = this.write();
    this.logger.info(`consuming ${stream} (${subjects.length} subjects) as ${durable}`);
  }

  /** Resolves once the batch being handled now (if any) is done: what was pulled before this call and taken is durable. */
  settled(): Promise<void> {
    return this.inHand;
  }

  /**
   * Stops pulling, finishes the batch in hand, and offers the events pulled but not yet handled to another
   * replica at once (nak); then closes the connection.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close().catch(() => undefined);
    await this.reader;
    await this.writer;
    const nc = this.nc;
    this.nc = null;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
  }

  private async read(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const msg of messages) {
        this.queue.push(msg);
        this.wake?.();
      }
    } finally {
      this.pulling = false;
      this.wake?.();
    }
  }

  private async write(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0) {
        if (!this.pulling) break;
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      if (this.stopping) {
        for (const msg of this.queue.splice(0)) msg.nak();
        continue;
      }
      await this.linger();
      const batch = this.queue.splice(0, this.options.batch);
      this.inHand = this.handle(batch);
      await this.inHand;
    }
    // The pull ended without a shutdown (the consumer or its stream deleted): a process that consumes nothing must not
    // look healthy, so it exits and its supervisor starts it again, which makes the stream and consumer again.
    if (!this.stopping) {
      this.logger.fatal('the domain-event consumer stopped delivering; exiting to be restarted');
      process.exit(1);
    }
  }

  /** Waits until a batch is full, `lingerMs` passed, or the pull ends. */
  private async linger(): Promise<void> {
    const until = Date.now() + (this.options.lingerMs ?? 0);
    for (;;) {
      const left = until - Date.now();
      if (left <= 0 || this.queue.length >= this.options.batch || this.stopping || !this.pulling) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
      this.wake = null;
    }
  }

  private async handle(batch: JsMsg[]): Promise<void> {
    let failures: BatchFailures;
    try {
      failures = (await this.options.handle(batch)) ?? new Map();
    } catch (err) {
      failures = new Map(batch.map((msg) => [msg, err as Error]));
    }
    for (const msg of batch) {
      const err = failures.get(msg);
      if (!err) {
        msg.ack();
        continue;
      }
      const delay = Math.min(MAX_REDELIVERY_DELAY_MS, 1000 * 2 ** Math.min(msg.info.redeliveryCount, 16));
      this.logger.warn(`event ${msg.subject} #${msg.seq} failed (${err.message}); offered again in ${delay} ms`);
      msg.nak(delay);
    }
  }
}
