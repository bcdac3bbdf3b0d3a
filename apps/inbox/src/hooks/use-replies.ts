import type { Attachment } from '@widget/contracts';
import { useCallback, useState } from 'preact/hooks';
import { describe, OperatorApi } from '../api';
import { PendingReply, settlePending } from '../state';
import type { Message } from '@widget/contracts';

/** Replies this page is still sending (or failed to), shown under the thread until the API or the feed brings the stored message. */
export function useReplies(api: OperatorApi, me: { id: string }, onSent: (conversationId: string, message: Message) => void) {
  const [pending, setPending] = useState<PendingReply[]>([]);

  const send = useCallback(
    async (reply: PendingReply) => {
      setPending((p) => [...p.filter((x) => x.key !== reply.key), { ...reply, failed: null }]);
      try {
        const message = await api.reply(reply.conversationId, reply.text, reply.key, reply.attachments.map((a) => a.id));
        setPending((p) => p.filter((x) => x.key !== reply.key));
        onSent(reply.conversationId, message);
      } catch (err) {
        setPending((p) => p.map((x) => (x.key === reply.key ? { ...x, failed: describe(err) } : x)));
      }
    },
    [api, onSent],
  );

  /** A new reply: one key per composed reply, kept by every retry of it, so the server stores it once. */
  const compose = useCallback((conversationId: string, text: string, attachments: Attachment[]) => void send({ key: crypto.randomUUID(), conversationId, text, attachments, failed: null }), [send]);

  /** The feed brought a message: our own reply in it settles its pending copy. */
  const settle = useCallback((conversationId: string, message: Message) => setPending((p) => settlePending(p, conversationId, message, me)), [me]);

  const discard = useCallback((reply: PendingReply) => setPending((all) => all.filter((x) => x.key !== reply.key)), []);

  return { pending, compose, retry: send, settle, discard };
}
