import type { Conversation, ConversationView, Message } from '@widget/contracts';
import type { LoggedMessage } from '@widget/sdk/core';

// The inbox for a team's rules without UI (team.spec.ts): whom a message concerns, views, the "seen" mark, the title.

/** Whether a visitor's message (a new conversation starts with one) concerns this agent: theirs, or nobody's yet. */
export function concerns(conversation: Conversation, message: Message, meId: string): boolean {
  if (message.author.type !== 'user') return false;
  return conversation.assignee === null || conversation.assignee.id === meId;
}

/** The tab's title: how many conversations wait for this agent, then the page's name. */
export function titleWith(count: number, base: string): string {
  return count > 0 ? `(${count}) ${base}` : base;
}

/** Whether a conversation belongs in a view, for `me` (the server's rule, applied to what the page holds). */
export function inView(conversation: Conversation, view: ConversationView, meId: string): boolean {
  if (view === 'mine') return conversation.assignee?.id === meId;
  if (view === 'unassigned') return conversation.assignee === null;
  return true;
}

/** The agent message the "Seen" mark goes on: the newest agent message at or before the visitor's read position. */
export function seenMessageId(messages: Pick<LoggedMessage, 'id' | 'author' | 'delivery'>[], position: string | undefined): string | null {
  if (!position) return null;
  let found: string | null = null;
  for (const m of messages) if (m.delivery === 'sent' && m.author.type === 'agent' && m.id <= position) found = m.id;
  return found;
}
