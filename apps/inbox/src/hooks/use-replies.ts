import type { Attachment, Message } from '@widget/contracts';
import type { LoggedMessage, OperatorApi, SupportChatError } from '@widget/sdk/core';
import { useCallback } from 'preact/hooks';
import { describe } from '../client';
import type { MessageLogs } from './use-messages';

/**
 * This operator's replies: shown at once as pending entries of the conversation's MessageLog, keyed by a
 * clientMessageId minted once per composed reply (also its Idempotency-Key, kept by every retry, so the
 * server stores it once); the stored copy settles the entry by that id, from the POST's answer or the feed.
 */
export function useReplies(api: OperatorApi, me: { id: string; name: string }, logs: MessageLogs, onSent: (conversationId: string, message: Message) => void) {
  const send = useCallback(
    async (conversationId: string, clientMessageId: string, text: string, attachments: Attachment[]) => {
      logs.log(conversationId).addPending(conversationId, clientMessageId, text, { type: 'agent', id: me.id, name: me.name }, attachments);
      logs.changed();
      try {
        const message = await api.reply(conversationId, { text, clientMessageId, attachmentIds: attachments.map((a) => a.id) });
        logs.add(conversationId, [message]);
        onSent(conversationId, message);
      } catch (err) {
        logs.log(conversationId).fail(clientMessageId, { code: (err as SupportChatError).code ?? 'internal_error', message: describe(err) });
        logs.changed();
      }
    },
    [api, me, logs, onSent],
  );

  const compose = useCallback((conversationId: string, text: string, attachments: Attachment[]) => void send(conversationId, crypto.randomUUID(), text, attachments), [send]);

  /** The same reply again, with the same clientMessageId (and so the same Idempotency-Key). */
  const retry = useCallback((m: LoggedMessage) => m.clientMessageId && void send(m.conversationId, m.clientMessageId, m.text, m.attachments ?? []), [send]);

  const discard = useCallback(
    (m: LoggedMessage) => {
      if (!m.clientMessageId) return;
      logs.log(m.conversationId).drop(m.clientMessageId);
      logs.changed();
    },
    [logs],
  );

  return { compose, retry, discard };
}
