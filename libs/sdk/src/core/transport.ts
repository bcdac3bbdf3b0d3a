import { SupportChatError } from '../errors';
import { HttpClient, HttpOptions, RequestOptions } from './http';
import { FATAL_REFUSALS, RealtimeConnection, RealtimeOptions } from './realtime';

/**
 * Whom a transport carries: a visitor (the widget API with the session token, the frame's ChatCore) or an
 * operator of one workspace (the admin API with the operator token, the inbox). Everything else (retries,
 * Retry-After, the error envelope, reconnect backoff, replay, de-duplication) is the same code for both.
 */
export type Flavour = { kind: 'visitor' } | { kind: 'operator'; workspaceId: string };

/** A route to call: `routeOf(ROUTES.<operationId>, params)`, its method and full path. */
export type Route = { method: string; path: string };

export interface TransportOptions extends HttpOptions {
  flavour: Flavour;
  /**
   * Where this flavour's short-lived realtime token comes from: the widget API's route (visitor) or the admin
   * API's for the workspace (operator). Given by the caller, so a bundle carries only its own API's routes.
   */
  realtimeToken?: Route;
  io: RealtimeOptions['io'];
  /** The bearer of every authenticated call: the session token or the operator token; null before there is one. */
  token(): string | null;
  /**
   * Runs an authenticated call with the token. The visitor's ChatCore re-establishes an expired session in it
   * and repeats the call; without it the token is used as it is (a refused operator token signs the page out).
   */
  withToken?: <T>(run: (token: string) => Promise<T>) => Promise<T>;
  /** The realtime connection's backoffs and timers (tests). */
  realtime?: Pick<RealtimeOptions, 'backoff' | 'reconnectBackoff' | 'setTimer' | 'clearTimer'>;
}

/**
 * Refusals after which a feed stops for good. An operator's refused token is one (the page signs in again);
 * a visitor's never reaches the connection: withToken renews the session first.
 */
const FATAL: Record<Flavour['kind'], readonly string[]> = {
  visitor: FATAL_REFUSALS,
  operator: [...FATAL_REFUSALS, 'invalid_token', 'auth_required', 'auth_expired', 'forbidden'],
};

const signedOut = () => new SupportChatError({ code: 'auth_required', message: 'Sign in first.', recoverable: false });

/** A realtime token is reused for at most half its life (as measured here), so a reconnect storm mints few new ones. */
const TOKEN_REUSE_SHARE = 0.5;

/** One client's HTTP and realtime, of one flavour. */
export class Transport {
  readonly http: HttpClient;

  constructor(private readonly options: TransportOptions) {
    this.http = new HttpClient(options);
  }

  get flavour(): Flavour {
    return this.options.flavour;
  }

  /** Without a token (signing in, starting a session, public reads). */
  open<T>(route: Route, options: RequestOptions = {}): Promise<T> {
    return this.http.request<T>(route.method, route.path, options);
  }

  /** With the flavour's token. */
  call<T>(route: Route, options: Omit<RequestOptions, 'token'> = {}): Promise<T> {
    const run = (token: string) => this.http.request<T>(route.method, route.path, { ...options, token });
    if (this.options.withToken) return this.options.withToken(run);
    const token = this.options.token();
    return token ? run(token) : Promise.reject(signedOut());
  }


  /**
   * The flavour's live events: a visitor's conversations, or the operator's whole workspace. An attempt reuses the
   * last realtime token for half its life (the server verifies it itself, so a reconnect after a realtime restart
   * costs no HTTP request), else asks for one (one HTTP attempt: the connection's own loop retries); a token the
   * server refused is never reused. Each attempt passes the replay cursor.
   */
  realtime(handlers: Pick<RealtimeOptions, 'lastMessageId' | 'onEvent' | 'onState' | 'onFatal'>): RealtimeConnection {
    const route = this.options.realtimeToken;
    if (!route) throw new SupportChatError({ code: 'validation_error', message: 'This transport has no realtime token route.', recoverable: false });
    let kept: { token: string; until: number } | null = null;
    return new RealtimeConnection({
      ...this.options.realtime,
      ...handlers,
      apiBase: this.options.apiBase,
      io: this.options.io,
      fatal: FATAL[this.options.flavour.kind],
      token: async ({ fresh = false } = {}) => {
        if (!fresh && kept && Date.now() < kept.until) return kept.token;
        kept = null;
        const { token, expiresAt } = await this.call<{ token: string; expiresAt?: string }>(route, { body: {}, retry: false });
        const life = expiresAt ? Date.parse(expiresAt) - Date.now() : NaN;
        // A clock far from the server's (life ≤ 0 or unreadable) just means no reuse.
        if (life > 0) kept = { token, until: Date.now() + life * TOKEN_REUSE_SHARE };
        return token;
      },
    });
  }
}
