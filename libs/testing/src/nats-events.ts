/** The part of a nats.js connection this needs (a spec's own, connected with harnessNatsOptions). */
export interface NatsSubscriber {
  subscribe(subject: string, options: { callback: (err: Error | null, msg: { data: Uint8Array }) => void }): { unsubscribe(): void };
  flush(): Promise<void>;
}

export interface NatsEventLog<T> {
  /** The data of every matching event so far, in arrival order: plain objects, never a nats.js message. */
  events: T[];
  /** The first matching event, once it has arrived. */
  first(timeoutMs?: number): Promise<T>;
  stop(): void;
}

/**
 * The `data` of the domain events on `subject` that `match` picks, from the
 * moment this resolves (the subscription has reached the server). The shared
 * stack carries every spec's traffic, so a spec picks its own events out of
 * it; and it keeps only decoded data, because a nats.js message holds its
 * connection, which a failed assertion cannot carry out of a Jest worker.
 */
export async function recordNatsEvents<T = Record<string, unknown>>(nc: NatsSubscriber, subject: string, match: (data: T) => boolean): Promise<NatsEventLog<T>> {
  const events: T[] = [];
  const waiters = new Set<() => void>();
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (err) return;
      const data = (JSON.parse(Buffer.from(msg.data).toString('utf8')) as { data: T }).data;
      if (!match(data)) return;
      events.push(data);
      for (const wake of [...waiters]) wake();
    },
  });
  await nc.flush();
  return {
    events,
    first(timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const check = () => {
          if (events.length === 0) return;
          done();
          resolve(events[0]);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching event on ${subject} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => sub.unsubscribe(),
  };
}
