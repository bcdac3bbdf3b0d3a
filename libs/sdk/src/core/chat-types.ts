import type { ManagerOptions, Socket, SocketOptions } from 'socket.io-client';
import type { Attachment, ChatCompany, ChatUser } from '../types';
import type { KeyValueStore } from './storage';

/** The chat's options and the shapes its methods take and answer (ChatCore and its parts). */
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

export interface SessionReply {
  session: SessionView;
  token: string;
  expiresAt: string;
}

// The API's views, from the contracts (type-only), so they cannot drift from what the server sends.
export type { AiAnswerReply as AiAnswer, FormField, PublicForm as TicketForm } from '@widget/contracts';

export interface IdentityInput {
  user?: ChatUser;
  company?: ChatCompany;
  tokenProvider?: boolean;
}
