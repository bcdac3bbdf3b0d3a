import type { VISITOR_EVENT_TYPES } from './conversation';
import type { ErrorCode } from './errors';

/**
 * What a browser client (the SDK's frame, the inbox) needs of the wire, without zod: the route table and its
 * paths (route-paths.ts, which holds the realtime path), the socket's event names as a typed union, the
 * handshake keys and the error envelope (SPEC §3, §10). Imported as `@widget/contracts/wire`; the browser
 * builds bundle it from source (libs/sdk/build-tools.mjs), so only what a client uses reaches its bundle.
 */
export * from './route-paths';

/** Every `type` a socket event may carry (visitor sockets and operator feeds; docs/realtime.md). */
export type SocketEventName = (typeof VISITOR_EVENT_TYPES)[keyof typeof VISITOR_EVENT_TYPES];

/** The event names the clients act on, each checked against the contract's union. */
export const SOCKET_EVENTS = {
  messageCreated: 'message.created',
  conversationCreated: 'conversation.created',
  conversationUpdated: 'conversation.updated',
  conversationRead: 'conversation.read',
  conversationAssigned: 'conversation.assigned',
  unreadChanged: 'unread.changed',
  typingStart: 'typing.start',
  typingStop: 'typing.stop',
} as const satisfies Record<string, SocketEventName>;

/** Server → client: one event, the domain event minus its audience. socket.io emits it under its `type`. */
export interface SocketEvent<T = unknown> {
  id: string;
  type: SocketEventName | (string & {});
  createdAt: string;
  payload: T;
}

/** Handshake: socket.io `auth` keys and their plain WebSocket query twins. */
export const HANDSHAKE_KEYS = {
  token: { auth: 'token', query: 'session_token' },
  lastMessageId: { auth: 'lastMessageId', query: 'last_message_id' },
} as const;

/** One refusal as the API describes it (SPEC §3). Client-side codes (network_error, cancelled, …) travel in the same shape. */
export interface WireError {
  code: ErrorCode | (string & {});
  message: string;
  reason?: string;
  requestId?: string;
  recoverable: boolean;
  details?: { field: string; reason: string }[];
  /** Seconds a refused socket.io handshake (`rate_limited`; `server_busy`: its turn) should wait, where an HTTP answer says Retry-After. */
  retryAfter?: number;
}

/** The error envelope of every refused HTTP call and of a socket's last `error` frame. */
export interface ErrorEnvelope {
  error: WireError;
}
