import { HANDSHAKE_KEYS, REALTIME_PATH, SOCKET_EVENTS, SocketEvent } from '@widget/contracts/wire';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { SupportChatError } from '../errors';
import { backoffDelay, BackoffOptions } from './backoff';

export { REALTIME_PATH };

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

/** One event as the socket delivers it (the contract's SocketEvent). */
export type SocketEnvelope = SocketEvent;

type Connect = (uri: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;

type ConnectError = Error & { data?: { error?: { code: string; message: string; reason?: string; recoverable: boolean; retryAfter?: number } } };

export interface RealtimeOptions {
  apiBase: string;
  io: Connect;
  /**
   * A realtime token for the next attempt. `fresh`: the server refused the last one (invalid, expired, or the
   * session ended), so a token kept for reuse must not be given again.
   */
  token: (options?: { fresh?: boolean }) => Promise<string>;
  /** The newest message id seen: the server replays everything after it on each (re)connect. */
  lastMessageId: () => string | null;
  onEvent: (envelope: SocketEnvelope) => void;
  onState: (state: ConnectionState) => void;
  /** A refusal that retrying cannot mend (origin, widget off; for an operator also a refused token). */
  onFatal: (error: SupportChatError) => void;
  /** The codes that are fatal (FATAL_REFUSALS by default; the transport's flavour says). */
  fatal?: readonly string[];
  /** Between attempts the server refused (an error envelope); a `retryAfter` it sent is waited at least. */
  backoff?: BackoffOptions;
  /**
   * Between attempts that never reached an answer (the network, the gateway or the realtime service
   * away: a lost socket, a failed transport, 503): short, so a visitor is back within about two
   * seconds of the server's return. Such attempts cost the server little and are never charged.
   */
  reconnectBackoff?: BackoffOptions;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export const FATAL_REFUSALS: readonly string[] = ['invalid_origin', 'widget_disabled', 'not_found'];
/** Refusals of the token itself: the next attempt asks for a new one. */
const TOKEN_REFUSALS: ReadonlySet<string> = new Set(['invalid_token', 'auth_expired', 'auth_required']);
/** How many delivered events are remembered to drop their repeats (a replay after a reconnect repeats what came live). */
const REMEMBERED_EVENTS = 1000;
/** A server's turn is taken as given, up to this (a bad value must not park a visitor for long). */
const MAX_TURN_MS = 60_000;

/**
 * One socket.io connection with our own reconnect loop: exponential backoff
 * with jitter (short while the server is away, longer once it refuses), a
 * fresh token and the replay cursor on every attempt (socket.io's own loop
 * would reuse the first handshake's auth), WebSocket first with HTTP
 * long-polling when WebSocket fails. An event delivered twice (the same
 * envelope id, or the same message however it came: live, then replayed) is
 * passed on once.
 */
export class RealtimeConnection {
  private socket: Socket | null = null;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = true;
  private state: ConnectionState = 'disconnected';
  private readonly backoff: BackoffOptions;
  private readonly reconnectBackoff: BackoffOptions;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly fatalCodes: ReadonlySet<string>;
  private readonly delivered = new Set<string>();
  /** The last token was refused (or the server ended the socket): do not reuse it. */
  private tokenRefused = false;
  /**
   * The server said it is busy (503 server_busy) since the last connection: until one succeeds, an attempt
   * that fails without an answer waits the longer backoff too, so a reconnect storm does not feed itself.
   */
  private overloaded = false;

  constructor(private readonly options: RealtimeOptions) {
    this.backoff = options.backoff ?? { baseMs: 500, maxMs: 15_000, floorMs: 200 };
    this.reconnectBackoff = options.reconnectBackoff ?? { baseMs: 500, maxMs: 2000, floorMs: 200 };
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = options.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
    this.fatalCodes = new Set(options.fatal ?? FATAL_REFUSALS);
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.cancelTimer();
    this.drop();
    this.setState('disconnected');
  }

  /** Connect now if not connected (the tab came back, the network returned). */
  nudge(): void {
    if (this.stopped || this.state === 'connected' || this.socket) return;
    this.cancelTimer();
    void this.connect();
  }

  emit(name: string, payload: unknown): void {
    if (this.socket?.connected) this.socket.emit(name, payload);
  }

  /** Attempts so far since the last successful connection (for tests and the banner). */
  get attempts(): number {
    return this.attempt;
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    this.setState(this.attempt === 0 && this.state !== 'reconnecting' ? 'connecting' : 'reconnecting');
    let token: string;
    try {
      token = await this.options.token({ fresh: this.tokenRefused });
      this.tokenRefused = false;
    } catch (err) {
      const error = SupportChatError.from(err);
      if (!error.recoverable && this.fatalCodes.has(error.code)) return this.fatal(error);
      // The gateway (or the session service behind it) away is an outage like a lost socket.
      if (error.code === 'network_error' || error.reason === 'upstream_unavailable') return this.retryLater('away');
      return this.retryLater('refused', error.retryAfter);
    }
    if (this.stopped) return;
    const lastMessageId = this.options.lastMessageId();
    const socket = this.options.io(this.options.apiBase, {
      path: REALTIME_PATH,
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
      auth: lastMessageId ? { [HANDSHAKE_KEYS.token.auth]: token, [HANDSHAKE_KEYS.lastMessageId.auth]: lastMessageId } : { [HANDSHAKE_KEYS.token.auth]: token },
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.attempt = 0;
      this.overloaded = false;
      this.setState('connected');
    });
    socket.onAny((_name: string, envelope: SocketEnvelope) => this.deliver(envelope));
    socket.on('connect_error', (err: ConnectError) => {
      if (socket !== this.socket) return;
      this.drop();
      const envelope = err.data?.error;
      if (envelope && this.fatalCodes.has(envelope.code)) return this.fatal(new SupportChatError(envelope));
      if (envelope && TOKEN_REFUSALS.has(envelope.code)) this.tokenRefused = true;
      if (envelope?.reason === 'server_busy') this.overloaded = true;
      // No envelope: the transport failed (nothing answered, or the relay's 503 while realtime is away). A refusal
      // with one, `server_busy` included (past the realtime process's handshake cap), waits the longer backoff with
      // full jitter, so a reconnect storm spreads out instead of coming back at once. A `server_busy` with a
      // `retryAfter` names this client's turn in the process's queue: it comes back then, neither sooner nor later.
      if (envelope?.reason === 'server_busy' && typeof envelope.retryAfter === 'number') this.retryLater('turn', envelope.retryAfter);
      else if (envelope) this.retryLater('refused', envelope.retryAfter);
      else this.retryLater('away');
    });
    socket.on('disconnect', (reason: string) => {
      if (socket !== this.socket) return;
      this.drop();
      // The server ended this socket on purpose (revoked, widget changed); anything else lost the transport.
      if (reason === 'io server disconnect') this.tokenRefused = true;
      this.retryLater(reason === 'io server disconnect' ? 'refused' : 'away');
    });
  }

  private deliver(envelope: SocketEnvelope): void {
    const message = envelope?.type === SOCKET_EVENTS.messageCreated ? (envelope.payload as { message?: { id?: unknown } } | null)?.message?.id : undefined;
    const key = typeof message === 'string' ? `message ${message}` : envelope?.id ? `event ${envelope.id}` : null;
    if (key !== null) {
      if (this.delivered.has(key)) return;
      this.delivered.add(key);
      // Oldest first out: a Set iterates in insertion order.
      if (this.delivered.size > REMEMBERED_EVENTS) this.delivered.delete(this.delivered.values().next().value as string);
    }
    this.options.onEvent(envelope);
  }

  private retryLater(why: 'away' | 'refused' | 'turn', retryAfterSeconds?: number): void {
    if (this.stopped) return;
    this.setState('reconnecting');
    const short = why === 'away' && !this.overloaded;
    const backoff = backoffDelay(this.attempt++, short ? this.reconnectBackoff : this.backoff);
    const delay = why === 'turn' ? Math.min((retryAfterSeconds ?? 0) * 1000, MAX_TURN_MS) : Math.max(backoff, (retryAfterSeconds ?? 0) * 1000);
    this.cancelTimer();
    this.timer = this.setTimer(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private fatal(error: SupportChatError): void {
    this.stopped = true;
    this.setState('disconnected');
    this.options.onFatal(error);
  }

  private drop(): void {
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.removeAllListeners();
      socket.offAny();
      socket.disconnect();
    }
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
  }

  private setState(state: ConnectionState): void {
    if (state === this.state) return;
    this.state = state;
    this.options.onState(state);
  }
}
