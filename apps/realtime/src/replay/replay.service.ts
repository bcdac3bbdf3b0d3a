import { Injectable } from '@nestjs/common';
import { InjectConfig, NatsBus } from '@widget/common';
import { Conversation, ConversationRpc, Message, ServerEvent, SessionContext, VISITOR_EVENT_TYPES } from '@widget/contracts';
import type { RealtimeConfig } from '../config';
import type { Viewer } from '../core/viewer';

const PAGE = 100;

/** A replayed message's event id: derived from the message id, so every replay of it carries the same id. */
export function replayEventId(messageId: string): string {
  return `evt_${messageId.slice(messageId.indexOf('_') + 1)}`;
}

type Item = { conversation: Conversation; message: Message };

/**
 * Reconnect catch-up (SPEC §10): every message the viewer may see after
 * `afterMessageId` (a visitor's conversations, or an operator's whole
 * workspace), oldest first, as `message.created` events, at most REPLAY_MAX_MESSAGES.
 */
@Injectable()
export class ReplayService {
  constructor(
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: RealtimeConfig,
  ) {}

  async *eventsAfter(viewer: Viewer, afterMessageId: string): AsyncGenerator<ServerEvent<Item>> {
    const page = viewer.kind === 'visitor' ? this.visitorPage(viewer.session) : this.operatorPage(viewer.operator.workspaceId);
    let after = afterMessageId;
    let sent = 0;
    while (sent < this.config.REPLAY_MAX_MESSAGES) {
      const limit = Math.min(PAGE, this.config.REPLAY_MAX_MESSAGES - sent);
      const items = await page(after, limit);
      for (const item of items) {
        yield { id: replayEventId(item.message.id), type: VISITOR_EVENT_TYPES.messageCreated, createdAt: item.message.createdAt, payload: item };
      }
      sent += items.length;
      if (items.length < limit) return;
      after = items[items.length - 1].message.id;
    }
  }

  private operatorPage(workspaceId: string) {
    return (afterMessageId: string, limit: number) => this.bus.send(ConversationRpc.adminReplay, { workspaceId, afterMessageId, limit });
  }

  /** A visitor's page: messages, each with its conversation as the visitor sees it (fetched once per conversation). */
  private visitorPage(session: SessionContext) {
    const conversations = new Map<string, Promise<Conversation>>();
    return async (afterMessageId: string, limit: number): Promise<Item[]> => {
      const messages: Message[] = await this.bus.send(ConversationRpc.replay, { session, afterMessageId, limit });
      const items: Item[] = [];
      for (const message of messages) {
        let conversation = conversations.get(message.conversationId);
        if (!conversation) {
          conversation = this.bus.send(ConversationRpc.get, { session, conversationId: message.conversationId });
          conversations.set(message.conversationId, conversation);
        }
        items.push({ conversation: await conversation, message });
      }
      return items;
    };
  }
}
