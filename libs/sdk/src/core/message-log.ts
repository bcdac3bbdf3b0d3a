import type { Message } from '../types';

/** A message as the UI shows it: stored, or one of ours still on its way. */
export interface LoggedMessage extends Message {
  delivery: 'sending' | 'sent' | 'failed';
  /** Why the last attempt failed (shown with the retry button). */
  error?: { code: string; message: string; retryInMs?: number };
}

/**
 * The messages of one conversation, oldest first, de-duplicated by id (and
 * our own pending sends by clientMessageId), whatever order the socket, a
 * replay and an HTTP answer deliver them in. Tracks the newest id seen, the
 * cursor of the next replay (ids are time-ordered, so the largest is newest).
 */
export class MessageLog {
  private readonly byId = new Map<string, LoggedMessage>();
  private readonly byClientId = new Map<string, LoggedMessage>();

  /** Adds or updates; returns true when the message was not known before (a new message to announce). */
  upsert(message: Message, delivery: LoggedMessage['delivery'] = 'sent'): boolean {
    const known = this.byId.get(message.id) ?? (message.clientMessageId ? this.byClientId.get(message.clientMessageId) : undefined);
    const wasStored = known !== undefined && !known.id.startsWith('pending:');
    if (known) this.forget(known);
    const entry: LoggedMessage = { ...message, delivery };
    this.byId.set(entry.id, entry);
    if (entry.clientMessageId) this.byClientId.set(entry.clientMessageId, entry);
    return !wasStored;
  }

  /** Our own send before the server has answered: keyed `pending:<clientMessageId>` until then. */
  addPending(conversationId: string, clientMessageId: string, text: string, author: Message['author'], attachments: Message['attachments'] = []): LoggedMessage {
    const existing = this.byClientId.get(clientMessageId);
    if (existing) {
      existing.delivery = existing.id.startsWith('pending:') ? 'sending' : existing.delivery;
      delete existing.error;
      return existing;
    }
    const entry: LoggedMessage = {
      id: `pending:${clientMessageId}`,
      conversationId,
      author,
      text,
      clientMessageId,
      // The server's copy (with what was sent as metadata) replaces this entry when it answers.
      metadata: {},
      attachments,
      createdAt: new Date().toISOString(),
      delivery: 'sending',
    };
    this.byId.set(entry.id, entry);
    this.byClientId.set(clientMessageId, entry);
    return entry;
  }

  fail(clientMessageId: string, error: NonNullable<LoggedMessage['error']>): LoggedMessage | undefined {
    const entry = this.byClientId.get(clientMessageId);
    if (entry && entry.id.startsWith('pending:')) {
      entry.delivery = 'failed';
      entry.error = error;
    }
    return entry;
  }

  /** A pending send that will never be sent (cancelled): gone from the list. */
  drop(clientMessageId: string): void {
    const entry = this.byClientId.get(clientMessageId);
    if (entry && entry.id.startsWith('pending:')) this.forget(entry);
  }

  byClientMessageId(clientMessageId: string): LoggedMessage | undefined {
    return this.byClientId.get(clientMessageId);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Oldest first; pending sends after everything stored. */
  list(): LoggedMessage[] {
    return [...this.byId.values()].sort((a, b) => {
      const pa = a.id.startsWith('pending:');
      const pb = b.id.startsWith('pending:');
      if (pa !== pb) return pa ? 1 : -1;
      return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    });
  }

  /** The newest stored message id, or null. */
  lastId(): string | null {
    let last: string | null = null;
    for (const id of this.byId.keys()) if (!id.startsWith('pending:') && (last === null || id > last)) last = id;
    return last;
  }

  private forget(entry: LoggedMessage): void {
    this.byId.delete(entry.id);
    if (entry.clientMessageId) this.byClientId.delete(entry.clientMessageId);
  }
}

/** The newest of two message ids (either may be null). */
export function newestId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
