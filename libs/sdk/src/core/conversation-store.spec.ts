import type { Conversation, Message } from '../types';
import { ConversationStore } from './conversation-store';
import type { SocketEnvelope } from './realtime';

const conversation = (id: string, extra: Partial<Conversation> = {}): Conversation =>
  ({ id, subject: null, status: 'open', tags: [], customFields: {}, metadata: {}, assignee: null, unreadCount: 0, lastMessage: null, createdAt: '', updatedAt: '', ...extra }) as Conversation;
const message = (id: string, type: Message['author']['type'] = 'agent', conversationId = 'conv_1'): Message =>
  ({ id, conversationId, author: { type, id: null, name: 'Grace' }, text: id, clientMessageId: null, metadata: {}, attachments: [], createdAt: '' }) as Message;
const event = (type: string, payload: unknown, id = `evt_${type}`): SocketEnvelope => ({ id, type, createdAt: '', payload });

function store() {
  const emitted: [string, unknown][] = [];
  let changes = 0;
  const s = new ConversationStore({ emit: (type, payload) => emitted.push([type, payload]), changed: () => void changes++ });
  return { s, emitted, names: () => emitted.map(([type]) => type), changes: () => changes };
}

describe('ConversationStore', () => {
  it('shows and announces a message once, whichever way it came, and keeps the newest id as the replay cursor', () => {
    const { s, names } = store();
    s.onSocketEvent(event('message.created', { conversation: conversation('conv_1'), message: message('msg_2') }));
    s.accept(message('msg_2'));
    s.accept(message('msg_1'));
    expect(s.messages('conv_1').map((m) => m.id)).toEqual(['msg_1', 'msg_2']);
    expect(names().filter((n) => n === 'message:received')).toHaveLength(2);
    expect(s.lastSeen).toBe('msg_2');
  });

  it("never announces the visitor's own messages", () => {
    const { s, names } = store();
    s.accept(message('msg_1', 'user'));
    expect(names()).not.toContain('message:received');
  });

  it('says started for a new conversation, updated for a known one, resolved and assigned on those changes', () => {
    const { s, names } = store();
    s.onSocketEvent(event('conversation.created', { conversation: conversation('conv_1') }));
    s.onSocketEvent(event('conversation.updated', { conversation: conversation('conv_1', { assignee: { id: 'op_1', name: 'Grace' } }) }));
    s.onSocketEvent(event('conversation.updated', { conversation: conversation('conv_1', { status: 'resolved', assignee: { id: 'op_1', name: 'Grace' } }) }));
    expect(names()).toEqual(['conversation:started', 'conversation:assigned', 'conversation:updated', 'conversation:resolved', 'conversation:updated']);
  });

  it("tracks the team's typing (not the visitor's own), and an agent's message ends it", () => {
    const { s, names } = store();
    s.onSocketEvent(event('typing.start', { conversationId: 'conv_1', author: { type: 'user', name: null } }));
    expect(s.typing.size).toBe(0);
    s.onSocketEvent(event('typing.start', { conversationId: 'conv_1', author: { type: 'agent', name: 'Grace' } }));
    expect(s.typing.get('conv_1')).toEqual({ name: 'Grace', type: 'agent' });
    s.onSocketEvent(event('message.created', { message: message('msg_1') }));
    expect(s.typing.size).toBe(0);
    expect(names()).toEqual(['typing:start', 'message:received', 'typing:stop']);
  });

  it('takes the unread count from the server, announces changes only, and clears everything on shutdown', () => {
    const { s, emitted } = store();
    s.onSocketEvent(event('unread.changed', { count: 2 }));
    s.onSocketEvent(event('unread.changed', { count: 2 }));
    s.put(conversation('conv_1', { unreadCount: 2, lastMessage: message('msg_3') }));
    s.onSocketEvent(event('conversation.read', { conversationId: 'conv_1', unreadCount: 0 }));
    expect(s.conversations.get('conv_1')?.unreadCount).toBe(0);
    s.clear();
    expect([s.unread, s.conversations.size, s.lastSeen]).toEqual([0, 0, null]);
    expect(emitted.filter(([type]) => type === 'unread:change').map(([, p]) => p)).toEqual([{ count: 2 }, { count: 0 }]);
  });

  it('lists the logs behind their conversation (a catch-up is due)', () => {
    const { s } = store();
    s.accept(message('msg_1'));
    s.put(conversation('conv_1', { lastMessage: message('msg_4') }));
    s.accept(message('msg_1', 'agent', 'conv_2'));
    s.put(conversation('conv_2', { lastMessage: message('msg_1', 'agent', 'conv_2') }));
    expect(s.behind()).toEqual(['conv_1']);
  });
});
