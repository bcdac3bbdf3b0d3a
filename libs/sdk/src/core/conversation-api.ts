import { routeOf, WIDGET_ROUTE_PATHS as ROUTES } from '@widget/contracts/wire';
import type { Conversation, Message, Page } from '../types';
import type { SessionView } from './chat-types';
import type { RequestOptions } from './http';
import type { Transport } from './transport';

/** The visitor's conversations and messages in the widget API: one route each, with the session's token. */
export class ConversationApi {
  constructor(private readonly transport: Transport) {}

  list(limit: number): Promise<Page<Conversation>> {
    return this.transport.call(routeOf(ROUTES.listConversations), { query: { limit } });
  }

  /** Newest first; with `after`, the messages after it, oldest first. */
  messages(conversationId: string, query: { limit: number; after?: string }): Promise<Page<Message>> {
    return this.transport.call(routeOf(ROUTES.listMessages, { id: conversationId }), { query });
  }

  create(body: Record<string, unknown>): Promise<Conversation> {
    return this.transport.call(routeOf(ROUTES.createConversation), { body });
  }

  /** The body carries its clientMessageId: every retry (here or the user's) is the same message. */
  send(conversationId: string, body: Record<string, unknown>, onRetry: RequestOptions['onRetry']): Promise<Message> {
    return this.transport.call(routeOf(ROUTES.sendMessage, { id: conversationId }), { body, onRetry });
  }

  markRead(conversationId: string, lastReadMessageId: string | undefined): Promise<unknown> {
    return this.transport.call(routeOf(ROUTES.markConversationRead, { id: conversationId }), { body: lastReadMessageId ? { lastReadMessageId } : {} });
  }

  /** From an AI answer to a person (`POST …/escalate`): the system message for the agent, or null. */
  escalate(conversationId: string, answerId: string, clientMessageId: string): Promise<{ message: Message | null }> {
    return this.transport.call(routeOf(ROUTES.escalateConversation, { id: conversationId }), { body: { answerId, clientMessageId } });
  }

  /** One attempt (`POST …/transcript`, 202): a refusal — no known email, the hourly limit — is the visitor's to answer. */
  requestTranscript(conversationId: string): Promise<{ status: 'queued' }> {
    return this.transport.call(routeOf(ROUTES.requestTranscript, { id: conversationId }), { body: {}, retry: false });
  }

  updateSession(body: Record<string, unknown>): Promise<{ session?: SessionView } | null> {
    return this.transport.call(routeOf(ROUTES.updateSession), { body });
  }
}
