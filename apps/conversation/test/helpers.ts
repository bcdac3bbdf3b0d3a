import { ConversationEvents, VisitorEvent } from '@widget/contracts';
import { harnessNatsOptions, StackInfo } from '@widget/testing';
import { connect, JSONCodec, NatsConnection, Subscription } from 'nats';

const codec = JSONCodec<{ pattern?: string; data?: unknown; response?: unknown; err?: unknown }>();

/** Reads until `ok` holds or `timeoutMs` passes, and answers the last reading (the caller asserts on it). */
export async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    value = await read();
  }
  return value;
}

/** The SPEC §3 envelope check every spec shares (libs/testing), by the name these specs use. */
export { expectEnvelope as expectError } from '@widget/testing';

/** Every conversation event seen on NATS, decoded from the NatsBus wire shape `{ pattern, data }`. */
export class EventLog {
  readonly events: Array<VisitorEvent<any> & { subject: string }> = [];
  private readonly subs: Subscription[] = [];

  private constructor(readonly nc: NatsConnection) {}

  /** Listens as the stack's harness user (it hears every conversation event). */
  static async open(stack: Pick<StackInfo, 'env'>, options: { reconnectTimeWait?: number } = {}): Promise<EventLog> {
    const nc = await connect({ ...harnessNatsOptions(stack), maxReconnectAttempts: -1, reconnectTimeWait: options.reconnectTimeWait ?? 50 });
    const log = new EventLog(nc);
    for (const evt of Object.values(ConversationEvents)) {
      const sub = nc.subscribe(evt.subject);
      log.subs.push(sub);
      void (async () => {
        for await (const msg of sub) log.events.push({ ...(codec.decode(msg.data).data as VisitorEvent<any>), subject: msg.subject });
      })();
    }
    await nc.flush();
    return log;
  }

  /** Waits until an event matches, failing after `timeoutMs`. */
  async waitFor(match: (e: VisitorEvent<any> & { subject: string }) => boolean, timeoutMs = 5000): Promise<VisitorEvent<any> & { subject: string }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.events.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; saw ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A NATS request in Nest's wire shape, for subjects no HTTP route reaches (replay, bot messages, merge). */
  async rpc<T = any>(subject: string, data: unknown): Promise<{ response?: T; err?: any }> {
    const reply = await this.nc.request(subject, codec.encode({ pattern: subject, data, id: `t${Date.now()}` } as never), { timeout: 5000 });
    const decoded = codec.decode(reply.data);
    return { response: decoded.response as T, err: decoded.err };
  }

  async close(): Promise<void> {
    await this.nc.close();
  }
}
