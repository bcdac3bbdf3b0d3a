import type { Conversation, Message } from '@widget/contracts';
import { byActivity, isUnread, mergeMessages, newer, newestId, PendingReply, settlePending, visible } from './state';

const msg = (id: string, type: Message['author']['type'] = 'user'): Message => ({
  id,
  conversationId: 'conv_1',
  author: { type, id: null, name: null },
  text: id,
  clientMessageId: null,
  metadata: {},
  attachments: [],
  createdAt: '2026-01-01T00:00:00.000Z',
});
const conv = (id: string, updatedAt: string, extra: Partial<Conversation> = {}): Conversation => ({
  id,
  subject: null,
  status: 'open',
  tags: [],
  customFields: {},
  metadata: {},
  assignee: null,
  unreadCount: 0,
  lastMessage: null,
  createdAt: updatedAt,
  updatedAt,
  ...extra,
});

describe('inbox state', () => {
  it('sorts by last activity, newest first, ties by id', () => {
    const list = [conv('conv_A', '2026-01-01T00:00:01.000Z'), conv('conv_C', '2026-01-01T00:00:02.000Z'), conv('conv_B', '2026-01-01T00:00:01.000Z')];
    expect([...list].sort(byActivity).map((c) => c.id)).toEqual(['conv_C', 'conv_B', 'conv_A']);
    expect(visible(list, 'resolved')).toEqual([]);
  });

  it('keeps the newer view of a conversation when events arrive out of order', () => {
    const old = conv('conv_A', '2026-01-01T00:00:01.000Z', { status: 'open' });
    const later = conv('conv_A', '2026-01-01T00:00:02.000Z', { status: 'resolved' });
    expect(newer(later, old)).toBe(later);
    expect(newer(old, later)).toBe(later);
    const sameInstantOlderMessage = conv('conv_A', '2026-01-01T00:00:02.000Z', { lastMessage: msg('msg_1') });
    const withNewer = conv('conv_A', '2026-01-01T00:00:02.000Z', { lastMessage: msg('msg_2') });
    expect(newer(withNewer, sameInstantOlderMessage)).toBe(withNewer);
  });

  it('is unread when the visitor wrote last, after what was seen', () => {
    const c = conv('conv_A', '2026-01-01T00:00:01.000Z', { lastMessage: msg('msg_5') });
    expect(isUnread(c, {})).toBe(true);
    expect(isUnread(c, { conv_A: 'msg_4' })).toBe(true);
    expect(isUnread(c, { conv_A: 'msg_5' })).toBe(false);
    expect(isUnread({ ...c, lastMessage: msg('msg_6', 'agent') }, {})).toBe(false);
  });

  it('merges a thread by id, once each, oldest first', () => {
    const merged = mergeMessages([msg('msg_1'), msg('msg_3')], [msg('msg_3'), msg('msg_2'), msg('msg_4')]);
    expect(merged.map((m) => m.id)).toEqual(['msg_1', 'msg_2', 'msg_3', 'msg_4']);
    expect(newestId(null, 'msg_2', undefined, 'msg_9', 'msg_3')).toBe('msg_9');
  });

  it('settles our own pending reply when the feed delivers it before the POST answers', () => {
    const me = { id: 'agent_grace' };
    const pending: PendingReply[] = [
      { key: 'k1', conversationId: 'conv_1', text: 'On its way', attachments: [], failed: null },
      { key: 'k2', conversationId: 'conv_1', text: 'On its way', attachments: [], failed: null },
      { key: 'k3', conversationId: 'conv_2', text: 'Other', attachments: [], failed: null },
    ];
    const mine: Message = { ...msg('msg_7', 'agent'), author: { type: 'agent', id: 'agent_grace', name: 'Grace' }, text: 'On its way' };
    expect(settlePending(pending, 'conv_1', mine, me).map((p) => p.key)).toEqual(['k2', 'k3']);
    // Another agent's message, a visitor's with the same words, or another conversation: nothing settles.
    expect(settlePending(pending, 'conv_1', { ...mine, author: { type: 'agent', id: 'agent_ada', name: 'Ada' } }, me)).toBe(pending);
    expect(settlePending(pending, 'conv_1', { ...mine, author: { type: 'user', id: 'agent_grace', name: null } }, me)).toBe(pending);
    expect(settlePending(pending, 'conv_9', mine, me)).toBe(pending);
  });

  it('settles a pending reply with files only by the same files', () => {
    const me = { id: 'agent_grace' };
    const file = (id: string) => ({ id, name: `${id}.pdf`, contentType: 'application/pdf', size: 10, url: `/widget/v1/attachments/${id}?expires=1&sig=s` });
    const pending: PendingReply[] = [
      { key: 'k1', conversationId: 'conv_1', text: '', attachments: [file('att_1')], failed: null },
      { key: 'k2', conversationId: 'conv_1', text: '', attachments: [file('att_2')], failed: null },
    ];
    const mine: Message = { ...msg('msg_8', 'agent'), author: { type: 'agent', id: 'agent_grace', name: 'Grace' }, text: '', attachments: [file('att_2')] };
    expect(settlePending(pending, 'conv_1', mine, me).map((p) => p.key)).toEqual(['k1']);
  });
});
