/// <reference lib="dom" />
import { SupportChatError } from './errors';
import { createChat, rememberScriptOrigin, SupportChatInstance, VERSION } from './host';
import type { ChatOptions, IdentityOptions } from './types';

/**
 * GET /widget/v1/widget.js: defines window.SupportChat. The snippet's stub
 * (`SupportChat.q`) queues calls made before this script ran; they are
 * replayed here against the instance. With window.SupportChatSettings set
 * (before this script, or by the time the document has parsed), an instance
 * is created and booted as window.supportChat.
 */
type Settings = ChatOptions & IdentityOptions;
interface Stub {
  (...args: unknown[]): unknown;
  q?: unknown[][];
  createChat?: typeof createChat;
  Error?: typeof SupportChatError;
  version?: string;
}
declare global {
  interface Window {
    SupportChat?: Stub;
    SupportChatSettings?: Settings;
    supportChat?: SupportChatInstance;
  }
}

const current = document.currentScript as HTMLScriptElement | null;
rememberScriptOrigin(current?.src);

const queued = window.SupportChat?.q ?? [];

function instance(settings?: Settings): SupportChatInstance | undefined {
  if (window.supportChat) return window.supportChat;
  const options = settings ?? window.SupportChatSettings;
  if (!options) return undefined;
  const chat = createChat(options);
  window.supportChat = chat;
  if (options.autoBoot !== false) {
    chat.boot({ user: options.user, company: options.company, tokenProvider: options.tokenProvider }).catch((err: unknown) => {
      if (options.debug) console.warn('[SupportChat] boot failed', err);
    });
  }
  return chat;
}

function run(args: unknown[]): unknown {
  const [method, ...rest] = args as [string, ...unknown[]];
  if (method === 'boot' && !window.supportChat && rest[0] && typeof rest[0] === 'object' && 'workspaceId' in (rest[0] as object)) {
    return instance({ ...(rest[0] as Settings), autoBoot: true });
  }
  const chat = instance();
  if (!chat) {
    pending.push(args);
    return undefined;
  }
  const fn = (chat as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new SupportChatError({ code: 'validation_error', message: `SupportChat has no method "${method}".`, recoverable: false });
  return (fn as (...a: unknown[]) => unknown).apply(chat, rest);
}

const pending: unknown[][] = [];
const api: Stub = (...args: unknown[]) => run(args);
api.createChat = createChat;
api.Error = SupportChatError;
api.version = VERSION;
window.SupportChat = api;

function start(): void {
  instance();
  for (const args of queued.splice(0)) run(args);
}

start();
if (!window.supportChat && document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => {
    instance();
    for (const args of pending.splice(0)) run(args);
  });
}
