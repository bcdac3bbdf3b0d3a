// Over 300 lines: ChatCore is the one facade the frame and the page's calls reach (its public API is the
// SDK's, docs/api.md, about 50 methods); what it holds is split out — the session (./chat-session.ts), the
// conversation store (./conversation-store.ts), sending (./outbox.ts), the thin API modules
// (./conversation-api.ts, ./knowledge-api.ts), the transport (./transport.ts) — and what is left is the
// lifecycle (config, boot, identify, shutdown, live or not) and one delegating line per method.
import { routeOf, WIDGET_ROUTE_PATHS as ROUTES } from '@widget/contracts/wire';
import { SupportChatError } from '../errors';
import type { Article, ArticleHit, Attachment, ChatCompany, ChatEvent, ChatEventType, ChatState, ChatUser, Conversation, Message } from '../types';
import { ChatSession, notBooted, sameIdentity } from './chat-session';
import type { AiAnswer, CoreOptions, IdentityInput, SendMessageInput, SessionView, TicketForm, UploadOptions } from './chat-types';
import { ConversationApi } from './conversation-api';
import { ConversationStore } from './conversation-store';
import { KnowledgeApi } from './knowledge-api';
import { Outbox } from './outbox';
import type { LoggedMessage } from './message-log';
import { ConnectionState, RealtimeConnection } from './realtime';
import { SafeStorage } from './storage';
import { Transport } from './transport';
import { normalizeAvailability, normalizeConfig, WidgetView } from './widget-config';

export type { AiAnswer, CoreOptions, FormField, IdentityInput, SendMessageInput, SessionView, TicketForm, UploadOptions } from './chat-types';

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
  connection: ConnectionState = 'disconnected';
  /** Set while a recoverable failure waits to be retried (shown: "retrying in 3 s"). */
  waitNotice: { message: string; until: number } | null = null;

  readonly transport: Transport;
  readonly storage: SafeStorage;
  private readonly auth: ChatSession;
  private readonly store: ConversationStore;
  private readonly api: ConversationApi;
  private readonly knowledge: KnowledgeApi;
  private readonly outbox: Outbox;
  private readonly realtime: RealtimeConnection;
  private readonly listeners = new Set<() => void>();
  private readonly eventListeners = new Set<(event: ChatEvent) => void>();
  private context: Record<string, unknown> = {};
  private tags: string[] = [];
  private customFields: Record<string, unknown> = {};
  private bootPromise: Promise<void> | null = null;
  private configPromise: Promise<WidgetView> | null = null;
  private readonly newId: () => string;
  private eventSeq = 0;
  /** The UI asked for live updates (the panel opened): the socket opens even without a conversation. */
  private liveWanted = false;
  /** Boot has its session and identity: a socket opened now is the right one's. */
  private booted = false;

  constructor(readonly options: CoreOptions) {
    // The visitor flavour of the transport the inbox shares: the session token, renewed once when refused.
    this.transport = new Transport({
      flavour: { kind: 'visitor' },
      realtimeToken: routeOf(ROUTES.createRealtimeToken),
      apiBase: options.apiBase,
      fetch: options.fetch,
      io: options.io,
      token: () => this.auth.token,
      withToken: (run) => this.auth.withToken(run),
    });
    this.storage = new SafeStorage(options.storage, { requireConsent: options.requireConsent });
    this.newId = options.newId ?? defaultId;
    const host = { emit: (type: ChatEventType, payload?: unknown) => this.emit(type, payload), changed: () => this.changed() };
    this.auth = new ChatSession({ ...host, options, transport: this.transport, storage: this.storage, config: () => this.config });
    this.store = new ConversationStore(host);
    this.api = new ConversationApi(this.transport);
    this.knowledge = new KnowledgeApi(this.transport, options.locale);
    this.outbox = new Outbox({
      ...host,
      options,
      transport: this.transport,
      auth: this.auth,
      store: this.store,
      api: this.api,
      newId: this.newId,
      session: () => this.session,
      context: () => this.context,
      startConversation: () => this.startConversation(),
      loadMessages: (id) => this.loadMessages(id),
      waiting: (error, delayMs) => this.waiting(error, delayMs),
    });
    this.realtime = this.transport.realtime({
      lastMessageId: () => this.store.lastSeen,
      onEvent: (envelope) => this.store.onSocketEvent(envelope),
      onState: (state) => {
        this.connection = state;
        if (this.session) this.setState(state === 'reconnecting' ? 'reconnecting' : this.identityState());
        this.emit('connection:state', { state });
        this.changed();
      },
      onFatal: (error) => this.emit('error', { code: error.code, message: error.message }),
    });
  }

  get session(): SessionView | null {
    return this.auth.view;
  }
  get unread(): number {
    return this.store.unread;
  }
  get conversations(): Map<string, Conversation> {
    return this.store.conversations;
  }
  get typing(): Map<string, { name: string | null; type: string }> {
    return this.store.typing;
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
    return this.auth.identified ? 'authenticated' : 'anonymous';
  }

  // ---- lifecycle ----

  get storageUnavailable(): string | null {
    return this.storage.unavailable;
  }

  /** GET /config once (the UI and boot both ask for it). */
  loadConfig(): Promise<WidgetView> {
    this.configPromise ??= this.fetchConfig().catch((err) => {
      this.configPromise = null;
      throw err;
    });
    return this.configPromise;
  }

  private readConfig<T>(): Promise<T> {
    return this.transport.open<T>(routeOf(ROUTES.getConfig), { query: { workspace_id: this.options.workspaceId, widget_id: this.options.widgetId } });
  }

  private async fetchConfig(): Promise<WidgetView> {
    this.config = normalizeConfig(await this.readConfig<unknown>());
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
    const raw = await this.readConfig<{ availability?: unknown }>();
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
      const same = sameIdentity(this.auth.identity, identity);
      if (same) return this.bootPromise;
      if (this.auth.identified && identity.user?.id) {
        return Promise.reject(new SupportChatError({ code: 'validation_error', reason: 'already_booted', message: 'Already booted as another user: call shutdown() first, or identify().', recoverable: false }));
      }
      return this.bootPromise.then(() => this.identify(identity));
    }
    this.auth.identity = identity;
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
    await this.auth.start();
    if (identity.tokenProvider || (identity.user?.id && this.config?.identity.jwtRequiredForIdentifiedUsers === false)) {
      await this.auth.identify(identity);
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
    if (!this.booted || !this.auth.token) return;
    if (this.liveWanted || this.conversations.size > 0) this.realtime.start();
  }

  async identify(identity: IdentityInput): Promise<void> {
    if (!this.session) throw notBooted();
    await this.auth.identify(identity);
    this.setState(this.identityState());
    // Merged conversations, and the user's earlier ones, are visible now (and only those); the socket belongs to the old token.
    this.realtime.stop();
    this.conversations.clear();
    // Opens the socket again when it can matter (goLiveIfUseful).
    await this.refreshConversations();
  }

  async update(input: { user?: ChatUser; company?: ChatCompany; context?: Record<string, unknown> }): Promise<void> {
    if (input.context) this.context = { ...this.context, ...input.context };
    if (!input.user && !input.company) return;
    const reply = await this.api.updateSession({ user: input.user, company: input.company });
    // The session as the server now holds it (an email the panel asked for is known at once).
    if (reply?.session && this.auth.view) {
      this.auth.view = reply.session;
      this.changed();
    }
  }

  async shutdown(options: { clearStorage?: boolean } = {}): Promise<void> {
    this.realtime.stop();
    await this.auth.end(options.clearStorage === true);
    this.bootPromise = null;
    this.liveWanted = this.booted = false;
    this.outbox.clear();
    this.store.clear();
    this.setState('shutdown');
    this.emit('auth:changed', { identityType: null });
  }

  destroy(): void {
    this.realtime.stop();
    this.auth.clearTimers();
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
    await Promise.all(this.store.behind().map((id) => this.catchUp(id)));
  }

  // ---- conversations and messages ----

  async refreshConversations(limit = 50): Promise<Conversation[]> {
    const page = await this.api.list(limit);
    for (const conversation of page.data) this.store.put(conversation);
    this.store.setUnread(page.data.reduce((sum, c) => sum + (c.unreadCount ?? 0), 0));
    this.changed();
    this.goLiveIfUseful();
    return page.data;
  }

  listConversations(): Conversation[] {
    return [...this.conversations.values()].sort((a, b) => (b.updatedAt > a.updatedAt ? 1 : b.updatedAt < a.updatedAt ? -1 : 0));
  }

  messages(conversationId: string): LoggedMessage[] {
    return this.store.messages(conversationId);
  }

  async loadMessages(conversationId: string): Promise<LoggedMessage[]> {
    const page = await this.api.messages(conversationId, { limit: 50 });
    const log = this.store.log(conversationId);
    for (const message of page.data) log.upsert(message);
    this.store.seen(log.lastId());
    this.changed();
    return log.list();
  }

  private async catchUp(conversationId: string): Promise<void> {
    const after = this.store.log(conversationId).lastId();
    if (!after) return void (await this.loadMessages(conversationId));
    const page = await this.api.messages(conversationId, { after, limit: 100 });
    for (const message of page.data) this.store.accept(message);
  }

  async startConversation(input: { subject?: string; message?: string; tags?: string[]; customFields?: Record<string, unknown>; metadata?: Record<string, unknown> } = {}): Promise<Conversation> {
    const clientMessageId = input.message ? this.newId() : undefined;
    const conversation = await this.api.create({
      ...input,
      tags: input.tags ?? (this.tags.length ? this.tags : undefined),
      customFields: { ...this.customFields, ...input.customFields },
      metadata: { ...this.context, ...input.metadata },
      clientMessageId,
    });
    this.store.put(conversation);
    if (conversation.lastMessage) this.store.accept(conversation.lastMessage);
    this.emit('conversation:started', { conversation });
    this.changed();
    // The first conversation: from now on an agent may answer, so the socket opens (if the panel has not opened it).
    this.goLiveIfUseful();
    return conversation;
  }

  /**
   * Sends with one clientMessageId per composed message, kept across every retry (automatic or the user's),
   * files uploaded first; `signal` cancels until the message itself is posted (./outbox.ts).
   */
  sendMessage(input: SendMessageInput, options: { signal?: AbortSignal } = {}): Promise<Message> {
    return this.outbox.send(input, options);
  }

  /** The user's retry of a failed message: same text, same attachments, same clientMessageId. */
  retry(conversationId: string, clientMessageId: string): Promise<Message> {
    return this.outbox.retry(conversationId, clientMessageId);
  }

  /** One file into a conversation (`POST …/attachments`), to name in sendMessage; a refusal rejects with its code. */
  uploadAttachment(conversationId: string, file: File, options: UploadOptions = {}): Promise<Attachment> {
    return this.outbox.upload(conversationId, file, options);
  }

  /** The bytes of a message's attachment, read with the session's token (an expired link renewed once). */
  attachmentBlob(conversationId: string, attachment: Attachment): Promise<Blob> {
    return this.outbox.blob(conversationId, attachment);
  }

  async markConversationRead(conversationId: string): Promise<void> {
    const lastReadMessageId = this.store.log(conversationId).lastId() ?? undefined;
    const conversation = this.conversations.get(conversationId);
    if (conversation && conversation.unreadCount === 0 && this.unread === 0) return;
    await this.api.markRead(conversationId, lastReadMessageId);
    if (conversation) {
      this.store.setUnread(Math.max(0, this.unread - conversation.unreadCount));
      conversation.unreadCount = 0;
      this.emit('message:read', { conversation });
    }
    this.changed();
  }

  /** Mails the conversation to the visitor's known email; `validation_error` reason `email_unknown` until one is set (update). */
  requestTranscript(conversationId: string): Promise<{ status: 'queued' }> {
    return this.api.requestTranscript(conversationId);
  }

  typingChanged(conversationId: string, typing: boolean): void {
    this.realtime.emit('typing', { conversationId, typing });
  }

  // ---- knowledge, AI, forms: the thin API module ----

  searchArticles(query: string): Promise<ArticleHit[]> {
    return this.knowledge.searchArticles(query);
  }

  getArticle(id: string): Promise<Article> {
    return this.knowledge.getArticle(id);
  }

  aiAnswer(question: string, conversationId?: string): Promise<AiAnswer> {
    return this.knowledge.aiAnswer(question, conversationId);
  }

  listForms(): Promise<TicketForm[]> {
    return this.knowledge.listForms();
  }

  getForm(id: string): Promise<TicketForm> {
    return this.knowledge.getForm(id);
  }

  async submitForm(formId: string, values: Record<string, unknown>, clientSubmissionId: string): Promise<{ id: string; formId: string; conversationId: string }> {
    const submission = await this.knowledge.submitForm(formId, values, clientSubmissionId);
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
      const reply = await this.api.escalate(conversation.id, shown.id, this.newId());
      if (reply?.message) this.store.accept(reply.message);
    } catch (err) {
      if (SupportChatError.from(err).code !== 'not_found') throw err;
    }
    return conversation;
  }

  /** "Retrying in 3 s" (or rate limited) while a recoverable failure waits; null once it is over. */
  private waiting(error: SupportChatError | null, delayMs = 0): void {
    this.waitNotice = error && { message: error.code === 'rate_limited' ? 'rate_limited' : 'retrying', until: Date.now() + delayMs };
    if (error) this.changed();
  }
}
