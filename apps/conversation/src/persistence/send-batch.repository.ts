import { Injectable } from '@nestjs/common';
import type { Queryable, Tx } from '@widget/common';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, Owner, ownerKey, rowsOf } from './conversation.repository';
import { ConversationEntity, MessageEntity } from './entities';
import type { OutboxRow } from './outbox.repository';

/** An outbox row and the message whose storing it announces (written only when that message is). */
export type BatchEvent = OutboxRow & { messageId: string };

/**
 * The group commit's statements (domain/send-batcher.ts): a batch of sends is
 * two statements in one transaction, whatever its size (four when it holds
 * staff replies: their visitors' unread locks and totals).
 */
@Injectable()
export class SendBatchRepository {
  /**
   * Takes the row locks of every conversation of a batch, in id order (two
   * batches, or a batch and a single write, never wait on each other in a
   * cycle), and answers their columns by id.
   */
  async lockMany(ids: string[], tx: Tx): Promise<Map<string, ConversationEntity>> {
    const rows = await tx.prepared<ConversationEntity>(
      'conversation-send-batch-lock',
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation.conversations c WHERE c.id = ANY($1::text[]) ORDER BY c.id FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * One statement for a batch: the messages (each unless its conversation
   * holds its clientMessageId already), each conversation's new last message,
   * activity time and unread count (each staff reply stored adds one, as
   * ConversationRepository.appendMessage does), and the outbox rows of the
   * messages stored. Answers the ids of the messages stored. Call it holding
   * the conversations' locks, with at most one message per (conversation,
   * clientMessageId). Prepared: its plan does not depend on the batch.
   */
  async appendMessages(messages: MessageEntity[], events: BatchEvent[], tx: Tx): Promise<Set<string>> {
    const rows = await tx.prepared<{ id: string }>(
      'conversation-send-batch-append',
      `WITH i AS (
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::jsonb[], $8::text[], $9::text[], $10::text[])
           AS i(id, conversation_id, author_id, text, client_message_id, created_at, metadata, channel, author_type, author_name)
       ), m AS (
         INSERT INTO conversation.messages (id, conversation_id, author_type, author_id, author_name, text, client_message_id, created_at, metadata, attachments, channel)
         SELECT id, conversation_id, author_type, author_id, author_name, text, client_message_id, created_at, metadata, '[]'::jsonb, channel FROM i ORDER BY id
         ON CONFLICT (conversation_id, client_message_id) DO NOTHING
         RETURNING id, conversation_id, created_at, author_type
       ), c AS (
         UPDATE conversation.conversations c SET last_message_id = l.id, updated_at = l.created_at, unread_count = c.unread_count + l.unread
           FROM (SELECT DISTINCT ON (conversation_id) id, conversation_id, created_at,
                        count(*) FILTER (WHERE author_type <> 'user') OVER (PARTITION BY conversation_id) AS unread
                   FROM m ORDER BY conversation_id, id DESC) l
          WHERE c.id = l.conversation_id RETURNING c.id
       ), o AS (
         INSERT INTO conversation.outbox (id, event, payload)
         SELECT e.id, e.event, e.payload FROM unnest($11::text[], $12::text[], $13::jsonb[], $14::text[]) AS e(id, event, payload, message_id)
           JOIN m ON m.id = e.message_id ORDER BY e.id
       )
       SELECT id FROM m`,
      [
        messages.map((m) => m.id),
        messages.map((m) => m.conversationId),
        messages.map((m) => m.authorId),
        messages.map((m) => m.text),
        messages.map((m) => m.clientMessageId),
        messages.map((m) => m.createdAt.toISOString()),
        messages.map((m) => JSON.stringify(m.metadata)),
        messages.map((m) => m.channel ?? 'web'),
        messages.map((m) => m.authorType),
        messages.map((m) => m.authorName),
        events.map((e) => e.id),
        events.map((e) => e.event),
        events.map((e) => JSON.stringify(e.payload)),
        events.map((e) => e.messageId),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }

  /**
   * The unread total of each owner (ConversationRepository.totalUnread, for many
   * at once): keyed by ownerKey. Two branches, so each uses its own index.
   */
  async totalUnreadMany(owners: Owner[], tx: Queryable): Promise<Map<string, number>> {
    const users = owners.filter((o) => o.userId !== null);
    const sessions = owners.filter((o) => o.userId === null);
    const rows = rowsOf<{ k: string; n: number }>(
      await tx.query(
        `SELECT o.k, coalesce(sum(c.unread_count), 0)::int AS n
           FROM unnest($1::text[], $2::text[], $3::text[]) AS o(k, workspace_id, user_id)
           LEFT JOIN conversation.conversations c ON c.workspace_id = o.workspace_id AND c.user_id = o.user_id AND c.user_id IS NOT NULL
          GROUP BY o.k
         UNION ALL
         SELECT o.k, coalesce(sum(c.unread_count), 0)::int AS n
           FROM unnest($4::text[], $5::text[], $6::text[]) AS o(k, workspace_id, session_id)
           LEFT JOIN conversation.conversations c ON c.workspace_id = o.workspace_id AND c.session_id = o.session_id AND c.user_id IS NULL
          GROUP BY o.k`,
        [users.map(ownerKey), users.map((o) => o.workspaceId), users.map((o) => o.userId), sessions.map(ownerKey), sessions.map((o) => o.workspaceId), sessions.map((o) => o.sessionId)],
      ),
    );
    return new Map(rows.map((r) => [r.k, r.n]));
  }

  /** The stored messages with these (conversation, clientMessageId) pairs: the originals of retried sends. */
  async findByClientIds(pairs: { conversationId: string; clientMessageId: string }[], tx: Queryable): Promise<MessageEntity[]> {
    return rowsOf<MessageEntity>(
      await tx.query(
        `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m
           JOIN unnest($1::text[], $2::text[]) AS p(conversation_id, client_message_id)
             ON m.conversation_id = p.conversation_id AND m.client_message_id = p.client_message_id`,
        [pairs.map((p) => p.conversationId), pairs.map((p) => p.clientMessageId)],
      ),
    );
  }
}
