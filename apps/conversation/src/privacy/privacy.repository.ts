import { Injectable } from '@nestjs/common';
import { deleteCounted } from '@widget/common';
import type { PersonKeys } from '@widget/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { ATTACHMENT_COLUMNS, AttachmentRepository, AttachmentRow } from '../attachments/attachment.repository';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, rowsOf } from '../persistence/conversation.repository';
import { ConversationEntity, MessageEntity } from '../persistence/entities';

/**
 * A person's conversations (alias `c`, parameters $1..$3 = workspace, sessions, users): those one of their
 * sessions created and those their users own (an anonymous session's, merged into the user, included). Never
 * another workspace's, whatever the ids. A visitor writes and uploads only in conversations it owns, and a
 * conversation only ever moves from an anonymous session to that session's user, so these hold everything the
 * person wrote or sent here.
 */
const PERSON = `c.workspace_id = $1 AND (c.session_id = ANY($2::text[]) OR c.user_id = ANY($3::text[]))`;
const personParams = (p: PersonKeys): unknown[] => [p.workspaceId, p.sessionIds, p.userIds];

/** Rows deleted, by table (SPEC §17: counts only, never the data). */
export type Erased = Record<string, number>;

/** SPEC §17 in the conversation schema: a person's rows (erase, export) and the rows older than a workspace keeps. */
@Injectable()
export class PrivacyRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly attachments: AttachmentRepository,
  ) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  private run<T>(sql: string, params: unknown[], manager?: EntityManager): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params).then((r: unknown) => rowsOf<T>(r));
  }

  /**
   * In the erasure's transaction: the person's conversations, locked first (a send waiting on one then finds it
   * gone), with everything in them; the outbox rows that carry the person's data (their events, published or
   * not: an unsent one will now never go out); and operators' Idempotency-Key replies, which hold a message of
   * one of those conversations.
   */
  async erase(person: PersonKeys, manager: EntityManager): Promise<Erased> {
    const ids = (
      await this.run<{ id: string }>(`SELECT c.id FROM conversation.conversations c WHERE ${PERSON} ORDER BY c.id FOR UPDATE`, personParams(person), manager)
    ).map((r) => r.id);
    const erased = await this.deleteConversations(ids, manager);
    erased.outbox = await deleteCounted(
      manager,
      `DELETE FROM conversation.outbox o
        WHERE o.payload->'audience'->>'workspaceId' = $1
          AND (o.payload->'audience'->>'sessionId' = ANY($2::text[]) OR o.payload->'audience'->>'userId' = ANY($3::text[])
               OR coalesce(o.payload->'payload'->>'conversationId', o.payload->'payload'->'conversation'->>'id') = ANY($4::text[]))`,
      [...personParams(person), ids],
    );
    erased.idempotency_keys =
      ids.length === 0 ? 0 : await deleteCounted(manager, `DELETE FROM conversation.idempotency_keys WHERE reply->>'conversationId' = ANY($1::text[])`, [ids]);
    return erased;
  }

  /**
   * Conversations with their attachments (rows and bytes: AttachmentRepository.deleteWithBytes) and messages;
   * read state and unread counts are columns of the conversation row. Call it holding their row locks.
   */
  private async deleteConversations(ids: string[], manager: EntityManager): Promise<Erased> {
    if (ids.length === 0) return { conversations: 0, messages: 0, attachments: 0, attachment_chunks: 0 };
    const attachments = await this.attachments.deleteWithBytes(`a.conversation_id = ANY($1::text[])`, [ids], manager);
    const messages = await deleteCounted(manager, `DELETE FROM conversation.messages WHERE conversation_id = ANY($1::text[])`, [ids]);
    const conversations = await deleteCounted(manager, `DELETE FROM conversation.conversations WHERE id = ANY($1::text[])`, [ids]);
    return { conversations, messages, attachments: attachments.rows.length, attachment_chunks: attachments.chunks };
  }

  /** The person's conversations after `afterId`, by id. */
  exportConversations(person: PersonKeys, afterId: string, limit: number): Promise<ConversationEntity[]> {
    return this.run(`SELECT ${CONVERSATION_COLUMNS} FROM conversation.conversations c WHERE ${PERSON} AND c.id > $4 ORDER BY c.id LIMIT $5`, [
      ...personParams(person),
      afterId,
      limit,
    ]);
  }

  exportMessages(person: PersonKeys, after: { conversationId: string; id: string }, limit: number): Promise<MessageEntity[]> {
    return this.exportChildren('messages m', MESSAGE_COLUMNS, 'm', person, after, limit);
  }

  exportAttachments(person: PersonKeys, after: { conversationId: string; id: string }, limit: number): Promise<AttachmentRow[]> {
    return this.exportChildren('attachments a', ATTACHMENT_COLUMNS, 'a', person, after, limit);
  }

  /**
   * Rows of a table of conversations' children, by (conversation id, id), after a position: conversation by
   * conversation through its index (a LATERAL scan each), so a page costs its own rows, not the person's history.
   */
  private exportChildren<T>(
    table: string,
    columns: string,
    alias: string,
    person: PersonKeys,
    after: { conversationId: string; id: string },
    limit: number,
  ): Promise<T[]> {
    return this.run<T>(
      `SELECT x.* FROM (SELECT c.id FROM conversation.conversations c WHERE ${PERSON} AND c.id >= $4) pc
       CROSS JOIN LATERAL (
         SELECT ${columns} FROM conversation.${table}
          WHERE ${alias}.conversation_id = pc.id AND (pc.id > $4 OR ${alias}.id > $5) ORDER BY ${alias}.id LIMIT $6
       ) x
       ORDER BY x."conversationId", x.id LIMIT $6`,
      [...personParams(person), after.conversationId, after.id, limit],
    );
  }

  /**
   * One retention batch: up to `limit` conversations of the workspace whose last activity (`updated_at`: the last
   * message or operator change) is older than `days`, with their messages and attachments. Rows another
   * transaction holds (a message being sent, the other replica's batch) are skipped, and a conversation that
   * became active meanwhile no longer matches once locked.
   */
  async expireConversations(workspaceId: string, days: number, limit: number, manager: EntityManager): Promise<Erased> {
    const ids = (
      await this.run<{ id: string }>(
        `SELECT id FROM conversation.conversations
          WHERE workspace_id = $1 AND updated_at < now() - make_interval(days => $2) ORDER BY updated_at LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [workspaceId, days, limit],
        manager,
      )
    ).map((r) => r.id);
    return this.deleteConversations(ids, manager);
  }

  /**
   * One retention batch of attachments uploaded more than `days` ago (sent or not), rows and bytes; each message
   * that carried one keeps its text and loses that entry from its list.
   */
  async expireAttachments(workspaceId: string, days: number, limit: number, manager: EntityManager): Promise<Erased> {
    const deleted = await this.attachments.deleteWithBytes(
      `a.id IN (SELECT id FROM conversation.attachments
                 WHERE workspace_id = $1 AND created_at < now() - make_interval(days => $2) ORDER BY created_at LIMIT $3 FOR UPDATE SKIP LOCKED)`,
      [workspaceId, days, limit],
      manager,
    );
    const messageIds = [...new Set(deleted.rows.flatMap((r) => (r.messageId ? [r.messageId] : [])))];
    const changed =
      messageIds.length === 0
        ? []
        : await this.run(
            `UPDATE conversation.messages m
                SET attachments = coalesce(
                  (SELECT jsonb_agg(e ORDER BY i) FROM jsonb_array_elements(m.attachments) WITH ORDINALITY AS x(e, i) WHERE NOT (e->>'id' = ANY($2::text[]))),
                  '[]'::jsonb)
              WHERE m.id = ANY($1::text[]) RETURNING m.id`,
            [messageIds, deleted.rows.map((r) => r.id)],
            manager,
          );
    return { attachments: deleted.rows.length, attachment_chunks: deleted.chunks, messages_changed: changed.length };
  }
}
