import type { Tx } from '@widget/common';
import type { Message, MessageChannel, SessionContext, StaffMessageType, StoredAttachment } from '@widget/contracts';
import type { Owner } from '../persistence/conversation.repository';
import { ConversationEntity, MessageEntity } from '../persistence/entities';
import { idempotencyKeyReused } from './errors';
import { toMessage } from './views';

/** The conversation row as appending `message` leaves it (ConversationRepository.appendMessage). */
export function withMessage(row: ConversationEntity, message: MessageEntity, unreadDelta: number): ConversationEntity {
  return { ...row, lastMessageId: message.id, updatedAt: message.createdAt, unreadCount: row.unreadCount + unreadDelta };
}

/** A visitor's message, its id and time taken from the write's transaction (after the conversation's lock). */
export function visitorMessage(
  tx: Pick<Tx, 'newId'>,
  conversationId: string,
  session: SessionContext,
  text: string,
  clientMessageId: string | null,
  metadata: Record<string, unknown>,
  at: Date,
  attachments: StoredAttachment[] = [],
  channel: MessageChannel = 'web',
): MessageEntity {
  return {
    id: tx.newId('message'),
    conversationId,
    authorType: 'user',
    authorId: session.userId ?? session.sessionId,
    authorName: null,
    text,
    clientMessageId,
    metadata,
    attachments,
    channel,
    createdAt: at,
  };
}

/** An operator's, a bot's or a note's message, its id and time taken from the write's transaction (after the conversation's lock). */
export function staffMessage(
  tx: Pick<Tx, 'newId'>,
  conversationId: string,
  author: { type: StaffMessageType; id: string | null; name: string | null },
  text: string,
  clientMessageId: string | null,
  at: Date,
  attachments: StoredAttachment[] = [],
): MessageEntity {
  return {
    id: tx.newId('message'),
    conversationId,
    authorType: author.type,
    authorId: author.id,
    authorName: author.name,
    text,
    clientMessageId,
    metadata: {},
    attachments,
    createdAt: at,
  };
}

/** Whether `owner` sees the conversation (ConversationRepository's owner predicate, on a locked row). */
export function owns(row: ConversationEntity, owner: Owner): boolean {
  if (row.workspaceId !== owner.workspaceId) return false;
  return owner.userId ? row.userId === owner.userId : row.sessionId === owner.sessionId && row.userId === null;
}

/** The original of a retried send: the same text and attachments, or a reused clientMessageId. */
export function retried(original: MessageEntity, text: string, attachmentIds: string[]): Message {
  const same = original.authorType === 'user' && original.text === text && original.attachments.map((a) => a.id).join() === attachmentIds.join();
  if (!same) throw idempotencyKeyReused('clientMessageId', 'client_message_id_reused');
  return toMessage(original);
}

/** The original of a staff message sent again with its clientMessageId: the same author, text and files, or a reused id. */
export function retriedStaff(original: MessageEntity, author: { type: string; id: string | null }, text: string, attachmentIds: string[]): Message {
  const same = original.authorType === author.type && original.authorId === author.id && original.text === text && original.attachments.map((a) => a.id).join() === attachmentIds.join();
  if (!same) throw idempotencyKeyReused('clientMessageId', 'client_message_id_reused');
  return toMessage(original);
}
