import { routeOf, WIDGET_ROUTE_PATHS as ROUTES } from '@widget/contracts/wire';
import { SupportChatError } from '../errors';
import type { ChatEventType } from '../types';
import type { CoreOptions, IdentityInput, SessionReply, SessionView } from './chat-types';
import type { SafeStorage } from './storage';
import type { Transport } from './transport';
import type { WidgetView } from './widget-config';

const TOKEN_KEY = (widgetId: string) => `supportchat:${widgetId}:session`;

/** What the session needs of the chat around it. */
export interface SessionHost {
  readonly options: CoreOptions;
  readonly transport: Transport;
  readonly storage: SafeStorage;
  config(): WidgetView | null;
  emit(type: ChatEventType, payload?: unknown): void;
  changed(): void;
}

export const notBooted = (): SupportChatError => new SupportChatError({ code: 'not_booted', message: 'Call boot() first.', recoverable: false });

/**
 * The visitor's session (SPEC §5): its token (kept in storage per widget, slid before it expires), who it is
 * (anonymous, or identified by the page's tokenProvider or a plain user), and its re-establishment when the
 * server refuses the token: every authenticated call runs through `withToken`.
 */
export class ChatSession {
  view: SessionView | null = null;
  token: string | null = null;
  identity: IdentityInput | null = null;
  /** The session being started (boot, or again after the token was refused); requests made meanwhile wait for it. */
  private starting: Promise<void> | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private identityTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly host: SessionHost) {}

  get identified(): boolean {
    return this.view?.identityType === 'identified';
  }

  async start(): Promise<void> {
    const starting = this.startAnonymous();
    this.starting = starting;
    try {
      await starting;
    } finally {
      if (this.starting === starting) this.starting = null;
    }
  }

  private async startAnonymous(): Promise<void> {
    const { storage, transport } = this.host;
    const config = this.host.config()!;
    const stored = storage.get(TOKEN_KEY(config.id));
    const body = { workspaceId: config.workspaceId, widgetId: config.id, locale: this.host.options.locale };
    let reply: SessionReply;
    try {
      reply = await transport.open<SessionReply>(routeOf(ROUTES.startAnonymousSession), { body, token: stored });
    } catch (err) {
      const error = SupportChatError.from(err);
      if (!stored || (error.code !== 'invalid_token' && error.code !== 'auth_expired')) throw error;
      storage.remove(TOKEN_KEY(config.id));
      reply = await transport.open<SessionReply>(routeOf(ROUTES.startAnonymousSession), { body });
    }
    this.adopt(reply);
  }

  private adopt(reply: SessionReply): void {
    const before = this.view?.identityType;
    this.view = reply.session;
    this.token = reply.token;
    this.host.storage.set(TOKEN_KEY(this.host.config()!.id), reply.token);
    this.scheduleRefresh(reply.expiresAt);
    if (before !== reply.session.identityType) this.host.emit('auth:changed', { identityType: reply.session.identityType });
    this.host.changed();
  }

  /** POST /sessions/identify: with a fresh JWT from the page's tokenProvider, or the user as the page says (where the widget allows it). */
  async identify(identity: IdentityInput): Promise<void> {
    this.identity = identity;
    let body: Record<string, unknown>;
    if (identity.tokenProvider) {
      const ask = this.host.options.requestIdentityToken;
      if (!ask) throw new SupportChatError({ code: 'validation_error', message: 'No tokenProvider on the page.', recoverable: false });
      const jwt = await ask();
      body = { token: jwt };
      this.scheduleIdentityRefresh(jwt);
    } else {
      body = { user: identity.user ?? {}, ...(identity.company ? { company: identity.company } : {}) };
    }
    this.adopt(await this.host.transport.open<SessionReply>(routeOf(ROUTES.identify), { body, token: this.token }));
  }

  /** Runs a request with the session token; an expired or revoked session is re-established once and the request repeated. */
  async withToken<T>(run: (token: string) => Promise<T>): Promise<T> {
    // A visitor quick to write (or a slow network) acts before the session exists: the call waits for it, not fails.
    if (!this.token && this.starting) await this.starting.catch(() => undefined);
    if (!this.token) throw notBooted();
    try {
      return await run(this.token);
    } catch (err) {
      const error = SupportChatError.from(err);
      // A signed link past its time says nothing about the session: the caller renews the link.
      if ((error.code !== 'auth_expired' && error.code !== 'invalid_token') || error.reason === 'link_expired') throw error;
      this.host.emit('auth:expired', {});
      await this.reestablish();
      if (!this.token) throw notBooted();
      return run(this.token);
    }
  }

  private async reestablish(): Promise<void> {
    const config = this.host.config();
    if (config) this.host.storage.remove(TOKEN_KEY(config.id));
    this.token = null;
    await this.start();
    if (this.identity?.tokenProvider || this.identity?.user?.id) await this.identify(this.identity);
  }

  /** Ends the session on the server (one attempt) and forgets it here; with clearStorage the stored token too. */
  async end(clearStorage: boolean): Promise<void> {
    this.clearTimers();
    const token = this.token;
    this.token = null;
    if (token) await this.host.transport.open(routeOf(ROUTES.shutdownSession), { token, retry: false }).catch(() => undefined);
    const config = this.host.config();
    if (clearStorage && config) this.host.storage.remove(TOKEN_KEY(config.id));
    this.view = null;
    this.identity = null;
  }

  private scheduleRefresh(expiresAt: string): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const due = Date.parse(expiresAt) - Date.now() - 5 * 60_000;
    if (!Number.isFinite(due)) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.host.transport
        .call<{ expiresAt: string; token?: string }>(routeOf(ROUTES.refreshSession), { body: {} })
        .then((reply) => {
          if (reply.token) {
            this.token = reply.token;
            this.host.storage.set(TOKEN_KEY(this.host.config()!.id), reply.token);
          }
          this.scheduleRefresh(reply.expiresAt);
        })
        .catch(() => undefined);
    }, Math.min(Math.max(due, 30_000), 2 ** 31 - 1));
  }

  /** tokenProvider is asked again a minute before the identity JWT expires. */
  private scheduleIdentityRefresh(jwt: string): void {
    if (this.identityTimer) clearTimeout(this.identityTimer);
    const exp = jwtExpiry(jwt);
    if (!exp) return;
    const due = exp * 1000 - Date.now() - 60_000;
    this.identityTimer = setTimeout(() => {
      this.identityTimer = null;
      if (this.view && this.identity?.tokenProvider) void this.identify(this.identity).catch(() => undefined);
    }, Math.min(Math.max(due, 10_000), 2 ** 31 - 1));
  }

  clearTimers(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.identityTimer) clearTimeout(this.identityTimer);
    this.refreshTimer = this.identityTimer = null;
  }
}

export function sameIdentity(a: IdentityInput | null, b: IdentityInput): boolean {
  return (a?.user?.id ?? null) === (b.user?.id ?? null) && Boolean(a?.tokenProvider) === Boolean(b.tokenProvider);
}

/** The `exp` claim, read (never verified: the server verifies) to know when to ask for a fresh token. */
function jwtExpiry(jwt: string): number | null {
  try {
    const part = jwt.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : null;
  } catch {
    return null;
  }
}
