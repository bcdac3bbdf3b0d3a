/// <reference lib="dom" />
import {
  FRAME_PROTOCOL,
  FRAME_PROTOCOL_VERSION,
  frameHelloSchema,
  FrameLayout,
  FrameMethod,
  FrameOptions,
  frameToHostSchema,
  HostToFrame,
  parseFrameMessage,
} from '@widget/contracts/frame';
import { SupportChatError } from './errors';
import type {
  Article,
  ArticleHit,
  ChatCompany,
  ChatEvent,
  ChatEventType,
  ChatOptions,
  ChatState,
  ChatUser,
  Conversation,
  IdentityOptions,
  Message,
  ThemeOptions,
} from './types';

export const VERSION = '0.1.0';

/** How long the frame may take to say hello before the SDK gives up (and emits `error`). */
const FRAME_TIMEOUT_MS = 15_000;
const DEFAULT_Z_INDEX = 2147483000;
const MOBILE_MAX_WIDTH = 480;

type Handler = (event: ChatEvent) => void;
type Pending = { resolve: (value: unknown) => void; reject: (error: SupportChatError) => void };

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

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The page side of the SDK: mounts the frame, pins the channel to the frame's
 * origin (handshake, then a private MessageChannel port), and turns each
 * method into a schema-checked call answered by the frame. Holds no token.
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

  let state: ChatState = 'not_initialized';
  let iframe: HTMLIFrameElement | null = null;
  let port: MessagePort | null = null;
  let nonce = '';
  let nextId = 1;
  let zIndex = DEFAULT_Z_INDEX;
  let layout: FrameLayout = { mode: 'hidden', position: options.launcher?.position ?? 'bottom-right' };
  let tokenProvider: IdentityOptions['tokenProvider'];
  let helloTimer: ReturnType<typeof setTimeout> | undefined;
  /** render() waits for the page's load event. */
  let mountWaits = false;
  const pending = new Map<number, Pending>();
  const waiting: HostToFrame[] = [];
  const handlers = new Map<string, Set<Handler>>();

  const log = (...args: unknown[]) => {
    if (options.debug) console.debug('[SupportChat]', ...args);
  };

  const dispatch = (event: ChatEvent) => {
    for (const name of [event.type, '*']) for (const handler of handlers.get(name) ?? []) {
      try {
        handler(event);
      } catch (err) {
        console.error('[SupportChat] an event handler threw', err);
      }
    }
  };
  const localEvent = (type: ChatEventType, payload: unknown) =>
    dispatch({ id: `cevt_${Date.now().toString(36)}${nextId++}`, type, createdAt: new Date().toISOString(), payload });

  const post = (message: HostToFrame) => {
    if (port) port.postMessage(message);
    else waiting.push(message);
  };

  const failAll = (error: SupportChatError) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
    waiting.length = 0;
  };

  const call = <T>(method: FrameMethod, args: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> => {
    if (state === 'destroyed') return Promise.reject(new SupportChatError({ code: 'not_ready', message: 'This chat was destroyed.', recoverable: false }));
    if (signal?.aborted) return Promise.reject(new SupportChatError({ code: 'cancelled', message: 'The call was cancelled.', recoverable: false }));
    if (!iframe) render();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      post({ v: FRAME_PROTOCOL_VERSION, type: 'call', id, call: { method, args } as HostToFrame extends { call: infer C } ? C : never });
      // The frame does the work (and answers `cancelled`); the page only passes the abort on.
      signal?.addEventListener('abort', () => pending.has(id) && post({ v: FRAME_PROTOCOL_VERSION, type: 'cancel', id }), { once: true });
    });
  };

  const onPortMessage = (event: MessageEvent) => {
    const message = parseFrameMessage(frameToHostSchema, event.data);
    if (!message) return log('dropped a message that does not match the schema', event.data);
    switch (message.type) {
      case 'result': {
        const waiter = pending.get(message.id);
        if (!waiter) return;
        pending.delete(message.id);
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(new SupportChatError(message.error ?? { code: 'internal_error', message: 'The frame failed.', recoverable: true }));
        return;
      }
      case 'event':
        return dispatch(message.event as ChatEvent);
      case 'state':
        state = message.state;
        return;
      case 'layout':
        layout = message.layout;
        return applyLayout();
      case 'tokenRequest':
        return void answerTokenRequest(message.id);
    }
  };

  const answerTokenRequest = async (id: number) => {
    try {
      if (!tokenProvider) throw new Error('no tokenProvider was given to boot() or identify()');
      const token = await tokenProvider();
      post({ v: FRAME_PROTOCOL_VERSION, type: 'token', id, token });
    } catch (err) {
      post({ v: FRAME_PROTOCOL_VERSION, type: 'token', id, error: (err as Error)?.message ?? String(err) });
    }
  };

  const onWindowMessage = (event: MessageEvent) => {
    // Only our own iframe, only from widgetBase, only the hello of this mount.
    if (!iframe || event.source !== iframe.contentWindow || event.origin !== widgetBase) return;
    const hello = parseFrameMessage(frameHelloSchema, event.data);
    if (!hello || hello.nonce !== nonce) return log('ignored a window message from the frame');
    window.removeEventListener('message', onWindowMessage);
    clearTimeout(helloTimer);
    const channel = new MessageChannel();
    channel.port1.onmessage = onPortMessage;
    iframe.contentWindow!.postMessage({ protocol: FRAME_PROTOCOL, v: FRAME_PROTOCOL_VERSION, type: 'connect', nonce, options: frameOptions }, widgetBase, [channel.port2]);
    port = channel.port1;
    for (const message of waiting.splice(0)) port.postMessage(message);
  };

  const style = (el: HTMLElement, values: Record<string, string>) => {
    // CSSOM only: works under a page CSP without 'unsafe-inline' for styles.
    for (const [key, value] of Object.entries(values)) el.style.setProperty(key, value, 'important');
  };

  const viewport = () => window.visualViewport;

  const applyLayout = () => {
    if (!iframe) return;
    const side = layout.position === 'bottom-left' ? 'left' : 'right';
    const other = side === 'left' ? 'right' : 'left';
    const base: Record<string, string> = {
      position: 'fixed',
      border: '0',
      margin: '0',
      padding: '0',
      background: 'transparent',
      'color-scheme': 'normal',
      'z-index': String(zIndex),
      [other]: 'auto',
      'max-width': '100vw',
      visibility: 'visible',
      'pointer-events': 'auto',
      'border-radius': '0',
      'box-shadow': 'none',
    };
    if (layout.mode === 'hidden') {
      style(iframe, { ...base, width: '0', height: '0', bottom: '0', [side]: '0', top: 'auto', visibility: 'hidden', 'pointer-events': 'none' });
    } else if (layout.mode === 'launcher') {
      style(iframe, { ...base, width: '96px', height: '96px', bottom: '8px', [side]: '8px', top: 'auto' });
    } else if (window.innerWidth <= MOBILE_MAX_WIDTH) {
      // A phone: the whole visual viewport, which shrinks when the keyboard opens.
      const vv = viewport();
      const height = vv ? `${Math.round(vv.height)}px` : '100%';
      const top = vv ? `${Math.round(vv.offsetTop)}px` : '0';
      style(iframe, { ...base, width: '100%', height, top, bottom: 'auto', left: '0', right: '0' });
    } else {
      const height = Math.min(704, window.innerHeight - 16);
      style(iframe, { ...base, width: '400px', height: `${height}px`, bottom: '8px', [side]: '8px', top: 'auto', 'border-radius': '12px', 'box-shadow': '0 8px 30px rgba(0, 0, 0, 0.22)' });
    }
  };

  const onViewport = () => {
    if (layout.mode === 'open') applyLayout();
  };

  function render(): void {
    if (iframe || state === 'destroyed' || mountWaits) return;
    // An iframe added before the page's load event holds that event until the frame has loaded (its script, its
    // style): the frame is added once the page has loaded, never before. Calls made meanwhile wait in `waiting`.
    if (document.readyState !== 'complete') {
      mountWaits = true;
      window.addEventListener('load', () => setTimeout(() => ((mountWaits = false), render())), { once: true });
      return;
    }
    const container = options.container ?? document.body;
    if (!container) return;
    nonce = randomNonce();
    iframe = document.createElement('iframe');
    iframe.title = 'Support chat';
    iframe.setAttribute('data-support-chat', '');
    iframe.setAttribute('allow', '');
    iframe.setAttribute('referrerpolicy', 'origin');
    const src = new URL('/widget/v1/frame', widgetBase);
    src.searchParams.set('workspace_id', options.workspaceId);
    if (options.widgetId) src.searchParams.set('widget_id', options.widgetId);
    // The server names this page in the frame's frame-ancestors when the widget allows it (a wildcard cannot be passed on).
    src.searchParams.set('host_origin', location.origin);
    // The fragment never reaches a server or a log: the frame learns whom to talk to.
    src.hash = new URLSearchParams({ origin: location.origin, nonce }).toString();
    iframe.src = src.toString();
    applyLayout();
    window.addEventListener('message', onWindowMessage);
    viewport()?.addEventListener('resize', onViewport);
    viewport()?.addEventListener('scroll', onViewport);
    window.addEventListener('resize', onViewport);
    helloTimer = setTimeout(() => {
      if (port) return;
      const error = new SupportChatError({ code: 'frame_unavailable', message: 'The chat frame did not load (blocked, offline, or this page is not an allowed origin).', recoverable: true });
      localEvent('error', { code: error.code, message: error.message });
      failAll(error);
    }, FRAME_TIMEOUT_MS);
    container.appendChild(iframe);
    state = 'loading';
  }

  const ui = (method: FrameMethod) => () => call<void>(method);

  const chat: SupportChatInstance = {
    get state() {
      return state;
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
      if (state === 'destroyed') return;
      state = 'destroyed';
      clearTimeout(helloTimer);
      failAll(new SupportChatError({ code: 'not_ready', message: 'This chat was destroyed.', recoverable: false }));
      window.removeEventListener('message', onWindowMessage);
      window.removeEventListener('resize', onViewport);
      viewport()?.removeEventListener('resize', onViewport);
      viewport()?.removeEventListener('scroll', onViewport);
      port?.close();
      iframe?.remove();
      port = null;
      iframe = null;
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
    setZIndex(value) {
      if (Number.isFinite(value)) zIndex = Math.trunc(value);
      applyLayout();
    },
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
