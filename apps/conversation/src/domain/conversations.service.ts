import { Injectable } from '@nestjs/common';
import { AppError, hashRequest, NatsBus, Tx, UnitOfWork } from '@widget/common';
import {
  Conversation,
  CreateConversationRequest,
  EscalateBody,
  EscalateReply,
  EscalationBehavior,
  KnowledgeRpc,
  Message,
  MessagesQuery,
  Page,
  SessionContext,
  EmailReplyRequest,
  MessageChannel,
  StaffMessageType,
} from '@widget/contracts';
import { AttachmentsService } from '../attachments/attachments.service';
import { ConversationRepository, Owner } from '../persistence/conversation.repository';
import { ConversationEntity, ConversationRow, MessageEntity } from '../persistence/entities';
import type { OutboxRow } from '../persistence/outbox.repository';
import { decodeActivityCursor, decodeMessageCursor, encodeActivityCursor, encodeMessageCursor, MessagePosition } from './cursor';
import { checkMessageText, conversationNotFound, idempotencyKeyReused } from './errors';
import { retried, retriedStaff, staffMessage, visitorMessage, withMessage } from './messages';
import { SendBatcher, SendResult } from './send-batcher';
import { escalationNote } from './escalation';
import { RoutingService } from './routing';
import { audienceOf, ownerOf, ownerOfRow, toConversation, toMessage, viewOf, visitorEvent } from './views';

export const REPLAY_MAX = 1000;

/** The visitor's side: a session sees its own conversations (anonymous) or its user's (identified). */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly repo: ConversationRepository,
    private readonly uow: UnitOfWork,
    private readonly sends: SendBatcher,
    private readonly bus: NatsBus,
    private readonly attachments: AttachmentsService,
    private readonly routing: RoutingService,
  ) {}

  async list(session: SessionContext, cursor: string | undefined, limit: number): Promise<Page<Conversation>> {
    const after = cursor ? decodeActivityCursor(cursor) : undefined;
    const rows = await this.repo.listOwned(ownerOf(session), after, limit + 1);
    return activityPage(rows, limit);
  }

  async get(session: SessionContext, conversationId: string): Promise<Conversation> {
    return viewOf(await this.owned(session, conversationId));
  }

  async create(req: CreateConversationRequest): Promise<{ conversation: Conversation; created: boolean }> {
    const { session, body } = req;
    if (body.message !== undefined) checkMessageText(body.message, 'message');
    const owner = ownerOf(session);
    const ownerKey = owner.userId ?? owner.sessionId;
    const idempotency = req.idempotencyKey
      ? { key: `${ownerKey}|key:${req.idempotencyKey}`, field: 'idempotencyKey', reason: 'idempotency_key_reused' }
      : body.clientMessageId
        ? { key: `${ownerKey}|message:${body.clientMessageId}`, field: 'clientMessageId', reason: 'client_message_id_reused' }
        : null;
    const requestHash = idempotency ? hashRequest(body) : null;
    const routing = await this.routing.plan(session.workspaceId, req.routing);

    return this.uow.run({}, async (tx) => {
      const at = tx.now();
      let inserted = await this.repo.insertConversation(
        {
          id: tx.newId('conversation'),
          workspaceId: session.workspaceId,
          widgetId: session.widgetId,
          sessionId: session.sessionId,
          userId: session.userId,
          subject: body.subject ?? null,
          tags: body.tags ?? [],
          customFields: body.customFields ?? {},
          metadata: body.metadata ?? {},
          idempotencyKey: idempotency?.key ?? null,
          requestHash,
          at,
        },
        tx,
      );
      if (!inserted) {
        // Same key: the original when the body matches, else a reused key (nothing written either way).
        const existing = idempotency && (await this.repo.findByIdempotencyKey(idempotency.key, tx));
        if (!existing) throw new AppError('internal_error', 'Idempotent create lost its original.', { reason: 'unexpected' });
        if (existing.requestHash !== requestHash) throw idempotencyKeyReused(idempotency.field, idempotency.reason);
        return { conversation: viewOf(existing), created: false };
      }
      // SPEC §14: a present agent of the widget's team, announced after the conversation itself.
      const assignment = routing ? await this.routing.assign(tx, inserted, routing) : null;
      if (assignment) inserted = { ...assignment.row, lastMessage: null };
      const assigned = assignment ? [assignment.event] : [];

      const audience = audienceOf(inserted);
      if (body.message === undefined) {
        const conversation = toConversation(inserted, null);
        tx.emit(visitorEvent(tx, 'conversationCreated', audience, { conversation }), ...assigned);
        return { conversation, created: true };
      }
      const first = visitorMessage(tx, inserted.id, session, body.message, body.clientMessageId ?? null, {}, at);
      const conversation = toConversation(withMessage(inserted, first, 0), first);
      const events = [
        visitorEvent(tx, 'conversationCreated', audience, { conversation }),
        visitorEvent(tx, 'messageCreated', audience, { conversation, message: toMessage(first) }),
        ...assigned,
      ];
      if (!(await this.repo.appendMessage(first, 0, events, tx))) {
        throw new AppError('internal_error', 'A new conversation already had this message.', { reason: 'unexpected' });
      }
      tx.emitStored(...events);
      return { conversation, created: true };
    });
  }

  /**
   * Without a clientMessageId every call stores a message; with one, a retry returns the original.
   * Text may be left out when the message carries attachments (each sent once, SPEC §13).
   * Text sends share a transaction with the sends that arrive with them (SendBatcher's group commit).
   */
  async send(
    session: SessionContext,
    conversationId: string,
    text: unknown,
    clientMessageId: string | null,
    metadata: Record<string, unknown> = {},
    attachmentIds: string[] = [],
    channel: MessageChannel = 'web',
  ): Promise<SendResult> {
    if (text !== undefined || attachmentIds.length === 0) checkMessageText(text);
    const body = (text as string | undefined) ?? '';
    const alone = () => this.sendAlone(session, conversationId, body, clientMessageId, metadata, attachmentIds, channel);
    if (attachmentIds.length > 0) return alone();
    return this.sends.submit({ kind: 'visitor', session, conversationId, text: body, clientMessageId, metadata, channel }, alone);
  }

  /** One send in a transaction of its own: with attachments, or again after its batch failed. */
  private sendAlone(
    session: SessionContext,
    conversationId: string,
    body: string,
    clientMessageId: string | null,
    metadata: Record<string, unknown>,
    attachmentIds: string[],
    channel: MessageChannel,
  ): Promise<SendResult> {
    return this.uow.run({}, async (tx) => {
      // The row lock serializes writers of one conversation, so message ids (taken after it) follow commit order.
      const locked = await this.repo.lock(conversationId, ownerOf(session), tx);
      if (!locked) throw conversationNotFound();
      // With attachments a retry is found first, under the lock: the original has sent them already.
      if (attachmentIds.length > 0 && clientMessageId !== null) {
        const original = await this.repo.findMessageByClientId(conversationId, clientMessageId, tx);
        if (original) return { message: retried(original, body, attachmentIds), created: false };
      }
      const attachments = await this.attachments.sendable(attachmentIds, conversationId, { kind: 'visitor', sessionId: session.sessionId }, tx);
      const entity = visitorMessage(tx, conversationId, session, body, clientMessageId, metadata, tx.now(), attachments, channel);
      const row = withMessage(locked, entity, 0);
      const message = toMessage(entity);
      const events = [visitorEvent(tx, 'messageCreated', audienceOf(row), { conversation: toConversation(row, entity), message })];
      if (await this.repo.appendMessage(entity, 0, events, tx)) {
        if (attachments.length > 0) await this.attachments.markSent(attachmentIds, entity.id, entity.createdAt, tx);
        tx.emitStored(...events);
        return { message, created: true };
      }
      const original = clientMessageId === null ? null : await this.repo.findMessageByClientId(conversationId, clientMessageId, tx);
      if (!original) throw new AppError('internal_error', 'Idempotent send lost its original.', { reason: 'unexpected' });
      return { message: retried(original, body, attachmentIds), created: false };
    });
  }

  /**
   * A visitor's reply by email (issue 22), posted as the conversation's owner that the integrations service
   * looked up; the mail's id is the clientMessageId, so a mail delivered twice is one message.
   */
  emailReply(req: EmailReplyRequest): Promise<{ message: Message; created: boolean }> {
    const { owner } = req;
    const session: SessionContext = {
      sessionId: owner.sessionId,
      workspaceId: owner.workspaceId,
      widgetId: owner.widgetId,
      userId: owner.userId,
      identityType: owner.userId ? 'identified' : 'anonymous',
      expiresAt: this.uow.now().toISOString(),
    };
    return this.send(session, req.conversationId, req.text, `email:${req.emailId}`, {}, [], 'email');
  }

  /**
   * Agent/bot text (and an operator's attachments) into a conversation, in `tx` holding its lock: the caller
   * proved access (session ownership or the admin key). A note (issue 21) is for operators only: it changes
   * neither the conversation nor the visitor's unread count.
   */
  async postStaffMessage(
    tx: Tx,
    locked: ConversationEntity,
    author: { type: StaffMessageType; id: string | null; name: string | null },
    text: string,
    attachmentIds: string[] = [],
    clientMessageId: string | null = null,
  ): Promise<Message> {
    // The inbox's id of its reply (issue 21): sent again, the same reply is answered as it was stored.
    const original = clientMessageId === null ? null : await this.repo.findMessageByClientId(locked.id, clientMessageId, tx);
    if (original) return retriedStaff(original, author, text, attachmentIds);
    const attachments = await this.attachments.sendable(attachmentIds, locked.id, { kind: 'operator' }, tx);
    const entity = staffMessage(tx, locked.id, author, text, clientMessageId, tx.now(), attachments);
    const message = toMessage(entity);
    const note = author.type === 'note';
    const events = note ? await this.noteEvents(tx, locked, message) : await this.replyEvents(tx, locked, entity, message);
    if (!(await this.repo.appendMessage(entity, note ? 0 : 1, events, tx))) {
      throw new AppError('internal_error', 'Message insert failed.', { reason: 'unexpected' });
    }
    if (attachments.length > 0) await this.attachments.markSent(attachmentIds, entity.id, entity.createdAt, tx);
    tx.emitStored(...events);
    return message;
  }

  /** A reply: the visitor hears it, and their unread count grows by it. */
  private async replyEvents(tx: Tx, locked: ConversationEntity, entity: MessageEntity, message: Message): Promise<OutboxRow[]> {
    const row = withMessage(locked, entity, 1);
    const audience = audienceOf(row);
    // Read before the append, so the new message's own +1 is added here rather than seen; under the visitor's
    // unread lock, so a reply or a read on their other conversations committing meanwhile is in it.
    await this.repo.lockOwners([ownerOfRow(row)], tx);
    const count = (await this.repo.totalUnread(ownerOfRow(row), tx)) + 1;
    return [
      visitorEvent(tx, 'messageCreated', audience, { conversation: toConversation(row, entity), message }),
      visitorEvent(tx, 'unreadChanged', audience, { count }),
    ];
  }

  /** A note (issue 21): only operator feeds hear it, with the conversation as it was (a note changes nothing of it). */
  private async noteEvents(tx: Tx, locked: ConversationEntity, message: Message): Promise<OutboxRow[]> {
    const current = await this.repo.findById(locked.id, tx);
    if (!current) throw conversationNotFound();
    return [visitorEvent(tx, 'noteCreated', audienceOf(locked), { conversation: viewOf(current), message })];
  }

  /**
   * The system message for the agent when the visitor leaves an AI answer for
   * a person, made from the knowledge service's record of that answer. One per
   * conversation: a later escalate (another answer, a retry) returns the first.
   */
  async escalate(
    session: SessionContext,
    conversationId: string,
    behavior: EscalationBehavior,
    body: EscalateBody,
  ): Promise<EscalateReply & { created: boolean }> {
    // Ownership first: a conversation the session cannot see is not found, whatever the answer id.
    await this.owned(session, conversationId);
    const record = await this.bus.send(KnowledgeRpc.answerRecord, { session, answerId: body.answerId });
    const note = escalationNote(behavior, record);
    if (!note) return { escalationBehavior: behavior, message: null, created: false };
    const clientMessageId = body.clientMessageId ?? null;
    return this.uow.run({}, async (tx) => {
      const locked = await this.repo.lock(conversationId, ownerOf(session), tx);
      if (!locked) throw conversationNotFound();
      const earlier = await this.repo.findEscalation(conversationId, tx);
      if (earlier) return { escalationBehavior: behavior, message: toMessage(earlier), created: false };
      const entity: MessageEntity = {
        id: tx.newId('message'),
        conversationId,
        authorType: 'system',
        authorId: null,
        authorName: null,
        text: note.text,
        clientMessageId,
        metadata: note.metadata,
        attachments: [],
        createdAt: tx.now(),
      };
      const row = withMessage(locked, entity, 0);
      const message = toMessage(entity);
      const events = [visitorEvent(tx, 'messageCreated', audienceOf(row), { conversation: toConversation(row, entity), message })];
      if (await this.repo.appendMessage(entity, 0, events, tx)) {
        tx.emitStored(...events);
        return { escalationBehavior: behavior, message, created: true };
      }
      // The conversation has no escalation yet, so the clientMessageId belongs to another message.
      throw idempotencyKeyReused('clientMessageId', 'client_message_id_reused');
    });
  }

  async postBotMessage(session: SessionContext, conversationId: string, text: unknown, authorName?: string): Promise<Message> {
    checkMessageText(text);
    return this.uow.run({}, async (tx) => {
      const locked = await this.repo.lock(conversationId, ownerOf(session), tx);
      if (!locked) throw conversationNotFound();
      return this.postStaffMessage(tx, locked, { type: 'bot', id: null, name: authorName ?? null }, text);
    });
  }

  /**
   * Moves the read position forward (never back) to the given message, or to
   * the last one; unread becomes the agent/bot messages after it.
   */
  async markRead(session: SessionContext, conversationId: string, lastReadMessageId?: string): Promise<Conversation> {
    return this.uow.run({}, async (tx) => {
      const locked = await this.repo.findOwned(conversationId, ownerOf(session), tx, true);
      if (!locked) throw conversationNotFound();
      if (lastReadMessageId && !(await this.repo.messageExists(conversationId, lastReadMessageId, tx))) {
        throw new AppError('validation_error', 'lastReadMessageId is not a message of this conversation.', {
          reason: 'unknown_message',
          details: [{ field: 'lastReadMessageId', reason: 'is not a message of this conversation' }],
        });
      }
      const target = lastReadMessageId ?? locked.lastMessageId;
      const position = maxId(locked.lastReadMessageId, target);
      if (position === locked.lastReadMessageId) return viewOf(locked);

      const unread = await this.repo.countUnreadAfter(conversationId, position, tx);
      const row = await this.repo.setRead(conversationId, position, unread, tx);
      await this.repo.lockOwners([ownerOfRow(row)], tx);
      const count = await this.repo.totalUnread(ownerOfRow(row), tx);
      const audience = audienceOf(row);
      tx.emit(
        visitorEvent(tx, 'conversationRead', audience, { conversationId, lastReadMessageId: position, unreadCount: unread }),
        visitorEvent(tx, 'unreadChanged', audience, { count }),
      );
      return toConversation(row, locked.lastMessage);
    });
  }

  async listMessages(session: SessionContext, conversationId: string, query: MessagesQuery): Promise<Page<Message>> {
    await this.owned(session, conversationId);
    return this.messagePage(conversationId, query, false);
  }

  /** A page of a thread the caller may see: newest first, or oldest first after `query.after`; notes for operators only. */
  async messagePage(conversationId: string, query: MessagesQuery, withNotes: boolean): Promise<Page<Message>> {
    let position: MessagePosition | undefined;
    if (query.cursor) position = decodeMessageCursor(query.cursor);
    else if (query.after) position = { after: query.after };
    const rows = await this.repo.listMessages(conversationId, position ?? {}, query.limit + 1, withNotes);
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    const more = rows.length > query.limit;
    let nextCursor: string | null = null;
    if (more && last) nextCursor = encodeMessageCursor(position && 'after' in position ? { after: last.id } : { before: last.id });
    return { data: page.map(toMessage), nextCursor };
  }

  async replay(session: SessionContext, afterMessageId: string, limit: number): Promise<Message[]> {
    const capped = Math.min(Math.max(Math.trunc(limit) || 1, 1), REPLAY_MAX);
    return (await this.repo.replay(ownerOf(session), afterMessageId, capped)).map(toMessage);
  }

  async mergeSession(workspaceId: string, fromSessionId: string, toUserId: string): Promise<{ moved: number }> {
    return { moved: await this.repo.mergeSession(workspaceId, fromSessionId, toUserId) };
  }

  private async owned(session: SessionContext, conversationId: string): Promise<ConversationRow> {
    const row = await this.repo.findOwned(conversationId, ownerOf(session) satisfies Owner);
    if (!row) throw conversationNotFound();
    return row;
  }
}

export function activityPage(rows: ConversationRow[], limit: number): Page<Conversation> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const nextCursor = rows.length > limit && last ? encodeActivityCursor({ updatedAt: last.updatedAt.toISOString(), id: last.id }) : null;
  return { data: page.map(viewOf), nextCursor };
}

/** Ids sort by time, so the later of two positions is the greater id. */
function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
