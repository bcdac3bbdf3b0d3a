import type { Conversation, ConversationStatus } from '@widget/contracts';

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
