import type { Conversation, Message } from '@widget/contracts';

/** Text someone else wrote: its own direction, isolated, so an RTL override or a stray mark in it cannot reorder what is around it. */
export function Said({ text }: { text: string }) {
  return (
    <span class="said" dir="auto">
      {text}
    </span>
  );
}

export function titleOf(c: Conversation): string {
  return c.subject || `Conversation ${c.id.slice(-6)}`;
}

export function authorLabel(m: Message): string {
  if (m.author.type === 'user') return 'Visitor';
  if (m.author.type === 'system') return 'System';
  return m.author.name ?? (m.author.type === 'bot' ? 'Bot' : 'Agent');
}

export function shortTime(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}
