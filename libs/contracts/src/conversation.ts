import { z } from 'zod';
import { boundedJson, Idempotent, idOf, Page, pageQuery, SessionContext } from './common';
import { Attachment, AttachmentActor, AttachmentContent, attachmentIds } from './attachment';
import { Audited, auditLogRpc } from './team';
import { privacyRpcs } from './privacy';
import type { EmailReplyRequest, MessageChannel } from './email';
import { event, rpc } from './transport';
import { OPERATOR_EVENT_TYPES } from './realtime';
import type { EscalationBehavior, WidgetRouting } from './widget';

// ---- Limits (SPEC §5) ----
export const MESSAGE_TEXT_MAX = 10_000;
export const SUBJECT_MAX = 255;
export const TAGS_MAX = 20;
export const TAG_LENGTH_MAX = 64;
export const JSON_FIELD_MAX_BYTES = 8 * 1024;
/** A message's `metadata` (the SDK's setContext values). */
export const MESSAGE_METADATA_MAX_BYTES = 2 * 1024;

export const CONVERSATION_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
/** `note`: an agent's internal note (issue 21), never sent to the visitor: operators' lists, feeds and replay only. */
export type AuthorType = 'user' | 'agent' | 'bot' | 'system' | 'note';
/** What an operator may post: a reply (agent, bot) or an internal note. */
export const STAFF_MESSAGE_TYPES = ['agent', 'bot', 'note'] as const;
export type StaffMessageType = (typeof STAFF_MESSAGE_TYPES)[number];
/** The inbox's views (issue 21): every conversation, the caller's own, nobody's. */
export const CONVERSATION_VIEWS = ['all', 'mine', 'unassigned'] as const;
export type ConversationView = (typeof CONVERSATION_VIEWS)[number];
export type ConversationCounts = Record<ConversationView, number>;

// ---- Views ----
export interface Author {
  type: AuthorType;
  id: string | null;
  name: string | null;
}

export interface Message {
  id: string;
  conversationId: string;
  author: Author;
  text: string;
  clientMessageId: string | null;
  /** What the sender attached (≤ 2 KB of JSON); `{}` when nothing. */
  metadata: Record<string, unknown>;
  /** Files sent with the message (SPEC §13); `[]` when none. */
  attachments: Attachment[];
  /** How it arrived (issue 22): `web` (the widget and every API) or `email` (a visitor's reply by email). The server always sends it. */
  channel?: MessageChannel;
  createdAt: string;
}

export interface Assignee {
  id: string;
  name: string | null;
}

export interface Conversation {
  id: string;
  subject: string | null;
  status: ConversationStatus;
  tags: string[];
  customFields: Record<string, unknown>;
  metadata: Record<string, unknown>;
  assignee: Assignee | null;
  /** Agent/bot messages after the visitor's last read. */
  unreadCount: number;
  lastMessage: Message | null;
  createdAt: string;
  updatedAt: string;
}

/** Who wrote a conversation, as the operator API needs it to look the visitor up (never sent to visitors). */
export interface ConversationOwner {
  workspaceId: string;
  widgetId: string;
  sessionId: string;
  userId: string | null;
}

// ---- HTTP bodies and queries (validated at the gateway) ----
/** Message text: checked before the rest of the body (MessageBodyPipe), since its failures are `message_invalid`; typed here for the documents. */
export const messageText = z
  .string({ invalid_type_error: 'must be a string', required_error: 'is required' })
  .min(1, 'must not be empty')
  .max(MESSAGE_TEXT_MAX, `must be at most ${MESSAGE_TEXT_MAX} characters`)
  .refine((t) => t.trim().length > 0, 'must not be empty');

export type MessageTextProblem = 'not_a_string' | 'empty' | 'too_long';

/** Why a message text is refused (the `reason` of message_invalid), or null when it is fine. */
export function messageTextProblem(text: unknown): MessageTextProblem | null {
  if (typeof text !== 'string') return 'not_a_string';
  if (text.trim().length === 0) return 'empty';
  if (text.length > MESSAGE_TEXT_MAX) return 'too_long';
  return null;
}

export const clientMessageId = z.string().min(1).max(128);

export const createConversationBody = z
  .object({
    subject: z.string().max(SUBJECT_MAX).optional(),
    message: messageText.optional(),
    tags: z.array(z.string().min(1).max(TAG_LENGTH_MAX)).max(TAGS_MAX).optional(),
    customFields: boundedJson(JSON_FIELD_MAX_BYTES).optional(),
    metadata: boundedJson(JSON_FIELD_MAX_BYTES).optional(),
    clientMessageId: clientMessageId.optional(),
  })
  .strict();
export type CreateConversationBody = Omit<z.infer<typeof createConversationBody>, 'message'> & { message?: string };

/** clientMessageId is optional (upstream documents it so); without it a retry may store a second message. */
/** `text` may be left out when the message carries at least one attachment (SPEC §13). */
export const sendMessageBody = z
  .object({
    text: messageText.optional(),
    attachmentIds: attachmentIds.optional(),
    clientMessageId: clientMessageId.optional(),
    metadata: boundedJson(MESSAGE_METADATA_MAX_BYTES).optional(),
  })
  .strict();
export type SendMessageBody = Omit<z.infer<typeof sendMessageBody>, 'text'> & { text?: string };
/**
 * POST /conversations/{id}/escalate: the visitor goes from an AI answer to a person (docs/api.md).
 * The body names the answer by the id `POST /ai/answer` returned; the note for the agent is made
 * from what the server recorded of that answer, never from text the client sends.
 */
export const escalateBody = z
  .object({
    answerId: idOf('answer'),
    clientMessageId: clientMessageId.optional(),
  })
  .strict();
export type EscalateBody = z.infer<typeof escalateBody>;
export interface EscalateReply {
  escalationBehavior: EscalationBehavior;
  /** The system message posted for the agent; null when the behaviour is `none`. */
  message: Message | null;
}

export const readBody = z.object({ lastReadMessageId: idOf('message').optional() }).strict();
export const messagesQuery = pageQuery.extend({ after: idOf('message').optional() });
export type MessagesQuery = z.infer<typeof messagesQuery>;

const operatorRef = z.object({ id: z.string().min(1).max(128), name: z.string().max(255).nullable().optional() }).strict();
export const adminMessageBody = z
  .object({ text: messageText.optional(), attachmentIds: attachmentIds.optional(), author: operatorRef.optional(), type: z.enum(STAFF_MESSAGE_TYPES).default('agent') })
  // The client's id of a staff message (issue 21): stored and sent back on the message and its events, so the inbox
  // settles its pending reply by id; sent again in the conversation it answers the stored message (docs/api.md).
  .extend({ clientMessageId: clientMessageId.optional() })
  .strict();
export type AdminMessageBody = Omit<z.infer<typeof adminMessageBody>, 'text'> & { text?: string };
export const adminPatchConversationBody = z
  .object({ status: z.enum(CONVERSATION_STATUSES).optional(), assignee: operatorRef.nullable().optional() })
  .strict();
export const adminTypingBody = z.object({ typing: z.boolean(), author: operatorRef.optional() }).strict();
/** `view` mine: assigned to the calling account (a key or the root key has none: nothing is theirs). */
export const adminConversationsQuery = pageQuery.extend({ status: z.enum(CONVERSATION_STATUSES).optional(), view: z.enum(CONVERSATION_VIEWS).default('all') });
export const conversationCountsQuery = z.object({ status: z.enum(CONVERSATION_STATUSES).optional() }).strict();
/** Which conversations a view holds: every one, those assigned to `assigneeId` (null: to nobody that could be mine), or the unassigned. */
export type ViewFilter = { view: 'all' } | { view: 'mine'; assigneeId: string | null } | { view: 'unassigned' };

// ---- NATS: request/reply ----
export interface MergeSessionRequest {
  workspaceId: string;
  fromSessionId: string;
  toUserId: string;
}

export interface CreateConversationRequest {
  session: SessionContext;
  body: CreateConversationBody;
  /** Makes creation idempotent per owner (e.g. `form:<submissionId>` from the forms service). */
  idempotencyKey?: string;
  /** The widget's routing (SPEC §14), from the gateway's widget cache: who gets the new conversation. */
  routing?: WidgetRouting;
}

export const ConversationRpc = {
  list: rpc<{ session: SessionContext; cursor?: string; limit: number }, Page<Conversation>>('conversation.list'),
  create: rpc<CreateConversationRequest, { conversation: Conversation; created: boolean }>('conversation.create'),
  get: rpc<{ session: SessionContext; conversationId: string }, Conversation>('conversation.get'),
  markRead: rpc<{ session: SessionContext; conversationId: string; lastReadMessageId?: string }, Conversation>('conversation.mark-read'),
  listMessages: rpc<{ session: SessionContext; conversationId: string } & MessagesQuery, Page<Message>>('conversation.messages.list'),
  sendMessage: rpc<{ session: SessionContext; conversationId: string } & SendMessageBody, { message: Message; created: boolean }>(
    'conversation.messages.send',
  ),
  /** A bot answer posted into a conversation the session owns (knowledge service, AI answers). */
  postBotMessage: rpc<{ session: SessionContext; conversationId: string; text: string; authorName?: string }, Message>('conversation.messages.bot'),
  /** The system message of an AI-to-person escalation, by the widget's ai.escalationBehavior. */
  /** One per conversation: a later escalate returns the first note (created false). */
  escalate: rpc<{ session: SessionContext; conversationId: string; behavior: EscalationBehavior } & EscalateBody, EscalateReply & { created: boolean }>(
    'conversation.escalate',
  ),
  /** Realtime reconnect: every message of the viewer's conversations after the given one, oldest first. */
  replay: rpc<{ session: SessionContext; afterMessageId: string; limit: number }, Message[]>('conversation.replay'),
  /** Identify merge (session service): idempotent, a retry moves nothing twice. */
  mergeSession: rpc<MergeSessionRequest, { moved: number }>('conversation.merge-session'),
  /** A visitor's reply by email (the integrations service, issue 22): a visitor message with channel `email`, through the outbox like any. */
  emailReply: rpc<EmailReplyRequest, { message: Message; created: boolean }>('conversation.messages.email'),

  adminList: rpc<{ workspaceId: string; status?: ConversationStatus; filter?: ViewFilter; cursor?: string; limit: number }, Page<Conversation>>(
    'conversation.admin.list',
  ),
  /** How many conversations each view holds (issue 21), for the caller (`assigneeId`: who "mine" is). */
  adminCounts: rpc<{ workspaceId: string; status?: ConversationStatus; assigneeId: string | null }, ConversationCounts>('conversation.admin.counts'),
  /** One conversation of any workspace, with its owner (the gateway adds the visitor's profile). */
  adminGet: rpc<{ conversationId: string }, { conversation: Conversation; owner: ConversationOwner; visitorLastReadMessageId: string | null }>(
    'conversation.admin.get',
  ),
  /** A thread, for the operator: same paging as the visitor's `listMessages`. */
  adminListMessages: rpc<{ conversationId: string } & MessagesQuery, Page<Message>>('conversation.admin.messages.list'),
  adminPostMessage: rpc<
    { conversationId: string; text?: string; attachmentIds?: string[]; author: Assignee; type: StaffMessageType } & Idempotent & { clientMessageId?: string },
    Message
  >('conversation.admin.messages.send'),
  adminPatch: rpc<{ conversationId: string; status?: ConversationStatus; assignee?: Assignee | null } & Audited, Conversation>('conversation.admin.patch'),
  /** With workspaceId (operator sockets), a conversation of another workspace is conversation_not_found. */
  adminTyping: rpc<{ conversationId: string; typing: boolean; author: Assignee; workspaceId?: string }, { ok: true }>('conversation.admin.typing'),
  /** Operator feed reconnect: every message of the workspace after the given one, oldest first, with its conversation. */
  adminReplay: rpc<{ workspaceId: string; afterMessageId: string; limit: number }, { conversation: Conversation; message: Message }[]>(
    'conversation.admin.replay',
  ),

  // Attachments (SPEC §13): the gateway streams an upload in ATTACHMENT_CHUNK_BYTES chunks (base64), then reads them back the same way.
  /** Opens an upload into a conversation the actor may write to (conversation_not_found otherwise). */
  attachmentBegin: rpc<{ actor: AttachmentActor; conversationId: string; name: string; contentType: string }, { attachmentId: string }>(
    'conversation.attachments.begin',
  ),
  /** One chunk of an open upload, in order from 0; a chunk stored twice (a retry) is replaced. */
  attachmentChunk: rpc<{ attachmentId: string; seq: number; data: string }, { stored: true }>('conversation.attachments.chunk'),
  /** Closes an upload: every chunk is there, the size and whether it may be shown inline are final. */
  attachmentFinish: rpc<{ attachmentId: string; size: number; chunks: number; inline: boolean }, Attachment>('conversation.attachments.finish'),
  /** Drops an upload that did not finish (refused, cancelled, failed) with whatever bytes it stored. */
  attachmentAbort: rpc<{ attachmentId: string }, { aborted: boolean }>('conversation.attachments.abort'),
  /** A signed link checked for its reader: the owning session (its user) or an operator of the workspace; not_found otherwise. */
  attachmentOpen: rpc<{ actor: AttachmentActor; attachmentId: string; expires: number; sig: string }, AttachmentContent>('conversation.attachments.open'),
  /** One stored chunk of an attachment the gateway opened. */
  attachmentRead: rpc<{ attachmentId: string; seq: number }, { data: string }>('conversation.attachments.read'),

  /** The status and assignment changes this service recorded (SPEC §14), newest first; messages and typing are not entries. */
  auditLog: auditLogRpc('conversation'),
  /** SPEC §17: this service's part of erasing and exporting one person. */
  ...privacyRpcs('conversation'),
} as const;

// ---- NATS: events pushed to visitors ----
/** Who may receive an event: the owning user's sockets when identified, else the owning session's. */
export interface Audience {
  workspaceId: string;
  sessionId: string | null;
  userId: string | null;
}

/**
 * What realtime forwards to sockets, minus `audience`: `{ id, type, createdAt, payload }` (SPEC §10).
 * On the wire it travels like every NatsBus.emit: JSON `{ pattern: <subject>, data: <VisitorEvent> }`.
 * Delivery is at-least-once (transactional outbox): de-duplicate by `id`.
 */
export interface VisitorEvent<T> {
  id: string;
  type: string;
  createdAt: string;
  audience: Audience;
  payload: T;
}

export interface TypingPayload {
  conversationId: string;
  author: Author;
}

/** `conversation.assigned` (operator feeds only): by routing when a visitor opened it, or by an operator's PATCH (assignee null: unassigned). */
export interface AssignedPayload {
  conversationId: string;
  assignee: Assignee | null;
  by: 'round_robin' | 'least_busy' | 'operator';
}

export const ConversationEvents = {
  messageCreated: event<VisitorEvent<{ conversation: Conversation; message: Message }>>('conversation.message.created'),
  /**
   * An internal note (author.type `note`): its own subject, so nothing that hears visitor messages (the events
   * service, webhooks) hears it; realtime gives it to the workspace's operator feeds only, as `message.created`.
   */
  noteCreated: event<VisitorEvent<{ conversation: Conversation; message: Message }>>('conversation.note.created'),
  conversationCreated: event<VisitorEvent<{ conversation: Conversation }>>('conversation.created'),
  conversationUpdated: event<VisitorEvent<{ conversation: Conversation }>>('conversation.updated'),
  conversationRead: event<VisitorEvent<{ conversationId: string; lastReadMessageId: string | null; unreadCount: number }>>('conversation.read'),
  unreadChanged: event<VisitorEvent<{ count: number }>>('conversation.unread.changed'),
  typingStart: event<VisitorEvent<TypingPayload>>('conversation.typing.start'),
  typingStop: event<VisitorEvent<TypingPayload>>('conversation.typing.stop'),
  /** Its audience names the owner, but realtime gives it to the workspace's operator feeds only. */
  conversationAssigned: event<VisitorEvent<AssignedPayload>>('conversation.assigned'),
  /** Visitor typing, for the operator side (from the realtime service). */
  visitorTyping: event<{ workspaceId: string; conversationId: string; sessionId: string; userId: string | null; typing: boolean; at: string }>(
    'conversation.visitor.typing',
  ),
} as const;

/** Socket event names: the `type` of each visitor event (SPEC §10). */
export const VISITOR_EVENT_TYPES = {
  messageCreated: 'message.created',
  /** Operator feeds only: a note reads as a message whose author.type is `note`. */
  noteCreated: OPERATOR_EVENT_TYPES.noteCreated,
  conversationCreated: 'conversation.created',
  conversationUpdated: 'conversation.updated',
  conversationRead: 'conversation.read',
  unreadChanged: 'unread.changed',
  typingStart: 'typing.start',
  typingStop: 'typing.stop',
  conversationAssigned: OPERATOR_EVENT_TYPES.conversationAssigned,
} as const;
