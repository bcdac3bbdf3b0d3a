import type { Message, OperatorConversation } from '@widget/contracts';
import { useCallback, useRef, useState } from 'preact/hooks';
import type { OperatorApi } from '../api';
import { mergeMessages, newestId } from '../state';
import type { Upsert } from './use-conversations';

export interface Thread {
  conversationId: string;
  messages: Message[];
  /** Cursor to older messages; null when the start of the thread is on screen. */
  olderCursor: string | null;
  loading: boolean;
}

const THREAD_PAGE = 30;
const CATCH_UP_PAGE = 100;

interface ThreadDeps {
  api: OperatorApi;
  upsert: Upsert;
  setDetail: (detail: OperatorConversation | null) => void;
  markSeen: (conversationId: string, messageId: string | null | undefined) => void;
  fail: (err: unknown) => void;
  /** Before another conversation opens (the reply box's typing signal stops). */
  onLeave: () => void;
}

/** The open conversation: its messages (newest page first, older pages on demand), kept current by the feed and by catch-up reads. */
export function useThread({ api, upsert, setDetail, markSeen, fail, onLeave }: ThreadDeps) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [thread, setThread] = useState<Thread | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const threadRef = useRef<Thread | null>(null);
  threadRef.current = thread;

  /** Messages of conversation `id`, when it is the one on screen. */
  const add = useCallback((id: string, messages: Message[]) => {
    setThread((t) => (t && t.conversationId === id ? { ...t, messages: mergeMessages(t.messages, messages) } : t));
  }, []);

  const open = useCallback(
    async (id: string) => {
      onLeave();
      setSelectedId(id);
      setDetail(null);
      setThread({ conversationId: id, messages: [], olderCursor: null, loading: true });
      try {
        const [page, full] = await Promise.all([api.listMessages(id, { limit: THREAD_PAGE }), api.getConversation(id)]);
        if (selectedRef.current !== id) return;
        setThread((t) => ({ conversationId: id, messages: mergeMessages(t?.conversationId === id ? t.messages : [], page.data), olderCursor: page.nextCursor, loading: false }));
        setDetail(full);
        upsert([full]);
        markSeen(id, newestId(page.data[0]?.id, full.lastMessage?.id));
      } catch (err) {
        setThread((t) => (t && t.conversationId === id ? { ...t, loading: false } : t));
        fail(err);
      }
    },
    [api, upsert, setDetail, markSeen, fail, onLeave],
  );

  const loadOlder = useCallback(async () => {
    const t = threadRef.current;
    if (!t?.olderCursor) return;
    try {
      const page = await api.listMessages(t.conversationId, { cursor: t.olderCursor, limit: THREAD_PAGE });
      setThread((cur) => (cur && cur.conversationId === t.conversationId ? { ...cur, messages: mergeMessages(cur.messages, page.data), olderCursor: page.nextCursor } : cur));
    } catch (err) {
      fail(err);
    }
  }, [api, fail]);

  /** Everything after the thread's newest message, in pages (after a reconnect, or when replay was capped). */
  const catchUp = useCallback(async () => {
    const current = threadRef.current;
    if (!current || current.loading) return;
    let after = current.messages[current.messages.length - 1]?.id;
    for (;;) {
      const page = await api.listMessages(current.conversationId, after ? { after, limit: CATCH_UP_PAGE } : { limit: CATCH_UP_PAGE });
      if (threadRef.current?.conversationId !== current.conversationId) return;
      add(current.conversationId, page.data);
      markSeen(current.conversationId, page.data[page.data.length - 1]?.id);
      if (!page.nextCursor || page.data.length === 0) return;
      after = page.data[page.data.length - 1].id;
    }
  }, [api, add, markSeen]);

  /** Back to the list (on a phone, one pane at a time). */
  const close = useCallback(() => setSelectedId(null), []);

  return { selectedId, selectedRef, thread, open, close, add, loadOlder, catchUp };
}
