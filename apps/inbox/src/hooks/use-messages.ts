import type { Message } from '@widget/contracts';
import { MessageLog } from '@widget/sdk/core';
import { useCallback, useMemo, useReducer, useRef } from 'preact/hooks';

/**
 * The messages the page holds, one SDK MessageLog per conversation: each message once by id whatever order the
 * feed, a replay and an HTTP answer bring it in, and this operator's replies still on their way, settled by
 * their clientMessageId when the stored copy arrives (the POST's answer or the feed, whichever is first).
 */
export function useMessageLogs() {
  const logs = useRef(new Map<string, MessageLog>()).current;
  const [version, changed] = useReducer((n: number) => n + 1, 0);

  const log = useCallback(
    (conversationId: string): MessageLog => {
      let found = logs.get(conversationId);
      if (!found) logs.set(conversationId, (found = new MessageLog()));
      return found;
    },
    [logs],
  );

  /** Stored messages of a conversation (any order, repeats welcome). */
  const add = useCallback(
    (conversationId: string, messages: Message[]) => {
      if (messages.length === 0) return;
      const into = log(conversationId);
      for (const m of messages) into.upsert(m);
      changed(undefined);
    },
    [log],
  );

  /**
   * A conversation opened afresh: what was stored is read again from its newest page (the log would otherwise
   * keep a gap); replies still on their way stay.
   */
  const reset = useCallback(
    (conversationId: string) => {
      const fresh = new MessageLog();
      for (const m of logs.get(conversationId)?.list() ?? []) {
        if (m.delivery === 'sent' || !m.clientMessageId) continue;
        fresh.addPending(conversationId, m.clientMessageId, m.text, m.author, m.attachments);
        if (m.delivery === 'failed' && m.error) fresh.fail(m.clientMessageId, m.error);
      }
      logs.set(conversationId, fresh);
      changed(undefined);
    },
    [logs],
  );

  // `version` changes with every change, so the page draws again; the rest keeps its identity.
  const controls = useMemo(() => ({ log, add, reset, changed: () => changed(undefined) }), [log, add, reset]);
  return { ...controls, version };
}

export type MessageLogs = ReturnType<typeof useMessageLogs>;
