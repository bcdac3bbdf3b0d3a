import type { Conversation, Message, TypingPayload } from '@widget/contracts';
import { SOCKET_EVENTS as EVENTS } from '@widget/contracts/wire';
import { ConnectionState, OperatorApi, SocketEnvelope, SupportChatError } from '@widget/sdk/core';
import { useEffect, useRef, useState } from 'preact/hooks';

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'offline';

export interface FeedHandlers {
  conversation(conversation: Conversation): void;
  message(conversation: Conversation, message: Message): void;
  typing(payload: TypingPayload, typing: boolean): void;
  /** The visitor's read position moved (the "seen" mark on the agent's messages). */
  read(payload: { conversationId: string; lastReadMessageId: string | null }): void;
  /** After every (re)connect: refetch what events do not carry (the list, the open thread's tail). */
  resynced(): void;
  /** The server refused the operator token for good: sign in again. */
  refused(error: SupportChatError): void;
}

const STATE: Record<ConnectionState, FeedState> = { connecting: 'connecting', connected: 'live', reconnecting: 'reconnecting', disconnected: 'offline' };

/**
 * The operator realtime feed (SPEC §10): one socket for the whole workspace, the SDK's realtime connection in
 * its operator flavour (a fresh short-lived token each attempt, backoff, replay from the newest message id seen,
 * each event passed on once). Started once `ready` (the first list page) settles, so the replay starts from
 * what the list shows. Handlers may change on every render.
 */
export function useFeed(api: OperatorApi, handlers: FeedHandlers, ready: () => Promise<unknown>) {
  const [state, setState] = useState<FeedState>('connecting');
  const on = useRef(handlers);
  on.current = handlers;
  const readyRef = useRef(ready);
  readyRef.current = ready;
  const cursor = useRef<string | null>(null);

  useEffect(() => {
    let stopped = false;
    const feed = api.transport.realtime({
      lastMessageId: () => cursor.current,
      onState: (s) => {
        setState(STATE[s]);
        if (s === 'connected') on.current.resynced();
      },
      onFatal: (error) => on.current.refused(error),
      onEvent: (e: SocketEnvelope) => {
        const payload = e.payload as { conversation: Conversation; message: Message } & TypingPayload;
        switch (e.type) {
          case EVENTS.messageCreated:
            seen(cursor, payload.message.id);
            on.current.conversation(payload.conversation);
            on.current.message(payload.conversation, payload.message);
            break;
          case EVENTS.conversationCreated:
            seen(cursor, payload.conversation.lastMessage?.id);
            on.current.conversation(payload.conversation);
            break;
          case EVENTS.conversationUpdated:
            on.current.conversation(payload.conversation);
            break;
          case EVENTS.conversationRead:
            on.current.read(e.payload as { conversationId: string; lastReadMessageId: string | null });
            break;
          case EVENTS.typingStart:
          case EVENTS.typingStop:
            on.current.typing(payload, e.type === EVENTS.typingStart);
            break;
        }
      },
    });
    void readyRef.current().finally(() => {
      if (!stopped) feed.start();
    });
    return () => {
      stopped = true;
      feed.stop();
    };
  }, [api]);

  /** The newest message id seen by HTTP reads too: the replay cursor of the next reconnect. */
  return { state, seen: (messageId: string | null | undefined) => seen(cursor, messageId) };
}

function seen(cursor: { current: string | null }, messageId: string | null | undefined): void {
  if (messageId && (!cursor.current || messageId > cursor.current)) cursor.current = messageId;
}
