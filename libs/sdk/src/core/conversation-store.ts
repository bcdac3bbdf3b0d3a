import { SOCKET_EVENTS as EVENTS } from '@widget/contracts/wire';
import type { ChatEventType, Conversation, Message } from '../types';
import { LoggedMessage, MessageLog, newestId } from './message-log';
import type { SocketEnvelope } from './realtime';

/** What the store tells the chat around it. */
export interface StoreHost {
  emit(type: ChatEventType, payload?: unknown): void;
  changed(): void;
}

/**
 * What the visitor has on screen: their conversations, each one's message log (pending sends included),
 * the unread count, who is typing, and the newest message id seen (the socket's replay cursor). Socket
 * events, replays and HTTP answers all land here, each message once, each announced once.
 */
export class ConversationStore {
  unread = 0;
  readonly conversations = new Map<string, Conversation>();
  readonly typing = new Map<string, { name: string | null; type: string }>();
  /** The newest message id seen, from any source. */
  lastSeen: string | null = null;
  private readonly logs = new Map<string, MessageLog>();

  constructor(private readonly host: StoreHost) {}

  log(conversationId: string): MessageLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = new MessageLog();
      this.logs.set(conversationId, log);
    }
    return log;
  }

  messages(conversationId: string): LoggedMessage[] {
    return this.logs.get(conversationId)?.list() ?? [];
  }

  /** The conversations with a log whose newest stored message is older than the conversation's last one. */
  behind(): string[] {
    return [...this.logs.entries()].flatMap(([id, log]) => {
      const conversation = this.conversations.get(id);
      const last = log.lastId();
      return !conversation?.lastMessage || (last && conversation.lastMessage.id <= last) ? [] : [id];
    });
  }

  seen(id: string | null): void {
    this.lastSeen = newestId(this.lastSeen, id);
  }

  setUnread(count: number): void {
    if (count === this.unread) return;
    this.unread = count;
    this.host.emit('unread:change', { count });
  }

  put(conversation: Conversation): Conversation {
    const before = this.conversations.get(conversation.id);
    this.conversations.set(conversation.id, conversation);
    if (conversation.lastMessage) this.seen(conversation.lastMessage.id);
    if (before) {
      if (before.status !== conversation.status && conversation.status === 'resolved') this.host.emit('conversation:resolved', { conversation });
      else if (JSON.stringify(before.assignee) !== JSON.stringify(conversation.assignee)) this.host.emit('conversation:assigned', { conversation });
    }
    return conversation;
  }

  /** A message from any source (socket, replay, catch-up): shown once, announced once. */
  accept(message: Message, conversation?: Conversation): void {
    const fresh = this.log(message.conversationId).upsert(message);
    this.seen(message.id);
    if (conversation) this.put(conversation);
    if (fresh && message.author.type !== 'user') {
      this.host.emit('message:received', { conversation: conversation ?? this.conversations.get(message.conversationId) ?? { id: message.conversationId }, message });
    }
    this.host.changed();
  }

  /** Everything but the session's identity: a shutdown, or another visitor. */
  clear(): void {
    this.conversations.clear();
    this.logs.clear();
    this.typing.clear();
    this.lastSeen = null;
    this.setUnread(0);
  }

  onSocketEvent(envelope: SocketEnvelope): void {
    const payload = envelope.payload as Record<string, unknown>;
    switch (envelope.type) {
      case EVENTS.messageCreated: {
        const { conversation, message } = payload as { conversation?: Conversation; message: Message };
        this.accept(message, conversation);
        const author = message.author;
        if (author.type !== 'user' && this.typing.delete(message.conversationId)) this.host.emit('typing:stop', { conversationId: message.conversationId });
        break;
      }
      case EVENTS.conversationCreated:
      case EVENTS.conversationUpdated: {
        const conversation = (payload.conversation ?? payload) as Conversation;
        if (!conversation?.id) break;
        const known = this.conversations.has(conversation.id);
        this.put(conversation);
        this.host.emit(known ? 'conversation:updated' : 'conversation:started', { conversation });
        this.host.changed();
        break;
      }
      case EVENTS.conversationRead: {
        const id = (payload.conversationId ?? (payload.conversation as Conversation | undefined)?.id) as string | undefined;
        const conversation = id ? this.conversations.get(id) : undefined;
        if (conversation) conversation.unreadCount = 0;
        this.host.changed();
        break;
      }
      case EVENTS.typingStart:
      case EVENTS.typingStop: {
        const { conversationId, author } = payload as { conversationId: string; author: { type: string; name: string | null } };
        if (author?.type === 'user') break;
        if (envelope.type === EVENTS.typingStart) this.typing.set(conversationId, { name: author?.name ?? null, type: author?.type ?? 'agent' });
        else this.typing.delete(conversationId);
        this.host.emit(envelope.type === EVENTS.typingStart ? 'typing:start' : 'typing:stop', { conversationId });
        this.host.changed();
        break;
      }
      case EVENTS.unreadChanged: {
        this.setUnread(Number((payload as { count: number }).count) || 0);
        this.host.changed();
        break;
      }
      default:
        break;
    }
  }
}
