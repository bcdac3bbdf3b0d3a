import type { ChatState } from '@widget/contracts/frame';

export type { ChatState };

/** Every event the SDK emits (`chat.on(name, handler)`; `'*'` hears them all). */
export type ChatEventType =
  | 'ready'
  | 'error'
  | 'auth:changed'
  | 'auth:expired'
  | 'connection:state'
  | 'open'
  | 'close'
  | 'show'
  | 'hide'
  | 'launcher:show'
  | 'launcher:hide'
  | 'unread:change'
  | 'conversation:started'
  | 'conversation:opened'
  | 'conversation:updated'
  | 'conversation:assigned'
  | 'conversation:resolved'
  | 'message:sending'
  | 'message:sent'
  | 'message:failed'
  | 'message:received'
  | 'message:read'
  | 'typing:start'
  | 'typing:stop'
  | 'upload:progress'
  | 'article:opened'
  | 'form:opened'
  | 'form:submitted';

/** The payload of `upload:progress`: bytes of one file sent so far (a file's last event has loaded === total). */
export interface UploadProgress {
  conversationId: string;
  name: string;
  loaded: number;
  total: number;
}

export interface ChatEvent<P = unknown> {
  id: string;
  type: ChatEventType;
  createdAt: string;
  payload: P;
}

export interface ChatUser {
  id?: string;
  email?: string;
  name?: string;
  traits?: Record<string, unknown>;
}
export interface ChatCompany {
  id?: string;
  name?: string;
  plan?: string;
}
export interface ThemeOptions {
  primaryColor?: string;
  textColor?: string;
  mode?: 'light' | 'dark' | 'auto';
}
export interface LauncherOptions {
  position?: 'bottom-right' | 'bottom-left';
  label?: string;
  hidden?: boolean;
}
export interface PrivacyOptions {
  /** Write nothing to storage (the session stays in memory) until setConsent(true). */
  requireConsent?: boolean;
  /**
   * Consent the visitor gave on an earlier page (what your consent manager
   * knows when this page loads): with it, the stored session is read and kept
   * from the start. `setConsent()` called before the frame connects does the same.
   */
  consent?: boolean;
}

export interface ChatOptions {
  workspaceId: string;
  widgetId?: string;
  /** The self-hosted API origin, e.g. https://support.example.com (default: the origin the loader came from). */
  apiBase?: string;
  /** Where the frame is served (default: apiBase). */
  widgetBase?: string;
  autoBoot?: boolean;
  autorender?: boolean;
  locale?: string;
  theme?: ThemeOptions;
  launcher?: LauncherOptions;
  privacy?: PrivacyOptions;
  debug?: boolean;
  /** Where the iframe is mounted (default: document.body). */
  container?: HTMLElement;
}

export type TokenProvider = () => string | Promise<string>;

export interface IdentityOptions {
  user?: ChatUser;
  company?: ChatCompany;
  tokenProvider?: TokenProvider;
}

// The API's views, defined once in the contracts (type-only: nothing of them reaches the bundles).
export type { Attachment, Author, Conversation, Message } from '@widget/contracts';
export type { ArticleSearchHit as ArticleHit, ArticleView as Article } from '@widget/contracts';
export type { Page } from '@widget/contracts';
