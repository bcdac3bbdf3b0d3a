import type { Conversation, Message } from '@widget/contracts';
import { byActivity, isUnread, newer, visible } from './state';

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
});
