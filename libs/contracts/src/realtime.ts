import { z } from 'zod';
import { idOf } from './common';

/**
 * The realtime socket protocols (SPEC §10, docs/realtime.md): socket.io and the
 * plain WebSocket share these frames; only the framing differs.
 */

/** Path of both protocols: written in route-paths.ts (no zod), where the browser SDK reads it too. */
export { REALTIME_PATH } from './route-paths';

/** Tokens of the operator feed (`POST /admin/v1/workspaces/{ws}/realtime-token`) start `wot_`; visitors' `wrt_`/`wst_`. */
export const OPERATOR_REALTIME_TOKEN_PREFIX = 'wot';
/** Visitors' short-lived realtime tokens (`POST /widget/v1/sessions/realtime-token`) start `wrt_`. */
export const REALTIME_TOKEN_PREFIX = 'wrt';
/**
 * The longest a realtime token lives (REALTIME_TOKEN_TTL_SECONDS is at most this): how long the realtime
 * service remembers a revocation to refuse the revoked session's tokens still unexpired (docs/realtime.md).
 */
export const REALTIME_TOKEN_MAX_TTL_SECONDS = 300;

/** Server → client: one event, the domain event minus its audience. socket.io emits it under its `type`. */
export interface ServerEvent<T = unknown> {
  id: string;
  type: string;
  createdAt: string;
  payload: T;
}

/**
 * The error envelope of SPEC §3, as it travels in a socket frame. `retryAfter`: the seconds a refused
 * socket.io handshake (`rate_limited`; `server_busy`: its turn, to the millisecond) should wait, where an
 * HTTP answer would say Retry-After.
 */
export interface SocketErrorEnvelope {
  error: { code: string; message: string; reason?: string; requestId: string; recoverable: boolean; details?: { field: string; reason: string }[]; retryAfter?: number };
}

/** socket.io event (and plain frame `type`) of a last error before the server ends a socket. */
export const SOCKET_ERROR_EVENT = 'error';

/** Close codes of the plain WebSocket: the session (or operator token) is gone / the widget no longer allows the socket. */
export const REALTIME_CLOSE_CODES = { revoked: 4401, forbidden: 4403 } as const;

const operatorAuthor = z.object({ id: z.string().min(1).max(128), name: z.string().max(255).nullable().optional() }).strict();

/** Client → server `typing`: a visitor's body; an operator adds who is typing. */
export const typingFrame = z.object({ conversationId: idOf('conversation'), typing: z.boolean() }).strict();
export const operatorTypingFrame = typingFrame.extend({ author: operatorAuthor }).strict();
export type TypingFrame = z.infer<typeof typingFrame>;
export type OperatorTypingFrame = z.infer<typeof operatorTypingFrame>;

/** Events only operator feeds receive (docs/realtime.md): an assignment, by routing or by an operator; an internal note. */
export const OPERATOR_EVENT_TYPES = {
  conversationAssigned: 'conversation.assigned',
  /** An internal note (issue 21): `message.created` with author.type `note`, never on a visitor's socket. */
  noteCreated: 'message.created',
} as const;

/**
 * SPEC §14 presence, set by an operator account: the `presence.set` event of its operator socket and the body of
 * `PUT /admin/v1/workspaces/{ws}/presence` alike.
 */
export const PRESENCE_SET_EVENT = 'presence.set';
export const PRESENCE_STATUSES = ['online', 'away'] as const;
export type PresenceStatus = (typeof PRESENCE_STATUSES)[number];
export const presenceBody = z.object({ status: z.enum(PRESENCE_STATUSES) }).strict();
export type PresenceBody = z.infer<typeof presenceBody>;

/** Plain WebSocket, client → server: JSON text frames. */
export const plainClientFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('typing'), conversationId: z.unknown(), typing: z.unknown(), author: z.unknown().optional() }).strict(),
  z.object({ type: z.literal(PRESENCE_SET_EVENT), status: z.unknown() }).strict(),
  z.object({ type: z.literal('ping') }).strict(),
]);
export type PlainClientFrame = z.infer<typeof plainClientFrame>;

/** Plain WebSocket, server → client: events, the answer to a ping, and error frames. */
export type PlainServerFrame = ServerEvent | { type: 'pong' } | { type: typeof SOCKET_ERROR_EVENT; payload: SocketErrorEnvelope };

/** Handshake: socket.io `auth` keys and their plain WebSocket query twins (in wire.ts, where the browser clients read them too). */
export { HANDSHAKE_KEYS } from './wire';

/** A reconnect cursor: replay every message after this id. */
export const lastMessageIdSchema = idOf('message');
