import { Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientNats, NatsRecordBuilder } from '@nestjs/microservices';
import { DomainEvent, REQUEST_ID_HEADER, Rpc } from '@widget/contracts';
import { randomUUID } from 'node:crypto';
import { createInbox, Events, headers as natsHeaders, JSONCodec, Msg, NatsConnection, nuid } from 'nats';
import { firstValueFrom } from 'rxjs';
import { AppError, Errors } from '../errors';
import { currentRequestId } from '../logging';
import { NatsConnectOptions } from './connection';

const codec = JSONCodec();

export interface NatsBusOptions {
  /** natsConnectOptions(config, principal): the server, this principal's user and reply inbox. */
  connection: NatsConnectOptions;
  requestTimeoutMs: number;
}

export interface SendOptions {
  timeoutMs?: number;
  requestId?: string;
}

/**
 * The typed NATS client: `send(SessionRpc.authenticate, req)` only accepts that
 * subject's request type and resolves to its reply type. Errors raised by the
 * service arrive as AppError; a service that does not answer in time becomes
 * 503 internal_error / upstream_unavailable.
 */
/** A request waiting for its reply (NatsBus's own reply subscription). */
interface Pending {
  subject: string;
  resolve(msg: Msg): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** A failure shaped as nats.js's (a `code` toAppError knows). */
function natsFailure(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

@Injectable()
export class NatsBus implements OnModuleInit, OnApplicationShutdown {
  private readonly client: ClientNats;
  private status = 'disconnected';
  /** `<inbox prefix>.<nuid>.`: each request's reply subject is this and a token of its own. */
  private replyBase = '';
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly options: NatsBusOptions) {
    this.client = new ClientNats({
      ...options.connection,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // nats.js otherwise builds an Error per request to keep its stack for a time-out: costly on every request.
      noAsyncTraces: true,
    });
    this.client.status.subscribe((status) => (this.status = status));
  }

  async onModuleInit(): Promise<void> {
    await this.client.connect();
    const nc = this.client.unwrap<NatsConnection>();
    this.replyBase = `${createInbox(this.options.connection.inboxPrefix)}.`;
    nc.subscribe(`${this.replyBase}*`, { callback: (err, msg) => (err ? undefined : this.onReply(msg)) });
    void this.watchRefusals(nc);
  }

  get connected(): boolean {
    return this.status === 'connected';
  }

  /** Called after NATS comes back: broadcasts sent meanwhile may have been missed. */
  onReconnect(callback: () => void): void {
    this.client.on('reconnect', callback);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
    for (const token of [...this.pending.keys()]) this.settle(token)?.reject(natsFailure('CONNECTION_CLOSED', 'connection closed'));
  }

  /**
   * Request/reply in the wire format of Nest's NATS transport (`{ pattern,
   * data, id }` in, `{ id, response | err, isDisposed }` out), so the
   * services' handlers answer every client alike. Replies come to one
   * subscription of this bus (a token per request), as nats.js's own
   * `request` does; that one also builds an Error for every request it
   * settles (a stack capture each, seen in the gateway's profile), this does
   * not. Nest's client opened and closed a reply subscription per request.
   */
  async send<Req, Res>(route: Rpc<Req, Res>, request: Req, options: SendOptions = {}): Promise<Res> {
    const headers = natsHeaders();
    const requestId = options.requestId ?? currentRequestId();
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
    const packet = codec.encode({ pattern: route.subject, data: request, id: randomUUID() });
    let reply: Msg;
    try {
      reply = await this.request(route.subject, packet, headers, options.timeoutMs ?? this.options.requestTimeoutMs);
    } catch (err) {
      // Left as it is, so it is logged (with the subject) as an unexpected error and answered internal_error.
      if ((err as { code?: unknown })?.code === PERMISSIONS_VIOLATION) throw err;
      throw toAppError(err);
    }
    // An empty reply: the handler answered nothing, as when no handler serves the subject.
    if (reply.data.length === 0) throw Errors.upstreamUnavailable();
    const message = codec.decode(reply.data) as { err?: unknown; response?: Res };
    if (message.err !== undefined && message.err !== null) throw toAppError(message.err);
    return message.response as Res;
  }

  private request(subject: string, data: Uint8Array, headers: ReturnType<typeof natsHeaders>, timeoutMs: number): Promise<Msg> {
    let nc: NatsConnection;
    try {
      nc = this.client.unwrap<NatsConnection>();
    } catch {
      // Closed (shutdown) or never connected: the Nest client has no connection to hand out.
      return Promise.reject(natsFailure('CONNECTION_CLOSED', 'not connected'));
    }
    if (nc.isClosed()) return Promise.reject(natsFailure('CONNECTION_CLOSED', 'connection closed'));
    const token = nuid.next();
    return new Promise<Msg>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        reject(natsFailure('TIMEOUT', `no reply to ${subject} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(token, { subject, resolve, reject, timer });
      try {
        nc.publish(subject, data, { reply: `${this.replyBase}${token}`, headers });
      } catch (err) {
        this.settle(token)?.reject(err as Error);
      }
    });
  }

  private settle(token: string): Pending | undefined {
    const waiting = this.pending.get(token);
    if (!waiting) return undefined;
    this.pending.delete(token);
    clearTimeout(waiting.timer);
    return waiting;
  }

  /** A reply, or the server's 503 status when no handler subscribes to the subject. */
  private onReply(msg: Msg): void {
    const waiting = this.settle(msg.subject.slice(this.replyBase.length));
    if (!waiting) return;
    if (msg.data.length === 0 && msg.headers?.hasError) waiting.reject(natsFailure(String(msg.headers.code), msg.headers.description || 'request failed'));
    else waiting.resolve(msg);
  }

  /** A request the server refused to this principal (a missing grant) fails at once, as with nats.js's own request. */
  private async watchRefusals(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      const context = (status as { permissionContext?: { operation: string; subject: string } }).permissionContext;
      if (status.type !== Events.Error || context?.operation !== 'publish') continue;
      for (const [token, waiting] of this.pending) {
        if (waiting.subject === context.subject) this.settle(token)?.reject(natsFailure(PERMISSIONS_VIOLATION, `Permissions Violation for Publish to "${context.subject}"`));
      }
    }
  }

  /**
   * Publishes an event. With `confirm`, resolves only once the NATS server has
   * it (a flush round trip): a caller that answers after that knows every
   * subscriber's copy is already on its way, ahead of the answer (replies
   * leave through another connection, so publish order alone does not say so).
   */
  async emit<P>(evt: DomainEvent<P>, payload: P, options: { confirm?: boolean } = {}): Promise<void> {
    const headers = natsHeaders();
    const requestId = currentRequestId();
    if (requestId) headers.set(REQUEST_ID_HEADER, requestId);
    await firstValueFrom(this.client.emit(evt.subject, new NatsRecordBuilder(payload).setHeaders(headers).build()), {
      defaultValue: undefined,
    });
    if (options.confirm) await this.client.unwrap<NatsConnection>().flush();
  }
}

/** nats.js error codes that mean "the service cannot be reached now": a retry may succeed. */
const UNREACHABLE_CODES = new Set(['503', 'TIMEOUT', 'CONNECTION_CLOSED', 'CONNECTION_DRAINING', 'DISCONNECT']);

/** nats-server refused a subject to this process's user: a grant is missing (libs/contracts/src/access.ts). */
const PERMISSIONS_VIOLATION = 'PERMISSIONS_VIOLATION';

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (AppError.isWire(err)) return AppError.fromWire(err);
  // 503 = no responders (nobody subscribes to the subject), TIMEOUT = nobody answered in time.
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return Errors.upstreamUnavailable();
  return Errors.internal();
}
