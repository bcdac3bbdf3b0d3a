import { Injectable } from '@nestjs/common';
import { AuditLog, UnitOfWork } from '@widget/common';
import {
  Assignee,
  AuditContext,
  Conversation,
  ConversationCounts,
  ConversationOwner,
  ConversationStatus,
  IdempotencyRequest,
  Message,
  MessagesQuery,
  Page,
  StaffMessageType,
  ViewFilter,
} from '@widget/contracts';
import { OutboxRelay } from '../outbox/outbox-relay';
import { ConversationRepository } from '../persistence/conversation.repository';
import { checkMessageText, conversationNotFound } from './errors';
import { ConversationsService, activityPage, REPLAY_MAX } from './conversations.service';
import { decodeActivityCursor } from './cursor';
import { SendBatcher, StaffReply } from './send-batcher';
import { audienceOf, toConversation, toMessage, viewOf, visitorEvent } from './views';

/** The operator API (admin key checked at the gateway): any conversation, by id or by workspace. */
@Injectable()
export class OperatorService {
  constructor(
    private readonly repo: ConversationRepository,
    private readonly conversations: ConversationsService,
    private readonly relay: OutboxRelay,
    private readonly uow: UnitOfWork,
    private readonly audit: AuditLog,
    private readonly sends: SendBatcher,
  ) {}

  async list(
    workspaceId: string,
    status: ConversationStatus | undefined,
    filter: ViewFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<Page<Conversation>> {
    const after = cursor ? decodeActivityCursor(cursor) : undefined;
    return activityPage(await this.repo.listWorkspace(workspaceId, status, filter, after, limit + 1), limit);
  }

  counts(workspaceId: string, status: ConversationStatus | undefined, assigneeId: string | null): Promise<ConversationCounts> {
    return this.repo.countViews(workspaceId, status, assigneeId);
  }

  async get(conversationId: string): Promise<{ conversation: Conversation; owner: ConversationOwner; visitorLastReadMessageId: string | null }> {
    const row = await this.repo.findById(conversationId);
    if (!row) throw conversationNotFound();
    return {
      conversation: viewOf(row),
      owner: { workspaceId: row.workspaceId, widgetId: row.widgetId, sessionId: row.sessionId, userId: row.userId },
      visitorLastReadMessageId: row.lastReadMessageId,
    };
  }

  async listMessages(conversationId: string, query: MessagesQuery): Promise<Page<Message>> {
    if (!(await this.repo.findById(conversationId))) throw conversationNotFound();
    return this.conversations.messagePage(conversationId, query, true);
  }

  /**
   * With an Idempotency-Key the key is claimed in the message's own
   * transaction: a retry (also a concurrent one, or one after a time-out
   * whose first attempt did commit) gets the first message, never a second.
   * A text reply without one (nor attachments, nor a note) shares a
   * transaction with the sends that arrive with it (SendBatcher).
   */
  async postMessage(
    conversationId: string,
    text: unknown,
    author: Assignee,
    type: StaffMessageType,
    idempotency?: IdempotencyRequest,
    attachmentIds: string[] = [],
    clientMessageId: string | null = null,
  ): Promise<Message> {
    if (text !== undefined || attachmentIds.length === 0) checkMessageText(text);
    const body = (text as string | undefined) ?? '';
    const alone = () =>
      this.uow.run({ idempotency }, async (tx) => {
        const locked = await this.repo.lock(conversationId, null, tx);
        if (!locked) throw conversationNotFound();
        return this.conversations.postStaffMessage(tx, locked, { type, id: author.id, name: author.name ?? null }, body, attachmentIds, clientMessageId);
      });
    if (idempotency || attachmentIds.length > 0 || type === 'note') return alone();
    const reply: StaffReply = { kind: 'staff', conversationId, text: body, clientMessageId, author: { type, id: author.id, name: author.name ?? null } };
    return (await this.sends.submit(reply, async () => ({ message: await alone(), created: true }))).message;
  }

  /**
   * An empty patch (or one that changes nothing) answers the conversation as it is, with no event and no
   * audit entry; otherwise one entry for a status change and one for an assignment change, in the change's transaction.
   */
  async patch(conversationId: string, change: { status?: ConversationStatus; assignee?: Assignee | null }, audit?: AuditContext): Promise<Conversation> {
    return this.uow.run({}, async (tx) => {
      const locked = await this.repo.findById(conversationId, tx, true);
      if (!locked) throw conversationNotFound();
      const next = {
        status: change.status ?? locked.status,
        assigneeId: change.assignee === undefined ? locked.assigneeId : (change.assignee?.id ?? null),
        assigneeName: change.assignee === undefined ? locked.assigneeName : (change.assignee?.name ?? null),
      };
      if (next.status === locked.status && next.assigneeId === locked.assigneeId && next.assigneeName === locked.assigneeName) {
        return viewOf(locked);
      }
      const row = await this.repo.patch(conversationId, next, tx.now(), tx);
      const target = { workspaceId: locked.workspaceId, targetType: 'conversation', targetId: conversationId };
      if (next.status !== locked.status) await this.audit.append(tx, audit, { ...target, action: 'conversation.status_changed' });
      if (next.assigneeId !== locked.assigneeId || next.assigneeName !== locked.assigneeName) {
        await this.audit.append(tx, audit, { ...target, action: 'conversation.assigned' });
      }
      const conversation = toConversation(row, locked.lastMessage);
      const events = [visitorEvent(tx, 'conversationUpdated', audienceOf(row), { conversation })];
      // The operator feeds hear who has it now (SPEC §14), as they do for routing's choice.
      if (next.assigneeId !== locked.assigneeId || next.assigneeName !== locked.assigneeName) {
        events.push(visitorEvent(tx, 'conversationAssigned', audienceOf(row), { conversationId, assignee: conversation.assignee, by: 'operator' }));
      }
      tx.emit(...events);
      return conversation;
    });
  }

  /** The operator feed's catch-up: each message with its conversation as it is now. */
  async replay(workspaceId: string, afterMessageId: string, limit: number): Promise<{ conversation: Conversation; message: Message }[]> {
    const capped = Math.min(Math.max(Math.trunc(limit) || 1, 1), REPLAY_MAX);
    const rows = await this.repo.replayWorkspace(workspaceId, afterMessageId, capped);
    const conversations = new Map<string, Conversation>();
    for (const id of new Set(rows.map((m) => m.conversationId))) {
      const row = await this.repo.findById(id);
      if (row) conversations.set(id, viewOf(row));
    }
    return rows.flatMap((m) => {
      const conversation = conversations.get(m.conversationId);
      return conversation ? [{ conversation, message: toMessage(m) }] : [];
    });
  }

  /** `workspaceId` (operator sockets, whose token names one workspace) hides other workspaces' conversations. */
  async typing(conversationId: string, typing: boolean, author: Assignee, workspaceId?: string): Promise<{ ok: true }> {
    const row = await this.repo.findById(conversationId);
    if (!row || (workspaceId !== undefined && row.workspaceId !== workspaceId)) throw conversationNotFound();
    const payload = { conversationId, author: { type: 'agent' as const, id: author.id, name: author.name ?? null } };
    this.relay.publishEphemeral(visitorEvent(this.uow, typing ? 'typingStart' : 'typingStop', audienceOf(row), payload));
    return { ok: true };
  }
}
