import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { AuthorType, ConversationStatus, MessageChannel, StoredAttachment, VisitorEvent } from '@widget/contracts';

@Entity({ name: 'conversations' })
export class ConversationEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'workspace_id' }) workspaceId: string;
  @Column('text', { name: 'widget_id' }) widgetId: string;
  /** The session that created it; the owner while `userId` is null (anonymous). */
  @Column('text', { name: 'session_id' }) sessionId: string;
  /** Set when created by an identified session or moved to the user by the identify merge. */
  @Column('text', { name: 'user_id', nullable: true }) userId: string | null;
  @Column('text', { nullable: true }) subject: string | null;
  @Column('text') status: ConversationStatus;
  @Column('text', { array: true }) tags: string[];
  @Column('jsonb', { name: 'custom_fields' }) customFields: Record<string, unknown>;
  @Column('jsonb') metadata: Record<string, unknown>;
  @Column('text', { name: 'assignee_id', nullable: true }) assigneeId: string | null;
  @Column('text', { name: 'assignee_name', nullable: true }) assigneeName: string | null;
  @Column('text', { name: 'last_message_id', nullable: true }) lastMessageId: string | null;
  /** The visitor's read position: a message id (ids sort by time). */
  @Column('text', { name: 'last_read_message_id', nullable: true }) lastReadMessageId: string | null;
  /** Agent/bot messages after the read position, kept in step by every write. */
  @Column('integer', { name: 'unread_count' }) unreadCount: number;
  /** `<owner id>|<kind>:<key>`: makes creation idempotent per owner. */
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey: string | null;
  /** sha256 of the creating request, to tell a retry from a reused key. */
  @Column('text', { name: 'request_hash', nullable: true }) requestHash: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity({ name: 'messages' })
export class MessageEntity {
  @PrimaryColumn('text') id: string;
  @Column('text', { name: 'conversation_id' }) conversationId: string;
  @Column('text', { name: 'author_type' }) authorType: AuthorType;
  @Column('text', { name: 'author_id', nullable: true }) authorId: string | null;
  @Column('text', { name: 'author_name', nullable: true }) authorName: string | null;
  /** Plain text as sent; never HTML. */
  @Column('text') text: string;
  @Column('text', { name: 'client_message_id', nullable: true }) clientMessageId: string | null;
  @Column('jsonb') metadata: Record<string, unknown>;
  /** What the message carried (SPEC §13); links are signed when it is read. */
  @Column('jsonb') attachments: StoredAttachment[];
  /** How it arrived (issue 22); `web` when not said. */
  @Column('text', { default: 'web' }) channel?: MessageChannel;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
}

/** Transactional outbox: events written with the change they announce, published after commit. */
@Entity({ name: 'outbox' })
export class OutboxEntity {
  /** The event id (evt_…), also the `id` of the published event. */
  @PrimaryColumn('text') id: string;
  /** Key of ConversationEvents; the subject is built at publish time (it carries the deployment's prefix). */
  @Column('text') event: string;
  @Column('jsonb') payload: VisitorEvent<unknown>;
  @Column('timestamptz', { name: 'created_at' }) createdAt: Date;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt: Date | null;
}

export type ConversationRow = ConversationEntity & { lastMessage: MessageEntity | null };

export const CONVERSATION_ENTITIES = [ConversationEntity, MessageEntity, OutboxEntity];
