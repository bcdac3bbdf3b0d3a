// Over 400 lines, and not split in this change: it was 688 lines before it. Issue 21 splits ChatCore into a
// session part, a conversation store and thin API modules; the upload transport it gained lives in ./upload.ts
// and the upload queue in ./upload-queue.ts.
import { routeOf, SOCKET_EVENTS as EVENTS, WIDGET_ROUTE_PATHS as ROUTES } from '@widget/contracts/wire';
import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import { SupportChatError } from '../errors';
import type { Article, ArticleHit, Attachment, ChatCompany, ChatEvent, ChatEventType, ChatState, ChatUser, Conversation, Message, Page } from '../types';
import { HttpClient, RequestOptions } from './http';
import { LoggedMessage, MessageLog, newestId } from './message-log';
import { ConnectionState, RealtimeConnection, SocketEnvelope } from './realtime';
import { Route, Transport } from './transport';
import { KeyValueStore, SafeStorage } from './storage';
import { cancelled, uploadFile } from './upload';
import { normalizeAvailability, normalizeConfig, WidgetView } from './widget-config';

export interface CoreOptions {
  apiBase: string;
  workspaceId: string;
  widgetId?: string;
  locale?: string;
  requireConsent?: boolean;
  io: (uri: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;
  storage: () => KeyValueStore | null;
  fetch?: typeof fetch;
  /** Asks the page's tokenProvider for a fresh identity JWT. */
  requestIdentityToken?: () => Promise<string>;
  newId?: () => string;
  /** Uploads go over XMLHttpRequest (progress); tests pass a stand-in. */
  xhr?: () => XMLHttpRequest;
}

/** What sendMessage takes: text, files, or both (at most 10 attachments a message). */
export interface SendMessageInput {
  /** Without one, a conversation is started first. */
  conversationId?: string;
  text?: string;
  /** Uploaded first, one after another, each reported by `upload:progress`. */
  files?: File[];
  /** Attachments uploaded already (uploadAttachment), sent before `files`. */
  attachments?: Attachment[];
  clientMessageId?: string;
}

export interface UploadOptions {
  /** Aborting it aborts the upload: the promise rejects with `cancelled`. */
  signal?: AbortSignal;
  /** Bytes sent so far (also emitted as `upload:progress`). */
  onProgress?: (loaded: number, total: number) => void;
}

export interface SessionView {
  id: string;
  identityType: 'anonymous' | 'identified';
  user: { id?: string; email?: string | null; name?: string | null } | null;
  expiresAt: string;
}

/** A route to call: `routeOf(ROUTES.<operationId>, params)` (libs/contracts/src/route-paths.ts). */

interface SessionReply {
  session: SessionView;
  token: string;
  expiresAt: string;
}

export interface AiAnswer {
  /** The server's record of this reply: what an escalation names. */
  id: string;
  mode: string;
  answer: { text: string; confidence: number; citations: { articleId: string; title: string }[] } | null;
  suggestions: ArticleHit[];
  escalation: { recommended: boolean; reason: string | null };
}

export interface FormField {
  key: string;
  label: string;
  type: 'text' | 'textarea' | 'email' | 'number' | 'select' | 'multiselect' | 'checkbox' | 'date';
  required: boolean;
  options?: string[];
  maxLength?: number;
  min?: number;
  max?: number;
  pattern?: string;
}
export interface TicketForm {
  id: string;
  name: string;
  description: string | null;
  fields: FormField[];
}

export interface IdentityInput {
  user?: ChatUser;
  company?: ChatCompany;
  tokenProvider?: boolean;
}

const TOKEN_KEY = (widgetId: string) => `supportchat:${widgetId}:session`;

const defaultId = () => {
  const random = typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `cmi_${random}`;
};

/**
 * Everything the chat does, without a UI: session, conversations, messages
 * with their delivery states, realtime with replay, unread counts, knowledge
 * and forms. Runs inside the frame (the token never leaves it); the UI
 * subscribes to it, and the page reaches it through the frame channel.
 */
export class ChatCore {
  state: ChatState = 'loading';
  config: WidgetView | null = null;
  session: SessionView | null = null;
  connection: ConnectionState = 'disconnected';
  unread = 0;
  readonly conversations = new Map<string, Conversation>();
  readonly typing = new Map<string, { name: string | null; type: string }>();
  /** Set while a recoverable failure waits to be retried (shown: "retrying in 3 s"). */
  waitNotice: { message: string; until: number } | null = null;

  private readonly transport: Transport;
  private readonly http: HttpClient;
  private readonly storage: SafeStorage;
  private readonly logs = new Map<string, MessageLog>();
  private readonly realtime: RealtimeConnection;
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: ChatEvent) => void>();
  private token: string | null = null;
  private lastSeen: string | null = null;
  private refreshTimer: ReturnType<typeof setTimeout> | null = null;
  private identity: IdentityInput | null = null;
  private context: Record<string, unknown> = {};
  private tags: string[] = [];
  private customFields: Record<string, unknown> = {};
  private bootPromise: Promise<void> | null = null;
  /** The session being started (boot, or again after the token was refused); requests made meanwhile wait for it. */
  private starting: Promise<void> | null = null;
  private readonly newId: () => string;
  private eventSeq = 0;
  /** Files of a failed send not uploaded yet, by clientMessageId: a retry uploads them. */
  private readonly unsentFiles = new Map<string, File[]>();
  /** The UI asked for live updates (the panel opened): the socket opens even without a conversation. */
  private liveWanted = false;
  /** Boot has its session and identity: a socket opened now is the right one's. */
  private booted = false;

  constructor(private readonly options: CoreOptions) {
    // The visitor flavour of the transport the inbox shares: the session token, renewed once when refused.
    this.transport = new Transport({
      flavour: { kind: 'visitor' },
      apiBase: options.apiBase,
      fetch: options.fetch,
      io: options.io,
      token: () => this.token,
      withToken: (run) => this.withSession(run),
    });
    this.http = this.transport.http;
    this.storage = new SafeStorage(options.storage, { requireConsent: options.requireConsent });
    this.newId = options.newId ?? defaultId;
    this.realtime = this.transport.realtime({
      lastMessageId: () => this.lastSeen,
      onEvent: (envelope) => this.onSocketEvent(envelope),
      onState: (state) => {
        this.connection = state;
        if (this.session) this.setState(state === 'reconnecting' ? 'reconnecting' : this.identityState());
        this.emit('connection:state', { state });
        this.changed();
      },
      onFatal: (error) => this.emit('error', { code: error.code, message: error.message }),
    });
  }

  // ---- subscriptions ----

  /** UI: called after every change of state. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The SDK's events (ChatEvent envelopes), for the page. */
  onEvent(listener: (event: ChatEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  emit(type: ChatEventType, payload: unknown = {}): void {
    const event: ChatEvent = { id: `cevt_${Date.now().toString(36)}${(++this.eventSeq).toString(36)}`, type, createdAt: new Date().toISOString(), payload };
    for (const listener of this.eventListeners) listener(event);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private setState(state: ChatState): void {
    if (this.state === state) return;
    this.state = state;
    this.changed();
  }

  private identityState(): ChatState {
    return this.session?.identityType === 'identified' ? 'authenticated' : 'anonymous';
  }

  // ---- lifecycle ----

  get storageUnavailable(): string | null {
    return this.storage.unavailable;
  }

  private configPromise: Promise<WidgetView> | null = null;

  /** GET /config once (the UI and boot both ask for it). */
  loadConfig(): Promise<WidgetView> {
    this.configPromise ??= this.fetchConfig().catch((err) => {
      this.configPromise = null;
      throw err;
    });
    return this.configPromise;
  }

  private async fetchConfig(): Promise<WidgetView> {
    const raw = await this.send<unknown>(routeOf(ROUTES.getConfig), {
      query: { workspace_id: this.options.workspaceId, widget_id: this.options.widgetId },
    });
    this.config = normalizeConfig(raw);
    this.setState('ready');
    if (this.storage.unavailable) {
      this.emit('error', {
        code: 'storage_unavailable',
        message: `The browser refuses storage to the chat frame (${this.storage.unavailable}); the chat works until the page is closed.`,
      });
    }
    return this.config;
  }

  /** SPEC §15: availability changes with the hours and presence; GET /config again for it alone (the UI polls while open). */
  async refreshAvailability(): Promise<void> {
    const raw = await this.send<{ availability?: unknown }>(routeOf(ROUTES.getConfig), { query: { workspace_id: this.options.workspaceId, widget_id: this.options.widgetId } });
    if (this.config) this.config = { ...this.config, availability: normalizeAvailability(raw?.availability) };
    this.changed();
  }

  /** A flag the UI keeps for this widget (the offline prompt's dismissal), stored like the token (consent, fallbacks). */
  uiFlag(name: string, set?: true): boolean {
    const key = `supportchat:${this.config?.id ?? this.options.widgetId}:${name}`;
    if (set) this.storage.set(key, '1');
    return this.storage.get(key) === '1';
  }

  boot(identity: IdentityInput = {}): Promise<void> {
    if (this.bootPromise) {
      const same = sameIdentity(this.identity, identity);
      if (same) return this.bootPromise;
      if (this.session?.identityType === 'identified' && identity.user?.id) {
        return Promise.reject(new SupportChatError({ code: 'validation_error', reason: 'already_booted', message: 'Already booted as another user: call shutdown() first, or identify().', recoverable: false }));
      }
      return this.bootPromise.then(() => this.identify(identity));
    }
    this.identity = identity;
    this.bootPromise = this.doBoot(identity).catch((err) => {
      this.bootPromise = null;
      this.setState('ready');
      throw err;
    });
    return this.bootPromise;
  }

  private async doBoot(identity: IdentityInput): Promise<void> {
    await this.loadConfig();
    this.setState('booting');
    await this.startSession();
    if (identity.tokenProvider || (identity.user?.id && this.config?.identity.jwtRequiredForIdentifiedUsers === false)) {
      await this.runIdentify(identity);
    }
    this.setState(this.identityState());
    this.emit('ready', { identityType: this.session?.identityType ?? 'anonymous' });
    this.booted = true;
    // Opens the socket when the visitor has a conversation (or the panel was opened meanwhile): goLiveIfUseful.
    await this.refreshConversations();
  }

  /**
   * The panel opened (or the page otherwise wants live updates): open the socket now, or once the session
   * exists. Without this, a visitor with no conversation has no socket: nothing could be pushed to them.
   */
  goLive(): void {
    this.liveWanted = true;
    this.goLiveIfUseful();
  }

  /**
   * A socket only when it can matter: the visitor has a conversation (an agent may reply; the badge must
   * follow), or the UI asked for it (goLive). What the server holds for a visitor without a socket, their
   * conversations and unread counts, comes with GET /conversations, read at boot, after identify and
   * whenever the tab comes back (resync): a conversation found there opens the socket.
   */
  private goLiveIfUseful(): void {
    if (!this.booted || !this.token) return;
    if (this.liveWanted || this.conversations.size > 0) this.realtime.start();
  }

  private async startSession(): Promise<void> {
    const starting = this.startAnonymous();
    this.starting = starting;
    try {
      await starting;
    } finally {
      if (this.starting === starting) this.starting = null;
    }
  }

  private async startAnonymous(): Promise<void> {
    const widgetId = this.config!.id;
    const stored = this.storage.get(TOKEN_KEY(widgetId));
    const body = { workspaceId: this.config!.workspaceId, widgetId, locale: this.options.locale };
    let reply: SessionReply;
    try {
      reply = await this.send<SessionReply>(routeOf(ROUTES.startAnonymousSession), { body, token: stored });
    } catch (err) {
      const error = SupportChatError.from(err);
      if (!stored || (error.code !== 'invalid_token' && error.code !== 'auth_expired')) throw error;
      this.storage.remove(TOKEN_KEY(widgetId));
      reply = await this.send<SessionReply>(routeOf(ROUTES.startAnonymousSession), { body });
    }
    this.adopt(reply);
  }

  private adopt(reply: SessionReply): void {
    const before = this.session?.identityType;
    this.session = reply.session;
    this.token = reply.token;
    this.storage.set(TOKEN_KEY(this.config!.id), reply.token);
    this.scheduleRefresh(reply.expiresAt);
    if (before !== reply.session.identityType) this.emit('auth:changed', { identityType: reply.session.identityType });
    this.changed();
  }

  async identify(identity: IdentityInput): Promise<void> {
    if (!this.session) throw notBooted();
    await this.runIdentify(identity);
    this.setState(this.identityState());
    // Merged conversations, and the user's earlier ones, are visible now (and only those); the socket belongs to the old token.
    this.realtime.stop();
    this.conversations.clear();
    // Opens the socket again when it can matter (goLiveIfUseful).
    await this.refreshConversations();
  }

  private async runIdentify(identity: IdentityInput): Promise<void> {
    this.identity = identity;
    let body: Record<string, unknown>;
    if (identity.tokenProvider) {
      if (!this.options.requestIdentityToken) throw new SupportChatError({ code: 'validation_error', message: 'No tokenProvider on the page.', recoverable: false });
      const jwt = await this.options.requestIdentityToken();
      body = { token: jwt };
      this.scheduleIdentityRefresh(jwt);
    } else {
      body = { user: identity.user ?? {}, ...(identity.company ? { company: identity.company } : {}) };
    }
    const reply = await this.send<SessionReply>(routeOf(ROUTES.identify), { body, token: this.token });
    this.adopt(reply);
  }

  async update(input: { user?: ChatUser; company?: ChatCompany; context?: Record<string, unknown> }): Promise<void> {
    if (input.context) this.context = { ...this.context, ...input.context };
    if (!input.user && !input.company) return;
    await this.authed(routeOf(ROUTES.updateSession), { user: input.user, company: input.company });
  }

  async shutdown(options: { clearStorage?: boolean } = {}): Promise<void> {
    this.realtime.stop();
    this.clearTimers();
    const token = this.token;
    this.token = null;
    if (token) await this.send(routeOf(ROUTES.shutdownSession), { token, retry: false }).catch(() => undefined);
    if (options.clearStorage && this.config) this.storage.remove(TOKEN_KEY(this.config.id));
    this.session = null;
    this.identity = null;
    this.bootPromise = null;
    this.liveWanted = this.booted = false;
    this.conversations.clear();
    this.logs.clear();
    this.unsentFiles.clear();
    this.typing.clear();
    this.lastSeen = null;
    this.setUnread(0);
    this.setState('shutdown');
    this.emit('auth:changed', { identityType: null });
  }

  destroy(): void {
    this.realtime.stop();
    this.clearTimers();
    this.setState('destroyed');
  }

  setConsent(granted: boolean): void {
    this.storage.setConsent(granted);
  }

  setContext(context: Record<string, unknown>): void {
    this.context = { ...this.context, ...context };
  }
  setConversationTags(tags: string[]): void {
    this.tags = [...tags];
  }
  setCustomFields(fields: Record<string, unknown>): void {
    this.customFields = { ...this.customFields, ...fields };
  }

  /** The tab came back: catch up over HTTP (sockets of a frozen tab may be dead without knowing) and reconnect if needed. */
  async resync(): Promise<void> {
    if (!this.session) return;
    this.realtime.nudge();
    await this.refreshConversations();
    await Promise.all(
      [...this.logs.entries()].map(async ([id, log]) => {
        const conversation = this.conversations.get(id);
        const last = log.lastId();
        if (!conversation?.lastMessage || (last && conversation.lastMessage.id <= last)) return;
        await this.catchUp(id);
      }),
    );
  }

  // ---- conversations and messages ----

  async refreshConversations(limit = 50): Promise<Conversation[]> {
    const page = await this.authed<Page<Conversation>>(routeOf(ROUTES.listConversations), undefined, { query: { limit } });
    for (const conversation of page.data) this.putConversation(conversation);
    this.setUnread(page.data.reduce((sum, c) => sum + (c.unreadCount ?? 0), 0));
    this.changed();
    this.goLiveIfUseful();
    return page.data;
  }

  listConversations(): Conversation[] {
    return [...this.conversations.values()].sort((a, b) => (b.updatedAt > a.updatedAt ? 1 : b.updatedAt < a.updatedAt ? -1 : 0));
  }

  messages(conversationId: string): LoggedMessage[] {
    return this.logs.get(conversationId)?.list() ?? [];
  }

  async loadMessages(conversationId: string): Promise<LoggedMessage[]> {
    const page = await this.authed<Page<Message>>(routeOf(ROUTES.listMessages, { id: conversationId }), undefined, { query: { limit: 50 } });
    const log = this.log(conversationId);
    for (const message of page.data) log.upsert(message);
    this.seen(log.lastId());
    this.changed();
    return log.list();
  }

  private async catchUp(conversationId: string): Promise<void> {
    const log = this.log(conversationId);
    const after = log.lastId();
    if (!after) return void (await this.loadMessages(conversationId));
    const page = await this.authed<Page<Message>>(routeOf(ROUTES.listMessages, { id: conversationId }), undefined, { query: { after, limit: 100 } });
    for (const message of page.data) this.acceptMessage(message);
  }

  async startConversation(input: { subject?: string; message?: string; tags?: string[]; customFields?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): Promise<Conversation> {
    const clientMessageId = input.message ? this.newId() : undefined;
    const body = {
      ...input,
      tags: input.tags ?? (this.tags.length ? this.tags : undefined),
      customFields: { ...this.customFields, ...input.customFields },
      metadata: { ...this.context, ...input.metadata },
      clientMessageId,
    };
    const conversation = await this.authed<Conversation>(routeOf(ROUTES.createConversation), body);
    this.putConversation(conversation);
    if (conversation.lastMessage) this.acceptMessage(conversation.lastMessage);
    this.emit('conversation:started', { conversation });
    this.changed();
    // The first conversation: from now on an agent may answer, so the socket opens (if the panel has not opened it).
    this.goLiveIfUseful();
    return conversation;
  }

  /**
   * Sends with one clientMessageId per composed message, kept across every
   * retry (automatic or the user's), so a flaky network never stores it twice.
   * Files are uploaded first, one after another, then the message names them.
   * `signal` cancels the send until the message itself is posted: the upload
   * in flight is aborted, the message leaves the list, and the promise
   * rejects with `cancelled`.
   */
  async sendMessage(input: SendMessageInput, options: { signal?: AbortSignal } = {}): Promise<Message> {
    const text = input.text ?? '';
    const files = input.files ?? [];
    const uploaded = input.attachments ?? [];
    if (!text.trim() && files.length === 0 && uploaded.length === 0) {
      throw new SupportChatError({ code: 'validation_error', message: 'A message needs text or at least one file.', recoverable: false });
    }
    if (options.signal?.aborted) throw cancelled();
    const conversationId = input.conversationId ?? (await this.startConversation()).id;
    const clientMessageId = input.clientMessageId ?? this.newId();
    const log = this.log(conversationId);
    const author = { type: 'user' as const, id: this.session?.user?.id ?? null, name: this.session?.user?.name ?? null };
    const pending = log.addPending(conversationId, clientMessageId, text, author);
    // Until uploaded, a file shows by its name and size (no url yet).
    pending.attachments = [...uploaded, ...files.map((file, i) => ({ id: `pending:${clientMessageId}:${i}`, name: fileName(file), contentType: file.type, size: file.size, url: '' }))];
    const conversation = this.conversations.get(conversationId);
    this.emit('message:sending', { conversation: conversation ?? { id: conversationId }, message: pending });
    this.changed();
    const attachments = [...uploaded];
    const left = [...files];
    try {
      while (left.length) {
        attachments.push(await this.uploadAttachment(conversationId, left[0]!, { signal: options.signal }));
        left.shift();
      }
      if (options.signal?.aborted) throw cancelled();
      const body: Record<string, unknown> = { clientMessageId };
      if (text.trim()) body.text = text;
      if (attachments.length) body.attachmentIds = attachments.map((a) => a.id);
      if (Object.keys(this.context).length) body.metadata = this.context;
      const message = await this.authed<Message>(routeOf(ROUTES.sendMessage, { id: conversationId }), body, {
        onRetry: (error, delayMs) => this.noteWait(error, delayMs),
      });
      this.waitNotice = null;
      this.unsentFiles.delete(clientMessageId);
      log.upsert(message);
      this.seen(message.id);
      this.emit('message:sent', { conversation: this.conversations.get(conversationId) ?? { id: conversationId }, message });
      this.changed();
      return message;
    } catch (err) {
      const error = SupportChatError.from(err);
      this.waitNotice = null;
      if (error.code === 'cancelled') {
        log.drop(clientMessageId);
        this.unsentFiles.delete(clientMessageId);
      } else {
        // A retry sends what was uploaded and uploads only the rest.
        pending.attachments = [...attachments, ...pending.attachments.slice(uploaded.length + files.length - left.length)];
        if (left.length) this.unsentFiles.set(clientMessageId, left);
        else this.unsentFiles.delete(clientMessageId);
        log.fail(clientMessageId, { code: error.code, message: error.message, retryInMs: error.retryAfter ? error.retryAfter * 1000 : undefined });
        this.emit('message:failed', { conversation: conversation ?? { id: conversationId }, error: error.toJSON() });
      }
      this.changed();
      throw error;
    }
  }

  /** The user's retry of a failed message: same text, same attachments, same clientMessageId. */
  retry(conversationId: string, clientMessageId: string): Promise<Message> {
    const entry = this.log(conversationId).byClientMessageId(clientMessageId);
    if (!entry) return Promise.reject(new SupportChatError({ code: 'validation_error', message: 'Nothing to retry.', recoverable: false }));
    const attachments = (entry.attachments ?? []).filter((a) => !a.id.startsWith('pending:'));
    return this.sendMessage({ conversationId, text: entry.text, attachments, files: this.unsentFiles.get(clientMessageId), clientMessageId });
  }

  /**
   * Uploads one file to a conversation (`POST …/attachments`, multipart, one
   * part named `file`) and resolves with the attachment to name in
   * sendMessage. The server decides by content whether it takes the file;
   * a refusal rejects with its code (`attachment_too_large`,
   * `unsupported_file_type`, …).
   */
  uploadAttachment(conversationId: string, file: File, options: UploadOptions = {}): Promise<Attachment> {
    const name = fileName(file);
    const url = new URL(routeOf(ROUTES.uploadAttachment, { id: conversationId }).path, this.options.apiBase).toString();
    return this.withSession((token) =>
      uploadFile<Attachment>({
        url,
        token,
        file,
        name,
        signal: options.signal,
        xhr: this.options.xhr,
        onProgress: (loaded, total) => {
          options.onProgress?.(loaded, total);
          this.emit('upload:progress', { conversationId, name, loaded, total });
        },
      }),
    );
  }

  /**
   * The bytes of a message's attachment: its signed url, read with the
   * session's token (only the owning session may). A link past its time
   * (401 `link_expired`) is renewed once by reading the conversation's
   * messages again.
   */
  async attachmentBlob(conversationId: string, attachment: Attachment): Promise<Blob> {
    const get = (url: string) => this.withSession((token) => this.http.request<Blob>('GET', url, { token, as: 'blob' }));
    try {
      return await get(attachment.url);
    } catch (err) {
      const error = SupportChatError.from(err);
      if (error.reason !== 'link_expired') throw error;
      await this.loadMessages(conversationId);
      const fresh = this.messages(conversationId)
        .flatMap((m) => m.attachments ?? [])
        .find((a) => a.id === attachment.id);
      if (!fresh || fresh.url === attachment.url) throw error;
      return get(fresh.url);
    }
  }

  async markConversationRead(conversationId: string): Promise<void> {
    const lastReadMessageId = this.log(conversationId).lastId() ?? undefined;
    const conversation = this.conversations.get(conversationId);
    if (conversation && conversation.unreadCount === 0 && this.unread === 0) return;
    await this.authed(routeOf(ROUTES.markConversationRead, { id: conversationId }), lastReadMessageId ? { lastReadMessageId } : {});
    if (conversation) {
      this.setUnread(Math.max(0, this.unread - conversation.unreadCount));
      conversation.unreadCount = 0;
      this.emit('message:read', { conversation });
    }
    this.changed();
  }

  typingChanged(conversationId: string, typing: boolean): void {
    this.realtime.emit('typing', { conversationId, typing });
  }

  // ---- knowledge, AI, forms ----

  async searchArticles(query: string): Promise<ArticleHit[]> {
    const page = await this.authed<Page<ArticleHit>>(routeOf(ROUTES.searchArticles), undefined, { query: { q: query, limit: 10, locale: this.options.locale } });
    return page.data;
  }

  getArticle(id: string): Promise<Article> {
    return this.authed<Article>(routeOf(ROUTES.getArticle, { id }));
  }

  aiAnswer(question: string, conversationId?: string): Promise<AiAnswer> {
    return this.authed<AiAnswer>(routeOf(ROUTES.answerQuestion), { question, conversationId, locale: this.options.locale });
  }

  async listForms(): Promise<TicketForm[]> {
    return (await this.authed<Page<TicketForm>>(routeOf(ROUTES.listForms))).data;
  }

  getForm(id: string): Promise<TicketForm> {
    return this.authed<TicketForm>(routeOf(ROUTES.getForm, { id }));
  }

  async submitForm(formId: string, values: Record<string, unknown>, clientSubmissionId: string): Promise<{ id: string; formId: string; conversationId: string }> {
    const submission = await this.authed<{ id: string; formId: string; conversationId: string }>(routeOf(ROUTES.submitForm, { id: formId }), {
      values,
      clientSubmissionId,
    });
    this.emit('form:submitted', { formId, conversationId: submission.conversationId });
    await this.refreshConversations().catch(() => undefined);
    return submission;
  }

  /**
   * From an AI answer to a person: a conversation that starts with the
   * visitor's question, then `POST …/escalate` naming the answer shown, which
   * posts what the widget's ai.escalationBehavior says for the agent (made by
   * the server from its record of that answer). A server without that
   * endpoint (404 not_found) still has the conversation with the question.
   */
  async talkToPerson(question: string, shown?: AiAnswer | null): Promise<Conversation> {
    const conversation = await this.startConversation({ message: question, metadata: { source: 'ai_escalation' } });
    if (!shown?.id) return conversation;
    try {
      const body = { answerId: shown.id, clientMessageId: this.newId() };
      const reply = await this.authed<{ message: Message | null }>(routeOf(ROUTES.escalateConversation, { id: conversation.id }), body);
      if (reply?.message) this.acceptMessage(reply.message);
    } catch (err) {
      if (SupportChatError.from(err).code !== 'not_found') throw err;
    }
    return conversation;
  }

  // ---- internals ----

  private log(conversationId: string): MessageLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = new MessageLog();
      this.logs.set(conversationId, log);
    }
    return log;
  }

  private seen(id: string | null): void {
    this.lastSeen = newestId(this.lastSeen, id);
  }

  private setUnread(count: number): void {
    if (count === this.unread) return;
    this.unread = count;
    this.emit('unread:change', { count });
  }

  private noteWait(error: SupportChatError, delayMs: number): void {
    this.waitNotice = { message: error.code === 'rate_limited' ? 'rate_limited' : 'retrying', until: Date.now() + delayMs };
    this.changed();
  }

  private putConversation(conversation: Conversation): Conversation {
    const before = this.conversations.get(conversation.id);
    this.conversations.set(conversation.id, conversation);
    if (conversation.lastMessage) this.seen(conversation.lastMessage.id);
    if (before) {
      if (before.status !== conversation.status && conversation.status === 'resolved') this.emit('conversation:resolved', { conversation });
      else if (JSON.stringify(before.assignee) !== JSON.stringify(conversation.assignee)) this.emit('conversation:assigned', { conversation });
    }
    return conversation;
  }

  /** A message from any source (socket, replay, catch-up): shown once, announced once. */
  private acceptMessage(message: Message, conversation?: Conversation): void {
    const fresh = this.log(message.conversationId).upsert(message);
    this.seen(message.id);
    if (conversation) this.putConversation(conversation);
    if (fresh && message.author.type !== 'user') this.emit('message:received', { conversation: conversation ?? this.conversations.get(message.conversationId) ?? { id: message.conversationId }, message });
    this.changed();
  }

  private onSocketEvent(envelope: SocketEnvelope): void {
    const payload = envelope.payload as Record<string, unknown>;
    switch (envelope.type) {
      case EVENTS.messageCreated: {
        const { conversation, message } = payload as { conversation?: Conversation; message: Message };
        this.acceptMessage(message, conversation);
        const author = message.author;
        if (author.type !== 'user' && this.typing.delete(message.conversationId)) this.emit('typing:stop', { conversationId: message.conversationId });
        break;
      }
      case EVENTS.conversationCreated:
      case EVENTS.conversationUpdated: {
        const conversation = (payload.conversation ?? payload) as Conversation;
        if (!conversation?.id) break;
        const known = this.conversations.has(conversation.id);
        this.putConversation(conversation);
        this.emit(known ? 'conversation:updated' : 'conversation:started', { conversation });
        this.changed();
        break;
      }
      case EVENTS.conversationRead: {
        const id = (payload.conversationId ?? (payload.conversation as Conversation | undefined)?.id) as string | undefined;
        const conversation = id ? this.conversations.get(id) : undefined;
        if (conversation) conversation.unreadCount = 0;
        this.changed();
        break;
      }
      case EVENTS.typingStart:
      case EVENTS.typingStop: {
        const { conversationId, author } = payload as { conversationId: string; author: { type: string; name: string | null } };
        if (author?.type === 'user') break;
        if (envelope.type === EVENTS.typingStart) this.typing.set(conversationId, { name: author?.name ?? null, type: author?.type ?? 'agent' });
        else this.typing.delete(conversationId);
        this.emit(envelope.type === EVENTS.typingStart ? 'typing:start' : 'typing:stop', { conversationId });
        this.changed();
        break;
      }
      case EVENTS.unreadChanged: {
        this.setUnread(Number((payload as { count: number }).count) || 0);
        this.changed();
        break;
      }
      default:
        break;
    }
  }

  /** One call to a route of the table (`routeOf(ROUTES.sendMessage, { id })`: its method and full path), without the session's token unless given. */
  private send<T>(route: Route, options: RequestOptions = {}): Promise<T> {
    return this.transport.open<T>(route, options);
  }

  private authed<T>(route: Route, body?: unknown, extra: Omit<RequestOptions, 'body' | 'token'> = {}): Promise<T> {
    return this.transport.call<T>(route, { ...extra, body });
  }

  /** Runs a request with the session token; an expired or revoked session is re-established once and the request repeated. */
  private async withSession<T>(run: (token: string) => Promise<T>): Promise<T> {
    // A visitor quick to write (or a slow network) acts before the session exists: the call waits for it, not fails.
    if (!this.token && this.starting) await this.starting.catch(() => undefined);
    if (!this.token) throw notBooted();
    try {
      return await run(this.token);
    } catch (err) {
      const error = SupportChatError.from(err);
      // A signed link past its time says nothing about the session: the caller renews the link.
      if ((error.code !== 'auth_expired' && error.code !== 'invalid_token') || error.reason === 'link_expired') throw error;
      this.emit('auth:expired', {});
      await this.reestablish();
      if (!this.token) throw notBooted();
      return run(this.token);
    }
  }

  private async reestablish(): Promise<void> {
    if (this.config) this.storage.remove(TOKEN_KEY(this.config.id));
    this.token = null;
    await this.startSession();
    if (this.identity?.tokenProvider || this.identity?.user?.id) await this.runIdentify(this.identity);
  }

  private scheduleRefresh(expiresAt: string): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    const due = Date.parse(expiresAt) - Date.now() - 5 * 60_000;
    if (!Number.isFinite(due)) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.authed<{ expiresAt: string; token?: string }>(routeOf(ROUTES.refreshSession), {})
        .then((reply) => {
          if (reply.token) {
            this.token = reply.token;
            this.storage.set(TOKEN_KEY(this.config!.id), reply.token);
          }
          this.scheduleRefresh(reply.expiresAt);
        })
        .catch(() => undefined);
    }, Math.min(Math.max(due, 30_000), 2 ** 31 - 1));
  }

  private identityTimer: ReturnType<typeof setTimeout> | null = null;

  /** tokenProvider is asked again a minute before the identity JWT expires. */
  private scheduleIdentityRefresh(jwt: string): void {
    if (this.identityTimer) clearTimeout(this.identityTimer);
    const exp = jwtExpiry(jwt);
    if (!exp) return;
    const due = exp * 1000 - Date.now() - 60_000;
    this.identityTimer = setTimeout(() => {
      this.identityTimer = null;
      if (this.session && this.identity?.tokenProvider) void this.runIdentify(this.identity).catch(() => undefined);
    }, Math.min(Math.max(due, 10_000), 2 ** 31 - 1));
  }

  private clearTimers(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    if (this.identityTimer) clearTimeout(this.identityTimer);
    this.refreshTimer = this.identityTimer = null;
  }
}

function fileName(file: Blob): string {
  return (file as File).name || 'file';
}

function notBooted(): SupportChatError {
  return new SupportChatError({ code: 'not_booted', message: 'Call boot() first.', recoverable: false });
}

function sameIdentity(a: IdentityInput | null, b: IdentityInput): boolean {
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

