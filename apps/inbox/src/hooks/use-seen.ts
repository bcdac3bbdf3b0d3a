import { useCallback, useState } from 'preact/hooks';
import { loadSeen, saveSeen } from '../storage';

/** conversationId → the newest message id this operator has had on screen (the list's unread dots), kept for the tab. */
export function useSeen() {
  const [seen, setSeen] = useState<Record<string, string>>(loadSeen);
  const markSeen = useCallback((conversationId: string, messageId: string | null | undefined) => {
    if (!messageId) return;
    setSeen((s) => {
      if (s[conversationId] && s[conversationId] >= messageId) return s;
      const next = { ...s, [conversationId]: messageId };
      saveSeen(next);
      return next;
    });
  }, []);
  return { seen, markSeen };
}
