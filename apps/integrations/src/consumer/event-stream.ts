import { AckPolicy, DeliverPolicy, DiscardPolicy, JetStreamManager, nanos, NatsError, RetentionPolicy, StorageType } from 'nats';

export interface EventStreamSpec {
  stream: string;
  subjects: string[];
  consumer: string;
  maxAgeHours: number;
  replicas: number;
  ackWaitMs: number;
}

const isNotFound = (err: unknown) => err instanceof NatsError && (err.api_error?.code === 404 || /not found/i.test(err.message));
const isAlreadyInUse = (err: unknown) => err instanceof NatsError && /already in use|already exists/i.test(err.message);

/**
 * Creates the domain-event stream and the shared durable consumer when they
 * are missing, and widens the stream's subjects when a release consumes a new
 * event. Idempotent, and safe when replicas start together (the loser of a
 * create race finds the winner's). Whoever starts first makes the stream; the
 * events published before that were never captured (docs/integrations.md).
 */
export async function ensureEventStream(jsm: JetStreamManager, spec: EventStreamSpec): Promise<void> {
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
    }
  }
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
