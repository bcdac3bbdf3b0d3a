import type { Queryable } from '@widget/common';
import { Injectable } from '@nestjs/common';
import type { ConversationCounts, ConversationStatus, ViewFilter } from '@widget/contracts';
import { DataSource } from 'typeorm';
import { ConversationEntity, ConversationRow, MessageEntity } from './entities';
import type { OutboxRow } from './outbox.repository';

/** The advisory-lock class of owners' unread totals (ConversationRepository.lockOwners): two-key locks, apart from the migrations' one-key ones. */
const UNREAD_LOCK_CLASS = 0x756e7264;

/** One owner's key: the same conversations the owner predicate selects (totalUnreadMany's answer, lockOwners). */
export const ownerKey = (o: Owner): string => (o.userId === null ? `s:${o.workspaceId}:${o.sessionId}` : `u:${o.workspaceId}:${o.userId}`);

/** Who may see a conversation: the user when identified, else the anonymous session that created it. */
export interface Owner {
  workspaceId: string;
  sessionId: string;
  userId: string | null;
}

/** A keyset position in a list ordered by activity, newest first. */
export interface ActivityKey {
  updatedAt: string;
  id: string;
}

export const CONVERSATION_COLUMNS = `
  c.id, c.workspace_id AS "workspaceId", c.widget_id AS "widgetId", c.session_id AS "sessionId", c.user_id AS "userId",
  c.subject, c.status, c.tags, c.custom_fields AS "customFields", c.metadata,
  c.assignee_id AS "assigneeId", c.assignee_name AS "assigneeName",
  c.last_message_id AS "lastMessageId", c.last_read_message_id AS "lastReadMessageId", c.unread_count AS "unreadCount",
  c.idempotency_key AS "idempotencyKey", c.request_hash AS "requestHash", c.created_at AS "createdAt", c.updated_at AS "updatedAt"`;

export const MESSAGE_COLUMNS = `
  m.id, m.conversation_id AS "conversationId", m.author_type AS "authorType", m.author_id AS "authorId",
  m.author_name AS "authorName", m.text, m.client_message_id AS "clientMessageId", m.metadata, m.attachments, m.channel, m.created_at AS "createdAt"`;

/** The conversation with its last message in one row (the message as JSON, see toRow). */
const WITH_LAST_MESSAGE = `${CONVERSATION_COLUMNS},
  CASE WHEN lm.id IS NULL THEN NULL ELSE json_build_object(
    'id', lm.id, 'conversationId', lm.conversation_id, 'authorType', lm.author_type, 'authorId', lm.author_id,
    'authorName', lm.author_name, 'text', lm.text, 'clientMessageId', lm.client_message_id, 'metadata', lm.metadata, 'attachments', lm.attachments,
    'channel', lm.channel, 'createdAt', lm.created_at
  ) END AS "lastMessage"
  FROM conversation.conversations c
  LEFT JOIN conversation.messages lm ON lm.id = c.last_message_id`;

/** A view's predicate on alias `c`: $4 the view, $5 whose "mine" (ViewFilter). */
const VIEW_WHERE = `($4 = 'all' OR ($4 = 'unassigned' AND c.assignee_id IS NULL) OR ($4 = 'mine' AND c.assignee_id = $5))`;

/** The owner predicate on alias `c`, with its parameters numbered from `from`. */
function ownerWhere(owner: Owner, from: number): { sql: string; params: string[] } {
  return owner.userId
    ? { sql: `c.workspace_id = $${from} AND c.user_id = $${from + 1}`, params: [owner.workspaceId, owner.userId] }
    : { sql: `c.workspace_id = $${from} AND c.session_id = $${from + 1} AND c.user_id IS NULL`, params: [owner.workspaceId, owner.sessionId] };
}

/** TypeORM answers UPDATE … RETURNING with [rows, count] and everything else with rows. */
export function rowsOf<T>(result: unknown): T[] {
  const array = result as unknown[];
  return (Array.isArray(array[0]) ? array[0] : array) as T[];
}

function toRow(raw: ConversationEntity & { lastMessage: (Omit<MessageEntity, 'createdAt'> & { createdAt: string }) | null }): ConversationRow {
  const last = raw.lastMessage;
  return { ...raw, lastMessage: last ? { ...last, createdAt: new Date(last.createdAt) } : null };
}

export interface NewConversation {
  id: string;
  workspaceId: string;
  widgetId: string;
  sessionId: string;
  userId: string | null;
  subject: string | null;
  tags: string[];
  customFields: Record<string, unknown>;
  metadata: Record<string, unknown>;
  idempotencyKey: string | null;
  requestHash: string | null;
  at: Date;
}

/** Every query of the conversation schema. Writes take the caller's unit of work (its Tx). */
@Injectable()
export class ConversationRepository {
  constructor(private readonly dataSource: DataSource) {}

  private run<T>(sql: string, params: unknown[], manager?: Queryable): Promise<T[]> {
    return (manager ?? this.dataSource.manager).query(sql, params).then((r) => rowsOf<T>(r));
  }

  /** An owned conversation; `lock` takes the row lock that serializes writes to one conversation. */
  async findOwned(id: string, owner: Owner, manager?: Queryable, lock = false): Promise<ConversationRow | null> {
    const where = ownerWhere(owner, 2);
    const rows = await this.run<ConversationEntity & { lastMessage: null }>(
      `SELECT ${WITH_LAST_MESSAGE} WHERE c.id = $1 AND ${where.sql}${lock ? ' FOR UPDATE OF c' : ''}`,
      [id, ...where.params],
      manager,
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  /**
   * Takes the row lock that serializes writers of one conversation and answers
   * its columns (no last-message join: a writer replaces the last message).
   * `owner` null skips the ownership check (operator writes).
   */
  async lock(id: string, owner: Owner | null, manager: Queryable): Promise<ConversationEntity | null> {
    const where = owner ? ownerWhere(owner, 2) : { sql: 'true', params: [] };
    const rows = await this.run<ConversationEntity>(
      `SELECT ${CONVERSATION_COLUMNS} FROM conversation.conversations c WHERE c.id = $1 AND ${where.sql} FOR UPDATE`,
      [id, ...where.params],
      manager,
    );
    return rows[0] ?? null;
  }

  /**
   * One statement for the hot path of a send: the message (unless the
   * conversation holds its clientMessageId already), the conversation's new
   * last message, activity time and unread count, and the outbox rows that
   * announce it (a note, which the visitor never sees, leaves the conversation
   * as it was). Call it holding the conversation's lock. False when the
   * clientMessageId existed: then nothing was written.
   */
  async appendMessage(message: MessageEntity, unreadDelta: number, events: OutboxRow[], manager: Queryable): Promise<boolean> {
    const rows = await this.run<{ n: number }>(
      `WITH m AS (
         INSERT INTO conversation.messages (id, conversation_id, author_type, author_id, author_name, text, client_message_id, created_at, metadata, attachments, channel)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $13::jsonb, $14::jsonb, $15)
         ON CONFLICT (conversation_id, client_message_id) DO NOTHING
         RETURNING id, conversation_id, created_at
       ), c AS (
         UPDATE conversation.conversations c SET last_message_id = m.id, updated_at = m.created_at, unread_count = c.unread_count + $9
         FROM m WHERE c.id = m.conversation_id AND $3 <> 'note' RETURNING c.id
       ), o AS (
         INSERT INTO conversation.outbox (id, event, payload)
         SELECT e.id, e.event, e.payload FROM unnest($10::text[], $11::text[], $12::jsonb[]) AS e(id, event, payload)
         WHERE EXISTS (SELECT 1 FROM m)
       )
       SELECT count(*)::int AS n FROM m`,
      [
        message.id,
        message.conversationId,
        message.authorType,
        message.authorId,
        message.authorName,
        message.text,
        message.clientMessageId,
        message.createdAt,
        unreadDelta,
        events.map((e) => e.id),
        events.map((e) => e.event),
        events.map((e) => JSON.stringify(e.payload)),
        JSON.stringify(message.metadata),
        JSON.stringify(message.attachments ?? []),
        message.channel ?? 'web',
      ],
      manager,
    );
    return rows[0].n === 1;
  }

  async findById(id: string, manager?: Queryable, lock = false): Promise<ConversationRow | null> {
    const rows = await this.run<ConversationEntity & { lastMessage: null }>(
      `SELECT ${WITH_LAST_MESSAGE} WHERE c.id = $1${lock ? ' FOR UPDATE OF c' : ''}`,
      [id],
      manager,
    );
    return rows[0] ? toRow(rows[0]) : null;
  }

  async findByIdempotencyKey(key: string, manager: Queryable): Promise<ConversationRow | null> {
    const rows = await this.run<ConversationEntity & { lastMessage: null }>(`SELECT ${WITH_LAST_MESSAGE} WHERE c.idempotency_key = $1`, [key], manager);
    return rows[0] ? toRow(rows[0]) : null;
  }

  /** Newest activity first, strictly after `after` in that order. */
  async listOwned(owner: Owner, after: ActivityKey | undefined, limit: number): Promise<ConversationRow[]> {
    const where = ownerWhere(owner, 1);
    const params: unknown[] = [...where.params, limit];
    let keyset = '';
    if (after) {
      keyset = ` AND (c.updated_at, c.id) < ($4::timestamptz, $5)`;
      params.push(after.updatedAt, after.id);
    }
    const rows = await this.run<ConversationEntity & { lastMessage: null }>(
      `SELECT ${WITH_LAST_MESSAGE} WHERE ${where.sql}${keyset} ORDER BY c.updated_at DESC, c.id DESC LIMIT $3`,
      params,
    );
    return rows.map(toRow);
  }

  async listWorkspace(
    workspaceId: string,
    status: ConversationStatus | undefined,
    filter: ViewFilter,
    after: ActivityKey | undefined,
    limit: number,
  ): Promise<ConversationRow[]> {
    const params: unknown[] = [workspaceId, limit, status ?? null, filter.view, filter.view === 'mine' ? filter.assigneeId : null];
    let keyset = '';
    if (after) {
      keyset = ` AND (c.updated_at, c.id) < ($6::timestamptz, $7)`;
      params.push(after.updatedAt, after.id);
    }
    const rows = await this.run<ConversationEntity & { lastMessage: null }>(
      `SELECT ${WITH_LAST_MESSAGE} WHERE c.workspace_id = $1 AND ($3::text IS NULL OR c.status = $3) AND ${VIEW_WHERE}${keyset}
       ORDER BY c.updated_at DESC, c.id DESC LIMIT $2`,
      params,
    );
    return rows.map(toRow);
  }

  /** How many conversations each view holds; "mine" is `assigneeId`'s (none when null). */
  async countViews(workspaceId: string, status: ConversationStatus | undefined, assigneeId: string | null): Promise<ConversationCounts> {
    const rows = await this.run<ConversationCounts>(
      `SELECT count(*)::int AS "all",
              count(*) FILTER (WHERE c.assignee_id = $3)::int AS mine,
              count(*) FILTER (WHERE c.assignee_id IS NULL)::int AS unassigned
         FROM conversation.conversations c WHERE c.workspace_id = $1 AND ($2::text IS NULL OR c.status = $2)`,
      [workspaceId, status ?? null, assigneeId],
    );
    return rows[0];
  }

  /** Null when a conversation with the same idempotency key exists already (nothing written). */
  async insertConversation(row: NewConversation, manager: Queryable): Promise<ConversationRow | null> {
    const rows = await this.run<ConversationEntity>(
      `INSERT INTO conversation.conversations AS c
         (id, workspace_id, widget_id, session_id, user_id, subject, tags, custom_fields, metadata, idempotency_key, request_hash, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING ${CONVERSATION_COLUMNS}`,
      [
        row.id,
        row.workspaceId,
        row.widgetId,
        row.sessionId,
        row.userId,
        row.subject,
        row.tags,
        JSON.stringify(row.customFields),
        JSON.stringify(row.metadata),
        row.idempotencyKey,
        row.requestHash,
        row.at,
      ],
      manager,
    );
    return rows[0] ? { ...rows[0], lastMessage: null } : null;
  }

  async findMessageByClientId(conversationId: string, clientMessageId: string, manager: Queryable): Promise<MessageEntity | null> {
    const rows = await this.run<MessageEntity>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m WHERE m.conversation_id = $1 AND m.client_message_id = $2`,
      [conversationId, clientMessageId],
      manager,
    );
    return rows[0] ?? null;
  }

  /** The conversation's escalation note (SPEC §9 ai.escalationBehavior), if it has one. */
  async findEscalation(conversationId: string, manager: Queryable): Promise<MessageEntity | null> {
    const rows = await this.run<MessageEntity>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m
        WHERE m.conversation_id = $1 AND m.author_type = 'system' AND m.metadata ? 'escalation'
        ORDER BY m.id LIMIT 1`,
      [conversationId],
      manager,
    );
    return rows[0] ?? null;
  }

  async messageExists(conversationId: string, messageId: string, manager: Queryable): Promise<boolean> {
    const rows = await this.run(`SELECT 1 FROM conversation.messages WHERE conversation_id = $1 AND id = $2`, [conversationId, messageId], manager);
    return rows.length > 0;
  }

  async countUnreadAfter(conversationId: string, readPosition: string | null, manager: Queryable): Promise<number> {
    const rows = await this.run<{ n: number }>(
      `SELECT count(*)::int AS n FROM conversation.messages
       WHERE conversation_id = $1 AND author_type IN ('agent', 'bot') AND ($2::text IS NULL OR id > $2)`,
      [conversationId, readPosition],
      manager,
    );
    return rows[0].n;
  }

  async setRead(conversationId: string, readPosition: string | null, unreadCount: number, manager: Queryable): Promise<ConversationEntity> {
    const rows = await this.run<ConversationEntity>(
      `UPDATE conversation.conversations c SET last_read_message_id = $2, unread_count = $3 WHERE c.id = $1 RETURNING ${CONVERSATION_COLUMNS}`,
      [conversationId, readPosition, unreadCount],
      manager,
    );
    return rows[0];
  }

  /** Sum of unread over every conversation the owner sees (the `unread.changed` count). */
  /**
   * Holds, until the transaction ends, each owner's unread lock: a transaction that reads an owner's unread
   * total to announce it and changes one of their counts (a reply, a read) takes it just before that read, so
   * of two such transactions on two conversations of one visitor the later one reads after the earlier one
   * committed and announces the total with both. Take it after the conversations' row locks (it never waits
   * for one while holding these). Keys are hashed into advisory locks of their own class, taken in hash order.
   */
  async lockOwners(owners: Owner[], manager: Queryable): Promise<void> {
    await this.run(
      `SELECT pg_advisory_xact_lock(${UNREAD_LOCK_CLASS}, h) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($1::text[]) AS k) s ORDER BY h`,
      [owners.map(ownerKey)],
      manager,
    );
  }

  async totalUnread(owner: Owner, manager?: Queryable): Promise<number> {
    const where = ownerWhere(owner, 1);
    const rows = await this.run<{ n: number }>(`SELECT coalesce(sum(c.unread_count), 0)::int AS n FROM conversation.conversations c WHERE ${where.sql}`, where.params, manager);
    return rows[0].n;
  }

  async patch(
    conversationId: string,
    change: { status: ConversationStatus; assigneeId: string | null; assigneeName: string | null },
    at: Date,
    manager: Queryable,
  ): Promise<ConversationEntity> {
    const rows = await this.run<ConversationEntity>(
      `UPDATE conversation.conversations c SET status = $2, assignee_id = $3, assignee_name = $4, updated_at = $5
       WHERE c.id = $1 RETURNING ${CONVERSATION_COLUMNS}`,
      [conversationId, change.status, change.assigneeId, change.assigneeName, at],
      manager,
    );
    return rows[0];
  }

  /** Newest first before `before`, or oldest first after `after`; never both. Notes only for operators (`withNotes`). */
  listMessages(conversationId: string, position: { before?: string; after?: string }, limit: number, withNotes: boolean): Promise<MessageEntity[]> {
    const notes = withNotes ? '' : ` AND m.author_type <> 'note'`;
    if (position.after !== undefined) {
      return this.run<MessageEntity>(
        `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m WHERE m.conversation_id = $1 AND m.id > $2${notes} ORDER BY m.id ASC LIMIT $3`,
        [conversationId, position.after, limit],
      );
    }
    return this.run<MessageEntity>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m
       WHERE m.conversation_id = $1 AND ($2::text IS NULL OR m.id < $2)${notes} ORDER BY m.id DESC LIMIT $3`,
      [conversationId, position.before ?? null, limit],
    );
  }

  /** Every message of the owner's conversations after a message id, oldest first (realtime replay); never a note. */
  replay(owner: Owner, afterMessageId: string, limit: number): Promise<MessageEntity[]> {
    const where = ownerWhere(owner, 1);
    return this.run<MessageEntity>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m
       JOIN conversation.conversations c ON c.id = m.conversation_id
       WHERE ${where.sql} AND m.id > $3 AND m.author_type <> 'note' ORDER BY m.id ASC LIMIT $4`,
      [...where.params, afterMessageId, limit],
    );
  }

  /** Every message of a workspace after a message id, oldest first (the operator feed's replay). */
  replayWorkspace(workspaceId: string, afterMessageId: string, limit: number): Promise<MessageEntity[]> {
    return this.run<MessageEntity>(
      `SELECT ${MESSAGE_COLUMNS} FROM conversation.messages m
       JOIN conversation.conversations c ON c.id = m.conversation_id
       WHERE c.workspace_id = $1 AND m.id > $2 ORDER BY m.id ASC LIMIT $3`,
      [workspaceId, afterMessageId, limit],
    );
  }

  /** Moves the anonymous session's conversations to the user; a second run finds nothing left to move. */
  async mergeSession(workspaceId: string, fromSessionId: string, toUserId: string): Promise<number> {
    const rows = await this.run<{ id: string }>(
      `UPDATE conversation.conversations SET user_id = $3
       WHERE workspace_id = $1 AND session_id = $2 AND user_id IS NULL RETURNING id`,
      [workspaceId, fromSessionId, toUserId],
    );
    return rows.length;
  }
}
