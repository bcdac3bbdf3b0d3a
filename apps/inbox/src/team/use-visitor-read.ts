import { useCallback, useState } from 'preact/hooks';

/**
 * The visitor's read position per conversation (issue 21's "seen"): from the operator's view of the
 * conversation (`visitorLastReadMessageId`), then from each `conversation.read` on the feed. Positions only move forward.
 */
export function useVisitorRead() {
  const [positions, setPositions] = useState<Record<string, string>>({});
  const read = useCallback((conversationId: string, messageId: string | null | undefined) => {
    if (!messageId) return;
    setPositions((p) => (p[conversationId] && p[conversationId] >= messageId ? p : { ...p, [conversationId]: messageId }));
  }, []);
  return { positions, read };
}

