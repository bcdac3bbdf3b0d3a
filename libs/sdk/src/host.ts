/// <reference lib="dom" />
import type { FrameMethod, FrameOptions } from '@widget/contracts/frame';
import { SupportChatError } from './errors';
import { openFramePort } from './frame-port';
import type {
  Article,
  ArticleHit,
  ChatCompany,
  ChatEvent,
  ChatOptions,
  ChatState,
  ChatUser,
  Conversation,
  IdentityOptions,
  Message,
  ThemeOptions,
} from './types';

export const VERSION = '0.1.0';

type Handler = (event: ChatEvent) => void;

export interface SupportChatInstance {
  readonly state: ChatState;
  readonly version: string;
  boot(options?: IdentityOptions): Promise<void>;
  identify(options: IdentityOptions): Promise<void>;
  update(options: { user?: ChatUser; company?: ChatCompany; context?: Record<string, unknown> }): Promise<void>;
  shutdown(options?: { clearStorage?: boolean }): Promise<void>;
  destroy(): void;
  render(): void;
  open(): Promise<void>;
  close(): Promise<void>;
  show(): Promise<void>;
  hide(): Promise<void>;
  showLauncher(): Promise<void>;
  hideLauncher(): Promise<void>;
  setLauncherVisible(visible: boolean): Promise<void>;
  startConversation(input?: { subject?: string; message?: string; tags?: string[]; customFields?: Record<string, unknown>; metadata?: Record<string, unknown> }): Promise<Conversation>;
  listConversations(options?: { limit?: number }): Promise<Conversation[]>;
  showConversation(id: string): Promise<void>;
  /**
   * Text, files, or both; without a conversationId a conversation is started.
   * Files are uploaded in the frame (`upload:progress` events) before the
   * message is posted. `signal` cancels until the message is posted
   * (rejects with `cancelled`).
   */
  sendMessage(input: { conversationId?: string; text?: string; files?: File[]; clientMessageId?: string }, options?: { signal?: AbortSignal }): Promise<Message>;
  markConversationRead(id: string): Promise<void>;
  showNewMessage(options?: { prefill?: string; metadata?: Record<string, unknown> }): Promise<void>;
  searchArticles(query: string): Promise<ArticleHit[]>;
  showArticle(id: string): Promise<Article | void>;
  showTicketForm(formId: string): Promise<void>;
  setContext(context: Record<string, unknown>): Promise<void>;
  setConversationTags(tags: string[]): Promise<void>;
  setCustomFields(fields: Record<string, unknown>): Promise<void>;
  setTheme(theme: ThemeOptions): Promise<void>;
  setLocale(locale: string): Promise<void>;
  /** With privacy.requireConsent: nothing is stored until this is called with true. */
  setConsent(granted: boolean): Promise<void>;
  setZIndex(zIndex: number): void;
  on(name: string, handler: Handler): () => void;
}

let scriptOrigin: string | undefined;
/** The loader records where it was loaded from: the default apiBase. */
export function rememberScriptOrigin(src: string | undefined): void {
  if (src) scriptOrigin = new URL(src, location.href).origin;
}

const originOf = (value: string) => new URL(value, location.href).origin;

/**
 * The page side of the SDK, its public API (docs/api.md): each method a call answered by the frame over the
 * port that ./frame-port.ts mounts and pins (handshake, then a private MessageChannel port). Holds no token.
 */
export function createChat(options: ChatOptions): SupportChatInstance {
  if (!options || typeof options.workspaceId !== 'string' || !options.workspaceId) {
    throw new SupportChatError({ code: 'validation_error', message: 'createChat needs { workspaceId }.', recoverable: false });
  }
  const apiBase = originOf(options.apiBase ?? scriptOrigin ?? location.origin);
  const widgetBase = originOf(options.widgetBase ?? apiBase);
  const frameOptions: FrameOptions = { workspaceId: options.workspaceId };
  if (options.widgetId) frameOptions.widgetId = options.widgetId;
  if (options.locale) frameOptions.locale = options.locale;
  if (options.theme) frameOptions.theme = { ...options.theme };
  if (options.launcher) frameOptions.launcher = { ...options.launcher };
  if (options.privacy) frameOptions.privacy = { ...options.privacy };
  if (options.debug) frameOptions.debug = true;

  let tokenProvider: IdentityOptions['tokenProvider'];
  const handlers = new Map<string, Set<Handler>>();
  const dispatch = (event: ChatEvent) => {
    for (const name of [event.type, '*']) for (const handler of handlers.get(name) ?? []) {
      try {
        handler(event);
      } catch (err) {
        console.error('[SupportChat] an event handler threw', err);
      }
    }
  };
  const frame = openFramePort(options, widgetBase, frameOptions, dispatch, () => tokenProvider);
  const { call, render } = frame;

  const ui = (method: FrameMethod) => () => call<void>(method);

  const chat: SupportChatInstance = {
    get state() {
      return frame.state;
    },
    version: VERSION,
    boot(identity = {}) {
      if (identity.tokenProvider) tokenProvider = identity.tokenProvider;
      return call('boot', identityArgs(identity));
    },
    identify(identity) {
      if (identity.tokenProvider) tokenProvider = identity.tokenProvider;
      return call('identify', identityArgs(identity));
    },
    update: (input) => call('update', clean(input)),
    shutdown: (input = {}) => call('shutdown', clean(input)),
    destroy() {
      frame.destroy();
      handlers.clear();
    },
    render,
    open: ui('open'),
    close: ui('close'),
    show: ui('show'),
    hide: ui('hide'),
    showLauncher: ui('showLauncher'),
    hideLauncher: ui('hideLauncher'),
    setLauncherVisible: (visible) => call(visible ? 'showLauncher' : 'hideLauncher'),
    startConversation: (input = {}) => call('startConversation', clean(input)),
    listConversations: (input = {}) => call('listConversations', clean(input)),
    showConversation: (id) => call('showConversation', { id }),
    sendMessage: (input, options = {}) => call('sendMessage', clean(input), options.signal),
    markConversationRead: (id) => call('markConversationRead', { id }),
    showNewMessage: (input = {}) => call('showNewMessage', clean(input)),
    searchArticles: (query) => call('searchArticles', { query }),
    showArticle: (id) => call('showArticle', { id }),
    showTicketForm: (formId) => call('showTicketForm', { formId }),
    setContext: (context) => call('setContext', { context }),
    setConversationTags: (tags) => call('setConversationTags', { tags }),
    setCustomFields: (fields) => call('setCustomFields', { fields }),
    setTheme: (theme) => call('setTheme', { theme }),
    setLocale: (locale) => call('setLocale', { locale }),
    setConsent: (granted) => {
      // Remembered for the frame's (next) connect, so a consent known at page load is there before the
      // frame boots and reads the stored session; the call applies it to a frame already running.
      frameOptions.privacy = { ...frameOptions.privacy, consent: granted };
      return call('setConsent', { granted });
    },
    setZIndex: frame.setZIndex,
    on(name, handler) {
      let set = handlers.get(name);
      if (!set) handlers.set(name, (set = new Set()));
      set.add(handler);
      return () => void set!.delete(handler);
    },
  };

  if (options.autorender !== false) render();
  return chat;
}

function identityArgs(identity: IdentityOptions): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (identity.user) args.user = identity.user;
  if (identity.company) args.company = identity.company;
  if (identity.tokenProvider) args.tokenProvider = true;
  return args;
}

/** Drops undefined values (the schemas are strict about what they accept, not about absence). */
function clean<T extends object>(input: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== undefined) out[key] = value;
  return out;
}
