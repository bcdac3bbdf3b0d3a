import type { OperatorConversation } from '@widget/contracts';
import { newestId, OperatorApi } from '@widget/sdk/core';
import { useCallback, useRef, useState } from 'preact/hooks';
import type { Upsert } from './use-conversations';
import type { MessageLogs } from './use-messages';

/** The open conversation; its messages are in its MessageLog (./use-messages.ts). */
export interface Thread {
  conversationId: string;
  /** Cursor to older messages; null when the start of the thread is on screen. */
  olderCursor: string | null;
  loading: boolean;
}

const THREAD_PAGE = 30;
const CATCH_UP_PAGE = 100;

interface ThreadDeps {
  api: OperatorApi;
  logs: MessageLogs;
  upsert: Upsert;
  setDetail: (detail: OperatorConversation | null) => void;
  markSeen: (conversationId: string, messageId: string | null | undefined) => void;
  fail: (err: unknown) => void;
  /** Before another conversation opens (the reply box's typing signal stops). */
  onLeave: () => void;
}

/** The open conversation: its newest page first, older pages on demand, kept current by the feed and by catch-up reads. */
export function useThread({ api, logs, upsert, setDetail, markSeen, fail, onLeave }: ThreadDeps) {
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [thread, setThread] = useState<Thread | null>(null);
  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const threadRef = useRef<Thread | null>(null);
  threadRef.current = thread;
  const { add, reset } = logs;

  const open = useCallback(
    async (id: string) => {
      onLeave();
      setSelectedId(id);
      setDetail(null);
      reset(id);
      setThread({ conversationId: id, olderCursor: null, loading: true });
      try {
        const [page, full] = await Promise.all([api.listMessages(id, { limit: THREAD_PAGE }), api.getConversation(id)]);
        if (selectedRef.current !== id) return;
        add(id, page.data);
        setThread({ conversationId: id, olderCursor: page.nextCursor, loading: false });
        setDetail(full);
        upsert([full]);
        markSeen(id, newestId(page.data[0]?.id ?? null, full.lastMessage?.id ?? null));
      } catch (err) {
        setThread((t) => (t && t.conversationId === id ? { ...t, loading: false } : t));
        fail(err);
      }
    },
    [api, add, reset, upsert, setDetail, markSeen, fail, onLeave],
  );

  const loadOlder = useCallback(async () => {
    const t = threadRef.current;
    if (!t?.olderCursor) return;
    try {
      const page = await api.listMessages(t.conversationId, { cursor: t.olderCursor, limit: THREAD_PAGE });
      add(t.conversationId, page.data);
      setThread((cur) => (cur && cur.conversationId === t.conversationId ? { ...cur, olderCursor: page.nextCursor } : cur));
    } catch (err) {
      fail(err);
    }
  }, [api, add, fail]);

  /** Everything after the thread's newest message, in pages (after a reconnect, or when replay was capped). */
  const catchUp = useCallback(async () => {
    const current = threadRef.current;
    if (!current || current.loading) return;
    let after = logs.log(current.conversationId).lastId();
    for (;;) {
      const page = await api.listMessages(current.conversationId, after ? { after, limit: CATCH_UP_PAGE } : { limit: CATCH_UP_PAGE });
      if (threadRef.current?.conversationId !== current.conversationId) return;
      add(current.conversationId, page.data);
      markSeen(current.conversationId, page.data[page.data.length - 1]?.id);
      if (!page.nextCursor || page.data.length === 0) return;
      after = page.data[page.data.length - 1].id;
    }
  }, [api, logs, add, markSeen]);

  /** Back to the list (on a phone, one pane at a time). */
  const close = useCallback(() => setSelectedId(null), []);

  return { selectedId, selectedRef, thread, open, close, loadOlder, catchUp };
}
