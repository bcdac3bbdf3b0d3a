import type { Message } from '../types';
import { MessageLog, newestId } from './message-log';

const msg = (id: string, extra: Partial<Message> = {}): Message => ({
  id,
  conversationId: 'conv_1',
  author: { type: 'agent', id: 'a', name: 'Alex' },
  text: `text of ${id}`,
  clientMessageId: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('MessageLog', () => {
  it('shows each message once, whatever mix of socket, replay and catch-up delivers it', () => {
    const log = new MessageLog();
    expect(log.upsert(msg('msg_02'))).toBe(true);
    expect(log.upsert(msg('msg_01'))).toBe(true);
    expect(log.upsert(msg('msg_02'))).toBe(false); // the replay repeats it
    expect(log.upsert(msg('msg_03'))).toBe(true);
    expect(log.upsert(msg('msg_01'))).toBe(false);
    expect(log.list().map((m) => m.id)).toEqual(['msg_01', 'msg_02', 'msg_03']);
  });

  it('keeps the replay cursor at the newest stored id, never a pending one', () => {
    const log = new MessageLog();
    expect(log.lastId()).toBeNull();
    log.upsert(msg('msg_05'));
    log.upsert(msg('msg_03'));
    log.addPending('conv_1', 'cmi_1', 'hello', { type: 'user', id: null, name: null });
    expect(log.lastId()).toBe('msg_05');
    expect(newestId('msg_05', 'msg_07')).toBe('msg_07');
    expect(newestId(null, 'msg_01')).toBe('msg_01');
    expect(newestId('msg_02', null)).toBe('msg_02');
  });

  it('turns our pending send into the stored message by clientMessageId, once, even when the socket echo comes first', () => {
    const log = new MessageLog();
    log.addPending('conv_1', 'cmi_1', 'hello', { type: 'user', id: null, name: null });
    expect(log.list()[0]).toMatchObject({ delivery: 'sending', id: 'pending:cmi_1' });
    const stored = msg('msg_10', { author: { type: 'user', id: null, name: null }, text: 'hello', clientMessageId: 'cmi_1' });
    log.upsert(stored); // message.created on the socket
    log.upsert(stored); // then the HTTP answer
    expect(log.list()).toHaveLength(1);
    expect(log.list()[0]).toMatchObject({ id: 'msg_10', delivery: 'sent' });
  });

  it('marks a failed send for a retry that reuses the same entry and clientMessageId', () => {
    const log = new MessageLog();
    log.addPending('conv_1', 'cmi_2', 'again', { type: 'user', id: null, name: null });
    log.fail('cmi_2', { code: 'internal_error', message: 'down' });
    expect(log.byClientMessageId('cmi_2')).toMatchObject({ delivery: 'failed', error: { code: 'internal_error' } });
    const retried = log.addPending('conv_1', 'cmi_2', 'again', { type: 'user', id: null, name: null });
    expect(retried.delivery).toBe('sending');
    expect(retried.error).toBeUndefined();
    expect(log.list()).toHaveLength(1);
  });
});
