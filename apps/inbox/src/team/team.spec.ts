import type { Conversation, Message } from '@widget/contracts';
import { initials, tint } from './avatar';
import { insertReply, slashQuery } from './canned-text';
import { concerns, inView, seenMessageId, titleWith } from './rules';

const conversation = (assignee: Conversation['assignee']) => ({ id: 'conv_1', assignee }) as Conversation;
const message = (type: Message['author']['type'], id = 'msg_1') => ({ id, author: { type, id: null, name: null } }) as Message;

describe('the inbox for a team: its pure rules', () => {
  it('finds the "/" search before the caret, at the start or after a space only', () => {
    expect(slashQuery('/ship', 5)).toEqual({ start: 0, query: 'ship' });
    expect(slashQuery('Hello /re', 9)).toEqual({ start: 6, query: 're' });
    expect(slashQuery('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQuery('and/or', 6)).toBeNull();
    expect(slashQuery('/ship it', 8)).toBeNull();
    expect(slashQuery('/ship it', 5)).toEqual({ start: 0, query: 'ship' });
  });

  it('inserts a reply in place of the "/…", keeping what follows, caret after it', () => {
    expect(insertReply('Hi /sh and more', 3, 6, 'Thanks!')).toEqual({ value: 'Hi Thanks! and more', caret: 10 });
  });

  it('notifies about visitor messages of conversations that are mine or nobody\'s', () => {
    expect(concerns(conversation(null), message('user'), 'op_me')).toBe(true);
    expect(concerns(conversation({ id: 'op_me', name: 'Me' }), message('user'), 'op_me')).toBe(true);
    expect(concerns(conversation({ id: 'op_other', name: 'Other' }), message('user'), 'op_me')).toBe(false);
    for (const type of ['agent', 'bot', 'system', 'note'] as const) expect(concerns(conversation(null), message(type), 'op_me')).toBe(false);
    expect(titleWith(0, 'Inbox')).toBe('Inbox');
    expect(titleWith(3, 'Inbox')).toBe('(3) Inbox');
  });

  it('puts conversations in views by assignee', () => {
    const mine = conversation({ id: 'op_me', name: null });
    const nobodys = conversation(null);
    expect([inView(mine, 'mine', 'op_me'), inView(nobodys, 'mine', 'op_me')]).toEqual([true, false]);
    expect([inView(mine, 'unassigned', 'op_me'), inView(nobodys, 'unassigned', 'op_me')]).toEqual([false, true]);
    expect([inView(mine, 'all', 'op_me'), inView(nobodys, 'all', 'op_me')]).toEqual([true, true]);
  });

  it('marks the newest sent agent message at or before the visitor\'s read position', () => {
    const log = [
      { ...message('user', 'msg_1'), delivery: 'sent' as const },
      { ...message('agent', 'msg_2'), delivery: 'sent' as const },
      { ...message('note', 'msg_3'), delivery: 'sent' as const },
      { ...message('agent', 'msg_4'), delivery: 'sent' as const },
      { ...message('agent', 'msg_5'), delivery: 'sending' as const },
    ];
    expect(seenMessageId(log, undefined)).toBeNull();
    expect(seenMessageId(log, 'msg_1')).toBeNull();
    expect(seenMessageId(log, 'msg_3')).toBe('msg_2');
    expect(seenMessageId(log, 'msg_9')).toBe('msg_4');
  });

  it('draws an avatar from a name: initials and a stable colour', () => {
    expect(initials('Ada Lovelace')).toBe('AL');
    expect(initials('Ada Byron Lovelace')).toBe('AL');
    expect(initials('  ada ')).toBe('A');
    expect(initials('')).toBe('?');
    expect(tint('op_1')).toBe(tint('op_1'));
    expect(tint('op_1')).toMatch(/^tint-[0-7]$/);
  });
});
