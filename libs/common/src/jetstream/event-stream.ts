import { AckPolicy, DeliverPolicy, DiscardPolicy, JetStreamManager, nanos, NatsError, RetentionPolicy, StorageType } from 'nats';
import { z } from 'zod';

/** The environment of a process that consumes the domain-event stream (integrations, events). */
export const eventStreamEnvShape = {
  /** The JetStream stream keeps the domain events this long: what a consumer can replay after an outage. */
  EVENT_STREAM_MAX_AGE_HOURS: z.coerce.number().min(1).max(24 * 365).default(72),
  /** Copies of the stream in a NATS cluster (1 on a single server; 3 on the chart's 3-node cluster, so a node may fail). */
  EVENT_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  /** An event taken from the stream and not acknowledged within this long goes to another replica. */
  EVENT_ACK_WAIT_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
};
export interface EventStreamEnv {
  EVENT_STREAM_MAX_AGE_HOURS: number;
  EVENT_STREAM_REPLICAS: number;
  EVENT_ACK_WAIT_MS: number;
}

export interface EventStreamSpec {
  stream: string;
  subjects: string[];
  /** The durable consumer's name (the consuming principal's). */
  consumer: string;
  maxAgeHours: number;
  replicas: number;
  ackWaitMs: number;
}

const isNotFound = (err: unknown) => err instanceof NatsError && (err.api_error?.code === 404 || /not found/i.test(err.message));
const isAlreadyInUse = (err: unknown) => err instanceof NatsError && /already in use|already exists/i.test(err.message);

/**
 * Creates the domain-event stream and one durable consumer when they are
 * missing, and widens the stream's subjects when a release consumes a new
 * event. Idempotent, and safe when replicas (or the two consuming services)
 * start together: the loser of a create race finds the winner's. Whoever
 * starts first makes the stream; the events published before that were never
 * captured (docs/architecture.md, "Domain events into JetStream").
 */
export async function ensureEventStream(jsm: JetStreamManager, spec: EventStreamSpec): Promise<void> {
  await ensureStream(jsm, spec);
  try {
    await jsm.consumers.info(spec.stream, spec.consumer);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.consumers.add(spec.stream, {
        durable_name: spec.consumer,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(spec.ackWaitMs),
        max_ack_pending: 1000,
      });
    } catch (raced) {
      if (!isAlreadyInUse(raced)) throw raced;
    }
  }
}

async function ensureStream(jsm: JetStreamManager, spec: EventStreamSpec, attempt = 0): Promise<void> {
  try {
    const info = await jsm.streams.info(spec.stream);
    const missing = spec.subjects.filter((s) => !info.config.subjects.includes(s));
    if (missing.length > 0) await jsm.streams.update(spec.stream, { ...info.config, subjects: [...info.config.subjects, ...missing] });
  } catch (err) {
    if (!isNotFound(err)) throw err;
    try {
      await jsm.streams.add({
        name: spec.stream,
        subjects: spec.subjects,
        retention: RetentionPolicy.Limits,
        storage: StorageType.File,
        discard: DiscardPolicy.Old,
        max_age: nanos(spec.maxAgeHours * 3_600_000),
        num_replicas: spec.replicas,
      });
    } catch (raced) {
      if (!isAlreadyInUse(raced)) throw raced;
      // Another process made it meanwhile, maybe with fewer subjects (an older release): look again and widen.
      if (attempt < 2) await ensureStream(jsm, spec, attempt + 1);
    }
  }
}
