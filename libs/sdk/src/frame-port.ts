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
import type { ChatEvent, ChatEventType, ChatOptions, ChatState, IdentityOptions } from './types';

/** How long the frame may take to say hello before the SDK gives up (and emits `error`). */
const FRAME_TIMEOUT_MS = 15_000;
const DEFAULT_Z_INDEX = 2147483000;
const MOBILE_MAX_WIDTH = 480;

type Pending = { resolve: (value: unknown) => void; reject: (error: SupportChatError) => void };

function randomNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The frame, mounted, and the private channel to it. */
export interface FramePort {
  readonly state: ChatState;
  /** One method run in the frame, answered over the port (made before the handshake, it waits). */
  call<T>(method: FrameMethod, args?: Record<string, unknown>, signal?: AbortSignal): Promise<T>;
  render(): void;
  destroy(): void;
  setZIndex(value: number): void;
}

/**
 * The page side of the frame channel (SPEC §12): mounts the iframe (after the page's load event), sizes it as
 * the frame asks, pins the channel to the frame's origin (a nonce'd hello, then a private MessageChannel port)
 * and turns each call into a schema-checked message answered by the frame. Holds no token.
 */
export function openFramePort(
  options: ChatOptions,
  widgetBase: string,
  /** What the frame is told in `connect` (read at each connect: setConsent changes it). */
  frameOptions: FrameOptions,
  /** Every event of the frame, and the SDK's own (`error` when the frame never answers). */
  dispatch: (event: ChatEvent) => void,
  /** The page's tokenProvider, asked when the frame needs an identity JWT. */
  getTokenProvider: () => IdentityOptions['tokenProvider'],
): FramePort {
  let state: ChatState = 'not_initialized';
  let iframe: HTMLIFrameElement | null = null;
  let port: MessagePort | null = null;
  let nonce = '';
  let nextId = 1;
  let zIndex = DEFAULT_Z_INDEX;
  let layout: FrameLayout = { mode: 'hidden', position: options.launcher?.position ?? 'bottom-right' };
  let helloTimer: ReturnType<typeof setTimeout> | undefined;
  /** render() waits for the page's load event. */
  let mountWaits = false;
  const pending = new Map<number, Pending>();
  const waiting: HostToFrame[] = [];

  const log = (...args: unknown[]) => {
    if (options.debug) console.debug('[SupportChat]', ...args);
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
      const tokenProvider = getTokenProvider();
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

  return {
    get state() {
      return state;
    },
    call,
    render,
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
    },
    setZIndex(value) {
      if (Number.isFinite(value)) zIndex = Math.trunc(value);
      applyLayout();
    },
  };
}
