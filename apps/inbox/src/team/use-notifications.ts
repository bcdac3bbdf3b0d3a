import type { Conversation, Message } from '@widget/contracts';
import { concerns, titleWith } from './rules';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type NotifyPermission = NotificationPermission | 'unsupported';

const BASE_TITLE = 'Inbox';
const permissionNow = (): NotifyPermission => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

/**
 * Desktop notifications and the title count (issue 21): a new conversation or a visitor message that concerns
 * this agent (assigned to them, or unassigned in their workspace) and is not the conversation they have on
 * screen. The permission is asked only from a click (`ask`). Opening a conversation takes it off the count.
 */
export function useNotifications(meId: string, onScreen: (conversationId: string) => boolean, open: (conversationId: string) => void) {
  const [permission, setPermission] = useState<NotifyPermission>(permissionNow);
  const [waiting, setWaiting] = useState<ReadonlySet<string>>(new Set());
  const notified = useRef(new Set<string>());
  const openRef = useRef(open);
  openRef.current = open;

  useEffect(() => {
    document.title = titleWith(waiting.size, BASE_TITLE);
  }, [waiting]);
  useEffect(() => () => void (document.title = BASE_TITLE), []);

  const message = useCallback(
    (conversation: Conversation, m: Message) => {
      // A replayed event (reconnect) is told once.
      if (notified.current.has(m.id) || !concerns(conversation, m, meId) || onScreen(conversation.id)) return;
      notified.current.add(m.id);
      setWaiting((w) => new Set(w).add(conversation.id));
      if (permissionNow() !== 'granted') return;
      const shown = new Notification(conversation.subject || 'New message from a visitor', { body: m.text.slice(0, 140), tag: conversation.id });
      shown.onclick = () => {
        window.focus();
        openRef.current(conversation.id);
        shown.close();
      };
    },
    [meId, onScreen],
  );

  const opened = useCallback((conversationId: string) => {
    setWaiting((w) => {
      if (!w.has(conversationId)) return w;
      const next = new Set(w);
      next.delete(conversationId);
      return next;
    });
  }, []);

  /** From a click only: browsers ignore (or block) a request without a user gesture. */
  const ask = useCallback(() => {
    if (typeof Notification === 'undefined') return;
    void Notification.requestPermission().then(setPermission);
  }, []);

  return { permission, ask, message, opened, count: waiting.size };
}
