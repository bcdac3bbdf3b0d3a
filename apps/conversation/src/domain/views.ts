import type { Tx } from '@widget/common';
import {
  Audience,
  Conversation,
  ConversationEvents,
  EventPayload,
  Message,
  SessionContext,
  StoredAttachment,
  VISITOR_EVENT_TYPES,
  VisitorEvent,
} from '@widget/contracts';
import { withUrl } from '../attachments/links';
import { ConversationEntity, ConversationRow, MessageEntity } from '../persistence/entities';
import type { Owner } from '../persistence/conversation.repository';
import type { OutboxRow } from '../persistence/outbox.repository';

/** A message as stored: its attachments' metadata without links (a person's export, SPEC §17). */
export function storedMessage(row: MessageEntity): Omit<Message, 'attachments'> & { attachments: StoredAttachment[] } {
  return {
    id: row.id,
    conversationId: row.conversationId,
    author: { type: row.authorType, id: row.authorId, name: row.authorName },
    text: row.text,
    clientMessageId: row.clientMessageId,
    metadata: row.metadata ?? {},
    attachments: row.attachments ?? [],
    channel: row.channel ?? 'web',
    createdAt: row.createdAt.toISOString(),
  };
}

/** A message as clients read it: each attachment with a freshly signed link. */
export function toMessage(row: MessageEntity): Message {
  const message = storedMessage(row);
  return { ...message, attachments: message.attachments.map((a) => withUrl(a, new Date())) };
}

export function toConversation(row: ConversationEntity, lastMessage: MessageEntity | null): Conversation {
  return {
    id: row.id,
    subject: row.subject,
    status: row.status,
    tags: row.tags,
    customFields: row.customFields,
    metadata: row.metadata,
    assignee: row.assigneeId ? { id: row.assigneeId, name: row.assigneeName } : null,
    unreadCount: row.unreadCount,
    lastMessage: lastMessage ? toMessage(lastMessage) : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export const viewOf = (row: ConversationRow): Conversation => toConversation(row, row.lastMessage);

export function ownerOf(session: SessionContext): Owner {
  return { workspaceId: session.workspaceId, sessionId: session.sessionId, userId: session.userId };
}

/** The owner of a stored conversation, as the realtime service addresses it. */
export function audienceOf(row: ConversationEntity): Audience {
  return { workspaceId: row.workspaceId, sessionId: row.userId ? null : row.sessionId, userId: row.userId };
}

export const ownerOfRow = (row: ConversationEntity): Owner => ({ workspaceId: row.workspaceId, sessionId: row.sessionId, userId: row.userId });

export type VisitorEventKey = keyof typeof VISITOR_EVENT_TYPES;
type PayloadOf<K extends VisitorEventKey> = EventPayload<(typeof ConversationEvents)[K]> extends VisitorEvent<infer P> ? P : never;

/** Where an event takes its id and time: the write's Tx, or the UnitOfWork (an ephemeral event). */
export type Stamps = Pick<Tx, 'now' | 'newId'>;

/** An outbox row carrying one visitor event; its id is the event id. */
export function visitorEvent<K extends VisitorEventKey>(at: Stamps, key: K, audience: Audience, payload: PayloadOf<K>): OutboxRow {
  const id = at.newId('event');
  return { id, event: key, payload: { id, type: VISITOR_EVENT_TYPES[key], createdAt: at.now().toISOString(), audience, payload } };
}
