// Over 400 lines: every write of the visitor's side (create, send, escalate, read, bot and staff messages) shares
// the one transaction-and-outbox write and the row helpers at the bottom; split, they would be exported across files.
import { Injectable } from '@nestjs/common';
import { AppError, hashRequest, NatsBus, newId } from '@widget/common';
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
  StoredAttachment,
} from '@widget/contracts';
import { EntityManager } from 'typeorm';
import { AttachmentsService } from '../attachments/attachments.service';
import { OutboxRelay } from '../outbox/outbox-relay';
import { ConversationRepository, Owner } from '../persistence/conversation.repository';
import { ConversationEntity, ConversationRow, MessageEntity } from '../persistence/entities';
import { OutboxRepository, OutboxRow } from '../persistence/outbox.repository';
import { decodeActivityCursor, decodeMessageCursor, encodeActivityCursor, encodeMessageCursor, MessagePosition } from './cursor';
import { checkMessageText, conversationNotFound, idempotencyKeyReused } from './errors';
import { escalationNote } from './escalation';
import { RoutingService } from './routing';
import { audienceOf, ownerOf, ownerOfRow, toConversation, toMessage, viewOf, visitorEvent } from './views';

export const REPLAY_MAX = 1000;

/** A write and the events it announces, published only once the write committed. */
interface Committed<T> {
  result: T;
  events: OutboxRow[];
  /** The work's own statement wrote the events to the outbox already (see ConversationRepository.appendMessage). */
  stored?: boolean;
}

/** The visitor's side: a session sees its own conversations (anonymous) or its user's (identified). */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly repo: ConversationRepository,
    private readonly outbox: OutboxRepository,
    private readonly relay: OutboxRelay,
    private readonly bus: NatsBus,
    private readonly attachments: AttachmentsService,
    private readonly routing: RoutingService,
  ) {}

  /** Runs one transaction that writes its own outbox rows; publishes them right after commit. */
  async write<T>(work: (manager: EntityManager) => Promise<Committed<T>>): Promise<T> {
    const committed = await this.repo.transaction(async (manager) => {
      const done = await work(manager);
      if (!done.stored) await this.outbox.insert(done.events, manager);
      return done;
    });
    this.relay.publishCommitted(committed.events);
    return committed.result;
  }

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

    return this.write<{ conversation: Conversation; created: boolean }>(async (manager) => {
      const at = new Date();
      let inserted = await this.repo.insertConversation(
        {
          id: newId('conversation'),
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
        manager,
      );
      if (!inserted) {
        // Same key: the original when the body matches, else a reused key (nothing written either way).
        const existing = idempotency && (await this.repo.findByIdempotencyKey(idempotency.key, manager));
        if (!existing) throw new AppError('internal_error', 'Idempotent create lost its original.', { reason: 'unexpected' });
        if (existing.requestHash !== requestHash) throw idempotencyKeyReused(idempotency.field, idempotency.reason);
        return { result: { conversation: viewOf(existing), created: false }, events: [] };
      }
      // SPEC §14: a present agent of the widget's team, announced after the conversation itself.
      const assignment = routing ? await this.routing.assign(manager, inserted, routing) : null;
      if (assignment) inserted = { ...assignment.row, lastMessage: null };
      const assigned = assignment ? [assignment.event] : [];

      const audience = audienceOf(inserted);
      if (body.message === undefined) {
        const conversation = toConversation(inserted, null);
        return { result: { conversation, created: true }, events: [visitorEvent('conversationCreated', audience, { conversation }), ...assigned] };
      }
      const first = visitorMessage(inserted.id, session, body.message, body.clientMessageId ?? null, {}, at);
      const conversation = toConversation(withMessage(inserted, first, 0), first);
      const events = [
        visitorEvent('conversationCreated', audience, { conversation }),
        visitorEvent('messageCreated', audience, { conversation, message: toMessage(first) }),
        ...assigned,
      ];
      if (!(await this.repo.appendMessage(first, 0, events, manager))) {
        throw new AppError('internal_error', 'A new conversation already had this message.', { reason: 'unexpected' });
      }
      return { result: { conversation, created: true }, events, stored: true };
    });
  }

  /**
   * Without a clientMessageId every call stores a message; with one, a retry returns the original.
   * Text may be left out when the message carries attachments (each sent once, SPEC §13).
   */
  async send(
    session: SessionContext,
    conversationId: string,
    text: unknown,
    clientMessageId: string | null,
    metadata: Record<string, unknown> = {},
    attachmentIds: string[] = [],
    channel: MessageChannel = 'web',
  ): Promise<{ message: Message; created: boolean }> {
    if (text !== undefined || attachmentIds.length === 0) checkMessageText(text);
    const body = (text as string | undefined) ?? '';
    return this.write<{ message: Message; created: boolean }>(async (manager) => {
      // The row lock serializes writers of one conversation, so message ids (taken after it) follow commit order.
      const locked = await this.repo.lock(conversationId, ownerOf(session), manager);
      if (!locked) throw conversationNotFound();
      // With attachments a retry is found first, under the lock: the original has sent them already.
      if (attachmentIds.length > 0 && clientMessageId !== null) {
        const original = await this.repo.findMessageByClientId(conversationId, clientMessageId, manager);
        if (original) return { result: { message: retried(original, body, attachmentIds), created: false }, events: [] };
      }
      const attachments = await this.attachments.sendable(attachmentIds, conversationId, { kind: 'visitor', sessionId: session.sessionId }, manager);
      const entity = visitorMessage(conversationId, session, body, clientMessageId, metadata, new Date(), attachments, channel);
      const row = withMessage(locked, entity, 0);
      const message = toMessage(entity);
      const events = [visitorEvent('messageCreated', audienceOf(row), { conversation: toConversation(row, entity), message })];
      if (await this.repo.appendMessage(entity, 0, events, manager)) {
        if (attachments.length > 0) await this.attachments.markSent(attachmentIds, entity.id, entity.createdAt, manager);
        return { result: { message, created: true }, events, stored: true };
      }
      const original = clientMessageId === null ? null : await this.repo.findMessageByClientId(conversationId, clientMessageId, manager);
      if (!original) throw new AppError('internal_error', 'Idempotent send lost its original.', { reason: 'unexpected' });
      return { result: { message: retried(original, body, attachmentIds), created: false }, events: [] };
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
      expiresAt: new Date().toISOString(),
    };
    return this.send(session, req.conversationId, req.text, `email:${req.emailId}`, {}, [], 'email');
  }

  /**
   * Agent/bot text (and an operator's attachments) into a conversation: the caller proved access (session ownership or the admin key).
   * A note (issue 21) is for operators only: it changes neither the conversation nor the visitor's unread count.
   */
  async postStaffMessage(
    manager: EntityManager,
    locked: ConversationEntity,
    author: { type: StaffMessageType; id: string | null; name: string | null },
    text: string,
    attachmentIds: string[] = [],
    clientMessageId: string | null = null,
  ): Promise<Committed<Message>> {
    // The inbox's id of its reply (issue 21): sent again, the same reply is answered as it was stored.
    const original = clientMessageId === null ? null : await this.repo.findMessageByClientId(locked.id, clientMessageId, manager);
    if (original) return { result: retriedStaff(original, author, text, attachmentIds), events: [] };
    const attachments = await this.attachments.sendable(attachmentIds, locked.id, { kind: 'operator' }, manager);
    const entity: MessageEntity = {
      id: newId('message'),
      conversationId: locked.id,
      authorType: author.type,
      authorId: author.id,
      authorName: author.name,
      text,
      clientMessageId,
      metadata: {},
      attachments,
      createdAt: new Date(),
    };
    const message = toMessage(entity);
    const note = author.type === 'note';
    const events = note ? await this.noteEvents(manager, locked, message) : await this.replyEvents(manager, locked, entity, message);
    if (!(await this.repo.appendMessage(entity, note ? 0 : 1, events, manager))) {
      throw new AppError('internal_error', 'Message insert failed.', { reason: 'unexpected' });
    }
    if (attachments.length > 0) await this.attachments.markSent(attachmentIds, entity.id, entity.createdAt, manager);
    return { result: message, events, stored: true };
  }

  /** A reply: the visitor hears it, and their unread count grows by it. */
  private async replyEvents(manager: EntityManager, locked: ConversationEntity, entity: MessageEntity, message: Message): Promise<OutboxRow[]> {
    const row = withMessage(locked, entity, 1);
    const audience = audienceOf(row);
    // Read before the append, so the new message's own +1 is added here rather than seen.
    const count = (await this.repo.totalUnread(ownerOfRow(row), manager)) + 1;
    return [visitorEvent('messageCreated', audience, { conversation: toConversation(row, entity), message }), visitorEvent('unreadChanged', audience, { count })];
  }

  /** A note (issue 21): only operator feeds hear it, with the conversation as it was (a note changes nothing of it). */
  private async noteEvents(manager: EntityManager, locked: ConversationEntity, message: Message): Promise<OutboxRow[]> {
    const current = await this.repo.findById(locked.id, manager);
    if (!current) throw conversationNotFound();
    return [visitorEvent('noteCreated', audienceOf(locked), { conversation: viewOf(current), message })];
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
    return this.write<EscalateReply & { created: boolean }>(async (manager) => {
      const locked = await this.repo.lock(conversationId, ownerOf(session), manager);
      if (!locked) throw conversationNotFound();
      const earlier = await this.repo.findEscalation(conversationId, manager);
      if (earlier) return { result: { escalationBehavior: behavior, message: toMessage(earlier), created: false }, events: [] };
      const entity: MessageEntity = {
        id: newId('message'),
        conversationId,
        authorType: 'system',
        authorId: null,
        authorName: null,
        text: note.text,
        clientMessageId,
        metadata: note.metadata,
        attachments: [],
        createdAt: new Date(),
      };
      const row = withMessage(locked, entity, 0);
      const message = toMessage(entity);
      const events = [visitorEvent('messageCreated', audienceOf(row), { conversation: toConversation(row, entity), message })];
      if (await this.repo.appendMessage(entity, 0, events, manager)) {
        return { result: { escalationBehavior: behavior, message, created: true }, events, stored: true };
      }
      // The conversation has no escalation yet, so the clientMessageId belongs to another message.
      throw idempotencyKeyReused('clientMessageId', 'client_message_id_reused');
    });
  }

  async postBotMessage(session: SessionContext, conversationId: string, text: unknown, authorName?: string): Promise<Message> {
    checkMessageText(text);
    return this.write(async (manager) => {
      const locked = await this.repo.lock(conversationId, ownerOf(session), manager);
      if (!locked) throw conversationNotFound();
      return this.postStaffMessage(manager, locked, { type: 'bot', id: null, name: authorName ?? null }, text);
    });
  }

  /**
   * Moves the read position forward (never back) to the given message, or to
   * the last one; unread becomes the agent/bot messages after it.
   */
  async markRead(session: SessionContext, conversationId: string, lastReadMessageId?: string): Promise<Conversation> {
    return this.write(async (manager) => {
      const locked = await this.repo.findOwned(conversationId, ownerOf(session), manager, true);
      if (!locked) throw conversationNotFound();
      if (lastReadMessageId && !(await this.repo.messageExists(conversationId, lastReadMessageId, manager))) {
        throw new AppError('validation_error', 'lastReadMessageId is not a message of this conversation.', {
          reason: 'unknown_message',
          details: [{ field: 'lastReadMessageId', reason: 'is not a message of this conversation' }],
        });
      }
      const target = lastReadMessageId ?? locked.lastMessageId;
      const position = maxId(locked.lastReadMessageId, target);
      if (position === locked.lastReadMessageId) return { result: viewOf(locked), events: [] };

      const unread = await this.repo.countUnreadAfter(conversationId, position, manager);
      const row = await this.repo.setRead(conversationId, position, unread, manager);
      const count = await this.repo.totalUnread(ownerOfRow(row), manager);
      const audience = audienceOf(row);
      return {
        result: toConversation(row, locked.lastMessage),
        events: [
          visitorEvent('conversationRead', audience, { conversationId, lastReadMessageId: position, unreadCount: unread }),
          visitorEvent('unreadChanged', audience, { count }),
        ],
      };
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

/** The conversation row as appending `message` leaves it (ConversationRepository.appendMessage). */
function withMessage(row: ConversationEntity, message: MessageEntity, unreadDelta: number): ConversationEntity {
  return { ...row, lastMessageId: message.id, updatedAt: message.createdAt, unreadCount: row.unreadCount + unreadDelta };
}

function visitorMessage(
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
    id: newId('message'),
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

/** The original of a retried send: the same text and attachments, or a reused clientMessageId. */
/** The original of a staff message sent again with its clientMessageId: the same author, text and files, or a reused id. */
function retriedStaff(original: MessageEntity, author: { type: string; id: string | null }, text: string, attachmentIds: string[]): Message {
  const same = original.authorType === author.type && original.authorId === author.id && original.text === text && original.attachments.map((a) => a.id).join() === attachmentIds.join();
  if (!same) throw idempotencyKeyReused('clientMessageId', 'client_message_id_reused');
  return toMessage(original);
}

function retried(original: MessageEntity, text: string, attachmentIds: string[]): Message {
  const same = original.authorType === 'user' && original.text === text && original.attachments.map((a) => a.id).join() === attachmentIds.join();
  if (!same) throw idempotencyKeyReused('clientMessageId', 'client_message_id_reused');
  return toMessage(original);
}

/** Ids sort by time, so the later of two positions is the greater id. */
function maxId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
