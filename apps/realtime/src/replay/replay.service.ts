import { Injectable } from '@nestjs/common';
import { InjectConfig, NatsBus } from '@widget/common';
import { Conversation, ConversationRpc, Message, SessionContext, VISITOR_EVENT_TYPES } from '@widget/contracts';
import type { RealtimeConfig } from '../config';
import type { SocketEnvelope } from '../socket-hub';

const PAGE = 100;

/** A replayed message's event id: derived from the message id, so every replay of it carries the same id. */
export function replayEventId(messageId: string): string {
  return `evt_${messageId.slice(messageId.indexOf('_') + 1)}`;
}

/**
 * Reconnect catch-up (SPEC §10): every message of the viewer's conversations
 * after `afterMessageId`, oldest first, as `message.created` envelopes.
 */
@Injectable()
export class ReplayService {
  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: RealtimeConfig,
  ) {}

  async *envelopesAfter(session: SessionContext, afterMessageId: string): AsyncGenerator<SocketEnvelope> {
    const conversations = new Map<string, Promise<Conversation>>();
    let after = afterMessageId;
    let sent = 0;
    while (sent < this.config.REPLAY_MAX_MESSAGES) {
      const limit = Math.min(PAGE, this.config.REPLAY_MAX_MESSAGES - sent);
      const page: Message[] = await this.bus.send(ConversationRpc.replay, { session, afterMessageId: after, limit });
      for (const message of page) {
        let conversation = conversations.get(message.conversationId);
        if (!conversation) {
          conversation = this.bus.send(ConversationRpc.get, { session, conversationId: message.conversationId });
          conversations.set(message.conversationId, conversation);
        }
        yield {
          id: replayEventId(message.id),
          type: VISITOR_EVENT_TYPES.messageCreated,
          createdAt: message.createdAt,
          payload: { conversation: await conversation, message },
        };
      }
      sent += page.length;
      if (page.length < limit) return;
      after = page[page.length - 1].id;
    }
  }
}
