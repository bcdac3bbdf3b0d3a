import { Injectable } from '@nestjs/common';
import { AppError, Tx, UnitOfWork } from '@widget/common';
import type { Message, MessageChannel, SessionContext, StaffMessageType } from '@widget/contracts';
import { ConversationEntity, MessageEntity } from '../persistence/entities';
import { ConversationRepository, ownerKey } from '../persistence/conversation.repository';
import { BatchEvent, SendBatchRepository } from '../persistence/send-batch.repository';
import { conversationNotFound } from './errors';
import { owns, retried, retriedStaff, staffMessage, visitorMessage, withMessage } from './messages';
import { audienceOf, ownerOf, ownerOfRow, toConversation, toMessage, visitorEvent } from './views';

/** A visitor's text send (no attachments: those take the single path, which locks them too). */
export interface VisitorSend {
  kind: 'visitor';
  session: SessionContext;
  conversationId: string;
  text: string;
  clientMessageId: string | null;
  metadata: Record<string, unknown>;
  channel: MessageChannel;
}

/**
 * An operator's (or bot's) text reply through the admin API, without attachments, a note's audience or an
 * Idempotency-Key (those take OperatorService's single path). The caller's access to the conversation was
 * checked at the gateway; here it need only exist.
 */
export interface StaffReply {
  kind: 'staff';
  conversationId: string;
  text: string;
  clientMessageId: string | null;
  author: { type: Exclude<StaffMessageType, 'note'>; id: string | null; name: string | null };
}

export type BatchedSend = VisitorSend | StaffReply;

export type SendResult = { message: Message; created: boolean };

interface Pending {
  send: BatchedSend;
  /** The same send in a transaction of its own (ConversationsService's single path). */
  alone: () => Promise<SendResult>;
  resolve: (result: SendResult) => void;
  reject: (err: unknown) => void;
}

type Outcome = { ok: true; value: SendResult } | { ok: false; error: unknown };

/** A send of the batch as built: its message, its outbox rows, and (a staff reply) whose unread total counted it. */
interface Built {
  index: number;
  entity: MessageEntity;
  message: Message;
  events: BatchEvent[];
  counted: string | null;
}

/** Sends of one batch at most: the statement's arrays stay small and one slow batch holds few replies. */
export const MAX_BATCH = 128;
/** Batches committing at once (each holds one pooled connection); what arrives meanwhile waits for the next. */
export const MAX_IN_FLIGHT = 2;

/**
 * Group commit of text sends, the visitors' and the operators' replies alike:
 * whatever queued while the batches in flight committed goes in the next one,
 * without a timer (a lone send starts at once). A batch is one transaction of
 * two statements: the conversations' row locks (SendBatchRepository.lockMany),
 * then the messages, conversations and outbox rows in one INSERT; a batch with
 * staff replies takes their visitors' unread locks and reads their totals in
 * between (each reply's `unread.changed` counts the replies before it in the
 * batch, as one transaction after another would). Message ids are taken after the locks, in
 * arrival order, so within a conversation they follow commit order as with a
 * single send. Per send, as a single send: a clientMessageId already stored
 * answers the original (or client_message_id_reused), a conversation the
 * session cannot see is conversation_not_found for that send only, and the
 * events of the stored messages are published after commit. Two sends with
 * the same (conversation, clientMessageId) never share a batch: the second
 * waits for the next one and finds the first. Should a batch's statement fail,
 * each of its sends runs again on its own, so only a send that fails alone fails.
 */
@Injectable()
export class SendBatcher {
  private queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly uow: UnitOfWork,
    private readonly batches: SendBatchRepository,
    private readonly repo: ConversationRepository,
  ) {}

  submit(send: BatchedSend, alone: () => Promise<SendResult>): Promise<SendResult> {
    return new Promise<SendResult>((resolve, reject) => {
      this.queue.push({ send, alone, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.commit(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /** The next batch, in arrival order; a repeated (conversation, clientMessageId) stays queued. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const keys = new Set<string>();
    for (const p of this.queue) {
      const key = p.send.clientMessageId === null ? null : `${p.send.conversationId}\n${p.send.clientMessageId}`;
      if (batch.length >= MAX_BATCH || (key !== null && keys.has(key))) {
        rest.push(p);
        continue;
      }
      if (key !== null) keys.add(key);
      batch.push(p);
    }
    this.queue = rest;
    return batch;
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.uow.run({}, (tx) => this.write(batch, tx));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // Nothing of the batch committed: each send on its own, so one bad send cannot fail the others.
      await Promise.all(batch.map((p) => p.alone().then(p.resolve, p.reject)));
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? batch[i].resolve(o.value) : batch[i].reject(o.error)));
  }

  private async write(batch: Pending[], tx: Tx): Promise<Outcome[]> {
    const locked = await this.batches.lockMany([...new Set(batch.map((p) => p.send.conversationId))], tx);
    const outcomes: Outcome[] = new Array(batch.length);
    const messages: MessageEntity[] = [];
    const events: BatchEvent[] = [];
    const built: Built[] = [];
    const at = tx.now();
    const unread = await this.unreadTotals(batch, locked, tx);
    for (const [index, { send }] of batch.entries()) {
      const row: ConversationEntity | undefined = locked.get(send.conversationId);
      if (!row || (send.kind === 'visitor' && !owns(row, ownerOf(send.session)))) {
        outcomes[index] = { ok: false, error: conversationNotFound() };
        continue;
      }
      const entity =
        send.kind === 'visitor'
          ? visitorMessage(tx, send.conversationId, send.session, send.text, send.clientMessageId, send.metadata, at, [], send.channel)
          : staffMessage(tx, send.conversationId, send.author, send.text, send.clientMessageId, at);
      const next = withMessage(row, entity, send.kind === 'staff' ? 1 : 0);
      locked.set(row.id, next);
      const message = toMessage(entity);
      const own: BatchEvent[] = [{ ...visitorEvent(tx, 'messageCreated', audienceOf(next), { conversation: toConversation(next, entity), message }), messageId: entity.id }];
      const key = send.kind === 'staff' ? ownerKey(ownerOfRow(next)) : null;
      if (key !== null) {
        // As a reply alone: the visitor's unread total with this reply (and the batch's replies before it) added.
        const count = (unread.get(key) ?? 0) + 1;
        unread.set(key, count);
        own.push({ ...visitorEvent(tx, 'unreadChanged', audienceOf(next), { count }), messageId: entity.id });
      }
      messages.push(entity);
      events.push(...own);
      built.push({ index, entity, message, events: own, counted: key });
    }
    if (messages.length === 0) return outcomes;

    const stored = await this.batches.appendMessages(messages, events, tx);
    if (countedRetry(built, stored)) throw new BatchRetryCounted();
    const again: typeof built = [];
    for (const b of built) {
      if (!stored.has(b.entity.id)) {
        again.push(b);
        continue;
      }
      tx.emitStored(...b.events.map(({ messageId: _messageId, ...row }) => row));
      outcomes[b.index] = { ok: true, value: { message: b.message, created: true } };
    }
    if (again.length === 0) return outcomes;

    // Retries: their conversation holds the clientMessageId already.
    const originals = await this.batches.findByClientIds(
      again.map((b) => ({ conversationId: b.entity.conversationId, clientMessageId: b.entity.clientMessageId! })),
      tx,
    );
    const byKey = new Map(originals.map((m) => [`${m.conversationId}\n${m.clientMessageId}`, m]));
    for (const b of again) {
      const original = byKey.get(`${b.entity.conversationId}\n${b.entity.clientMessageId}`);
      try {
        if (!original) throw new AppError('internal_error', 'Idempotent send lost its original.', { reason: 'unexpected' });
        const send = batch[b.index].send;
        const message = send.kind === 'visitor' ? retried(original, b.entity.text, []) : retriedStaff(original, send.author, b.entity.text, []);
        outcomes[b.index] = { ok: true, value: { message, created: false } };
      } catch (error) {
        outcomes[b.index] = { ok: false, error };
      }
    }
    return outcomes;
  }

  /**
   * The unread totals of the visitors the batch's staff replies go to, read under their unread locks (none
   * taken or read for a batch of visitor sends, which changes no unread count).
   */
  private async unreadTotals(batch: Pending[], locked: Map<string, ConversationEntity>, tx: Tx): Promise<Map<string, number>> {
    const owners = new Map<string, ReturnType<typeof ownerOfRow>>();
    for (const { send } of batch) {
      const row = send.kind === 'staff' ? locked.get(send.conversationId) : undefined;
      const owner = row && ownerOfRow(row);
      if (owner) owners.set(ownerKey(owner), owner);
    }
    if (owners.size === 0) return new Map();
    await this.repo.lockOwners([...owners.values()], tx);
    return this.batches.totalUnreadMany([...owners.values()], tx);
  }
}

/** Thrown inside a batch's transaction to roll it back and run its sends one by one (see countedRetry). */
class BatchRetryCounted extends Error {}

/**
 * Whether a staff reply that was a retry (its clientMessageId stored already, so nothing stored now) was
 * counted in the unread total of a later reply to the same visitor that was stored: that total is one too
 * high. Rare (a retried reply batched with another reply to the same visitor); the batch then runs alone.
 */
function countedRetry(built: Built[], stored: Set<string>): boolean {
  const retriedOwners = new Set<string>();
  for (const { entity, counted } of built) {
    if (counted === null) continue;
    if (!stored.has(entity.id)) retriedOwners.add(counted);
    else if (retriedOwners.has(counted)) return true;
  }
  return false;
}
