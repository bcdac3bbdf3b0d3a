import type { Attachment, Conversation, ConversationStatus, Message } from '@widget/contracts';

export type StatusFilter = 'all' | Extract<ConversationStatus, 'open' | 'pending' | 'resolved'>;
export const STATUS_FILTERS: StatusFilter[] = ['all', 'open', 'pending', 'resolved'];

/** Last activity first; ties (same millisecond) by id, which sorts by creation. */
export function byActivity(a: Conversation, b: Conversation): number {
  if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt ? 1 : -1;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/** The newer of two views of one conversation: events may arrive out of order, or replayed. */
export function newer(current: Conversation | undefined, incoming: Conversation): Conversation {
  if (!current) return incoming;
  if (incoming.updatedAt < current.updatedAt) return current;
  // Same instant: keep the later last message (a replayed event may carry an older one).
  if (incoming.updatedAt === current.updatedAt && (current.lastMessage?.id ?? '') > (incoming.lastMessage?.id ?? '')) return current;
  return incoming;
}

export function visible(conversations: Iterable<Conversation>, filter: StatusFilter): Conversation[] {
  return [...conversations].filter((c) => filter === 'all' || c.status === filter).sort(byActivity);
}

/** Unread for the operator: the visitor wrote last, after what this operator last had on screen. */
export function isUnread(conversation: Conversation, seen: Record<string, string>): boolean {
  const last = conversation.lastMessage;
  if (!last || last.author.type !== 'user') return false;
  const mark = seen[conversation.id];
  return !mark || last.id > mark;
}

/** One thread, oldest first, each message once (ids sort by time). */
export function mergeMessages(thread: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return thread;
  const byId = new Map(thread.map((m) => [m.id, m]));
  for (const m of incoming) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The newest message id among several (or null). */
export function newestId(...ids: Array<string | null | undefined>): string | null {
  return ids.reduce<string | null>((best, id) => (id && (!best || id > best) ? id : best), null);
}

/** A reply this page is still sending, until the API answers (or fails). */
export interface PendingReply {
  key: string;
  conversationId: string;
  text: string;
  /** Uploaded already: a retry sends the same ones. */
  attachments: Attachment[];
  failed: string | null;
}

/**
 * The pending replies left once `message` is on screen. The feed may deliver
 * our own reply before the POST answers; the first pending reply it matches
 * (same conversation, same author, same text, same files) is then settled,
 * so the thread never shows it twice.
 */
export function settlePending(pending: PendingReply[], conversationId: string, message: Message, me: { id: string }): PendingReply[] {
  if (message.author.type !== 'agent' || message.author.id !== me.id) return pending;
  const files = (list: { id: string }[] | undefined) => (list ?? []).map((a) => a.id).join(' ');
  const i = pending.findIndex((p) => p.conversationId === conversationId && p.failed === null && p.text === message.text && files(p.attachments) === files(message.attachments));
  return i < 0 ? pending : [...pending.slice(0, i), ...pending.slice(i + 1)];
}
