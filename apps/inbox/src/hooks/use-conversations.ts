import type { Conversation, OperatorConversation } from '@widget/contracts';
import { useCallback, useRef, useState } from 'preact/hooks';
import { newer } from '../state';

/**
 * Every conversation the page knows (from the list, the feed and its own changes), the newest view of each,
 * and the open one's full view (with the visitor). `onSeen` hears each last message id, the feed's replay cursor.
 */
export function useConversations(onSeen: (messageId: string | null | undefined) => void) {
  const [conversations, setConversations] = useState<Record<string, Conversation>>({});
  const [detail, setDetail] = useState<OperatorConversation | null>(null);
  const seenRef = useRef(onSeen);
  seenRef.current = onSeen;

  const upsert = useCallback((incoming: Conversation[]) => {
    if (incoming.length === 0) return;
    setConversations((all) => {
      const next = { ...all };
      for (const c of incoming) next[c.id] = newer(next[c.id], c);
      return next;
    });
    setDetail((d) => {
      const c = d && incoming.find((x) => x.id === d.id);
      return c && d ? { ...d, ...newer(d, c), visitor: d.visitor } : d;
    });
    for (const c of incoming) seenRef.current(c.lastMessage?.id);
  }, []);

  return { conversations, upsert, detail, setDetail };
}

export type Upsert = (incoming: Conversation[]) => void;
