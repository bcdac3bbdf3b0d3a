import { ConversationEvents, ConversationRpc } from '@widget/contracts';
import { createTestWidget, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { EventLog, expectError } from './helpers';

const stack = testStack();
const cmid = () => `c-${randomUUID()}`;

describe('conversations (gateway → NATS → conversation service → PostgreSQL)', () => {
  let widget: TestWidget;
  let events: EventLog;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    events = await EventLog.open(stack);
  });
  afterAll(async () => {
    await events?.close();
  });

  const create = (token: string, body: Record<string, unknown> = {}) => widget.api.post('/conversations', body, { token });
  const send = (token: string, id: string, text: unknown, clientMessageId: string = cmid()) =>
    widget.api.post(`/conversations/${id}/messages`, { text, clientMessageId }, { token });
  const messages = (token: string, id: string, query = '') => widget.api.get(`/conversations/${id}/messages${query}`, { token });
  const agentSays = (id: string, text: string) => widget.admin.post(`/conversations/${id}/messages`, { text, author: { id: 'agent-1', name: 'Grace' } });

  describe('POST /conversations', () => {
    it('creates a conversation (201) whose first message is the given text', async () => {
      const me = await startAnonymous(widget);
      const res = await create(me.token, {
        subject: 'Order #1',
        message: '<b>Hello</b> there',
        clientMessageId: 'first-1',
        tags: ['billing'],
        customFields: { plan: 'pro' },
        metadata: { page: '/pricing' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        subject: 'Order #1',
        status: 'open',
        tags: ['billing'],
        customFields: { plan: 'pro' },
        metadata: { page: '/pricing' },
        assignee: null,
        unreadCount: 0,
        lastMessage: { text: '<b>Hello</b> there', clientMessageId: 'first-1', author: { type: 'user', id: me.sessionId, name: null } },
      });
      expect(res.body.id).toMatch(/^conv_[0-9A-Z]{26}$/);
      expect(res.body.lastMessage.id).toMatch(/^msg_[0-9A-Z]{26}$/);
      expect(res.body.lastMessage.conversationId).toBe(res.body.id);
      expect(res.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

      const got = await widget.api.get(`/conversations/${res.body.id}`, { token: me.token });
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
    });

    it('creates an empty conversation with defaults', async () => {
      const me = await startAnonymous(widget);
      const res = await widget.api.post('/conversations', undefined, { token: me.token });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ subject: null, tags: [], customFields: {}, metadata: {}, lastMessage: null, unreadCount: 0 });
    });

    it('is idempotent on clientMessageId: the original with 200, 409 for another message, nothing duplicated', async () => {
      const me = await startAnonymous(widget);
      const body = { message: 'Where is my order?', clientMessageId: cmid(), subject: 'Order' };
      const first = await create(me.token, body);
      expect(first.status).toBe(201);
      const again = await Promise.all([create(me.token, body), create(me.token, body), create(me.token, body)]);
      for (const res of again) {
        expect(res.status).toBe(200);
        expect(res.body.id).toBe(first.body.id);
      }
      expectError(await create(me.token, { ...body, message: 'Something else' }), 409, 'validation_error', 'client_message_id_reused');
      const list = await widget.api.get('/conversations', { token: me.token });
      expect(list.body.data.map((c: { id: string }) => c.id)).toEqual([first.body.id]);
    });

    it.each([
      ['empty', { message: '' }, 'empty'],
      ['blank', { message: '   \n ' }, 'empty'],
      ['not a string', { message: 42 }, 'not_a_string'],
      ['too long', { message: 'x'.repeat(10_001) }, 'too_long'],
    ])('refuses a %s first message with message_invalid, creating nothing', async (_, body, reason) => {
      const me = await startAnonymous(widget);
      expectError(await create(me.token, body), 400, 'message_invalid', reason);
      const list = await widget.api.get('/conversations', { token: me.token });
      expect(list.body.data).toEqual([]);
    });

    it('accepts a message of exactly 10,000 characters', async () => {
      const me = await startAnonymous(widget);
      const res = await create(me.token, { message: 'y'.repeat(10_000) });
      expect(res.status).toBe(201);
      expect(res.body.lastMessage.text).toHaveLength(10_000);
    });

    it.each([
      ['subject over 255', { subject: 's'.repeat(256) }, 'subject'],
      ['subject not a string', { subject: 5 }, 'subject'],
      ['21 tags', { tags: Array.from({ length: 21 }, (_, i) => `t${i}`) }, 'tags'],
      ['a tag over 64', { tags: ['t'.repeat(65)] }, 'tags.0'],
      ['metadata over 8 KB', { metadata: { blob: 'm'.repeat(8200) } }, 'metadata'],
      ['customFields over 8 KB', { customFields: { blob: 'm'.repeat(8200) } }, 'customFields'],
      ['metadata not an object', { metadata: [1, 2] }, 'metadata'],
      ['an unknown field', { colour: 'red' }, '(body)'],
    ])('refuses %s with validation_error', async (_, body, field) => {
      const me = await startAnonymous(widget);
      const res = await create(me.token, body);
      expectError(res, 400, 'validation_error');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect((await widget.api.get('/conversations', { token: me.token })).body.data).toEqual([]);
    });

    it('needs a session token, an allowed Origin, and the conversations feature', async () => {
      expectError(await widget.api.post('/conversations', {}), 401, 'auth_required');
      expectError(await widget.api.get('/conversations', { token: 'wst_nope' }), 401, 'invalid_token');
      const me = await startAnonymous(widget);
      expectError(await widget.api.post('/conversations', {}, { token: me.token, origin: null }), 403, 'invalid_origin', 'origin_missing');
      expectError(await widget.api.post('/conversations', {}, { token: me.token, origin: 'https://evil.example' }), 403, 'invalid_origin');

      const off = await createTestWidget(stack, { features: { conversations: false } });
      const visitor = await startAnonymous(off);
      expectError(await off.api.get('/conversations', { token: visitor.token }), 403, 'widget_disabled', 'feature_disabled');
      expectError(await off.api.post('/conversations', {}, { token: visitor.token }), 403, 'widget_disabled', 'feature_disabled');
    });
  });

  describe('GET /conversations', () => {
    it('lists newest activity first with a keyset cursor that covers each conversation once', async () => {
      const me = await startAnonymous(widget);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push((await create(me.token, { subject: `c${i}` })).body.id);
      // Activity moves the oldest conversation to the top.
      expect((await send(me.token, ids[0], 'bump')).status).toBe(201);
      const expected = [ids[0], ids[4], ids[3], ids[2], ids[1]];

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await widget.api.get(`/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: me.token });
        expect(res.status).toBe(200);
        expect(res.body.data.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.data.map((c: { id: string }) => c.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      const all = await widget.api.get('/conversations', { token: me.token });
      expect(all.body.nextCursor).toBeNull();
      expect(all.body.data[0].lastMessage.text).toBe('bump');
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'cursor=garbage', `cursor=${Buffer.from('["b","msg_01JD0000000000000000000000"]').toString('base64url')}`])(
      'refuses ?%s with validation_error',
      async (query) => {
        const me = await startAnonymous(widget);
        expectError(await widget.api.get(`/conversations?${query}`, { token: me.token }), 400, 'validation_error');
      },
    );
  });

  describe('ownership', () => {
    it('answers conversation_not_found for another session, an unknown id and a malformed id, on every route', async () => {
      const owner = await startAnonymous(widget);
      const other = await startAnonymous(widget);
      const conv = (await create(owner.token, { message: 'private' })).body;
      const unknown = 'conv_01JD0000000000000000000000';
      for (const id of [conv.id, unknown, 'conv_nope', 'msg_01JD0000000000000000000000']) {
        expectError(await widget.api.get(`/conversations/${id}`, { token: other.token }), 404, 'conversation_not_found');
        expectError(await widget.api.post(`/conversations/${id}/read`, {}, { token: other.token }), 404, 'conversation_not_found');
        expectError(await messages(other.token, id), 404, 'conversation_not_found');
        expectError(await send(other.token, id, 'hi'), 404, 'conversation_not_found');
      }
      expect((await widget.api.get('/conversations', { token: other.token })).body.data).toEqual([]);
      const still = await messages(owner.token, conv.id);
      expect(still.body.data.map((m: { text: string }) => m.text)).toEqual(['private']);
    });

    it('keeps widgets of other workspaces apart', async () => {
      const mine = await startAnonymous(widget);
      const conv = (await create(mine.token, {})).body;
      const elsewhere = await createTestWidget(stack);
      const stranger = await startAnonymous(elsewhere);
      expectError(await elsewhere.api.get(`/conversations/${conv.id}`, { token: stranger.token }), 404, 'conversation_not_found');
    });
  });

  describe('POST /conversations/{id}/messages', () => {
    let me: { token: string; sessionId: string };
    let convId: string;
    beforeAll(async () => {
      me = await startAnonymous(widget);
      convId = (await create(me.token, {})).body.id;
    });

    it('stores plain text (201) and makes it the last message', async () => {
      const res = await send(me.token, convId, '<script>alert(1)</script> & "quotes"', 'send-1');
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        conversationId: convId,
        text: '<script>alert(1)</script> & "quotes"',
        clientMessageId: 'send-1',
        author: { type: 'user', id: me.sessionId, name: null },
      });
      const conv = await widget.api.get(`/conversations/${convId}`, { token: me.token });
      expect(conv.body.lastMessage.id).toBe(res.body.id);
    });

    it('stores exactly one message under 12 concurrent identical sends, all answering its id', async () => {
      const id = cmid();
      const replies = await Promise.all(Array.from({ length: 12 }, () => send(me.token, convId, 'only once', id)));
      const ids = new Set(replies.map((r) => r.body.id));
      expect(ids.size).toBe(1);
      expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
      expect(replies.filter((r) => r.status === 200)).toHaveLength(11);
      const all = await messages(me.token, convId, '?limit=100');
      expect(all.body.data.filter((m: { clientMessageId: string }) => m.clientMessageId === id)).toHaveLength(1);
    });

    it('answers 409 client_message_id_reused for the same id with other text, storing nothing', async () => {
      const id = cmid();
      const first = await send(me.token, convId, 'original', id);
      expect(first.status).toBe(201);
      const reused = await send(me.token, convId, 'changed', id);
      expectError(reused, 409, 'validation_error', 'client_message_id_reused');
      const all = await messages(me.token, convId, '?limit=100');
      expect(all.body.data.filter((m: { text: string }) => m.text === 'changed')).toHaveLength(0);
      const retry = await send(me.token, convId, 'original', id);
      expect(retry.status).toBe(200);
      expect(retry.body).toEqual(first.body);
    });

    it.each([
      ['empty text', { text: '', clientMessageId: 'x1' }, 'message_invalid', 'empty'],
      ['whitespace text', { text: ' \t ', clientMessageId: 'x2' }, 'message_invalid', 'empty'],
      ['too long text', { text: 'z'.repeat(10_001), clientMessageId: 'x3' }, 'message_invalid', 'too_long'],
      ['numeric text', { text: 7, clientMessageId: 'x4' }, 'message_invalid', 'not_a_string'],
      ['object text', { text: { html: '<b>' }, clientMessageId: 'x5' }, 'message_invalid', 'not_a_string'],
      ['missing text', { clientMessageId: 'x6' }, 'message_invalid', 'not_a_string'],
      ['empty clientMessageId', { text: 'hi', clientMessageId: '' }, 'validation_error', undefined],
      ['an unknown field', { text: 'hi', clientMessageId: 'x7', html: true }, 'validation_error', undefined],
      ['metadata over 2 KB', { text: 'hi', clientMessageId: 'x8', metadata: { blob: 'x'.repeat(2100) } }, 'validation_error', undefined],
      ['metadata not an object', { text: 'hi', clientMessageId: 'x9', metadata: ['a'] }, 'validation_error', undefined],
    ])('refuses %s', async (_, body, code, reason) => {
      const before = (await messages(me.token, convId, '?limit=100')).body.data.length;
      expectError(await widget.api.post(`/conversations/${convId}/messages`, body, { token: me.token }), 400, code, reason);
      expect((await messages(me.token, convId, '?limit=100')).body.data.length).toBe(before);
    });

    it('refuses malformed JSON and a non-object body with validation_error', async () => {
      expectError(await widget.api.post(`/conversations/${convId}/messages`, undefined, { token: me.token, raw: '{"text":' }), 400, 'validation_error');
      expectError(await widget.api.post(`/conversations/${convId}/messages`, ['hi'], { token: me.token }), 400, 'validation_error');
    });
  });

  describe('GET /conversations/{id}/messages', () => {
    it('pages back in time covering every message exactly once while new ones arrive', async () => {
      const me = await startAnonymous(widget);
      const convId = (await create(me.token, {})).body.id;
      const initial: string[] = [];
      for (let i = 0; i < 23; i++) initial.push((await send(me.token, convId, `m${i}`)).body.id);

      const seen: string[] = [];
      let cursor: string | null = null;
      let page = 0;
      do {
        const res = await messages(me.token, convId, `?limit=5${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        seen.push(...res.body.data.map((m: { id: string }) => m.id));
        cursor = res.body.nextCursor;
        // New messages land while the client pages.
        await Promise.all([send(me.token, convId, `new${page}a`), send(me.token, convId, `new${page}b`)]);
        page++;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...initial].reverse());
    });

    it('catches up with ?after= oldest first, continuing with nextCursor', async () => {
      const me = await startAnonymous(widget);
      const convId = (await create(me.token, { message: 'm0', clientMessageId: cmid() })).body.id;
      const ids = [(await messages(me.token, convId)).body.data[0].id];
      for (let i = 1; i < 8; i++) ids.push((await send(me.token, convId, `m${i}`)).body.id);

      const first = await messages(me.token, convId, `?after=${ids[2]}&limit=3`);
      expect(first.status).toBe(200);
      expect(first.body.data.map((m: { id: string }) => m.id)).toEqual(ids.slice(3, 6));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const rest = await messages(me.token, convId, `?limit=3&cursor=${first.body.nextCursor}`);
      expect(rest.body.data.map((m: { id: string }) => m.id)).toEqual(ids.slice(6));
      expect(rest.body.nextCursor).toBeNull();

      const upToDate = await messages(me.token, convId, `?after=${ids[7]}`);
      expect(upToDate.body).toEqual({ data: [], nextCursor: null });
    });

    it.each(['limit=0', 'limit=101', 'after=not-an-id', 'cursor=%%%', `cursor=${Buffer.from('["c","2024-01-01T00:00:00.000Z","conv_01JD0000000000000000000000"]').toString('base64url')}`])(
      'refuses ?%s with validation_error',
      async (query) => {
        const me = await startAnonymous(widget);
        const convId = (await create(me.token, {})).body.id;
        expectError(await messages(me.token, convId, `?${query}`), 400, 'validation_error');
      },
    );
  });

  describe('unread counts and POST /conversations/{id}/read', () => {
    it('counts agent/bot messages after the last read, drops to the messages after lastReadMessageId, then to 0', async () => {
      const me = await startAnonymous(widget);
      const convId = (await create(me.token, { message: 'help', clientMessageId: cmid() })).body.id;
      const a1 = await agentSays(convId, 'first answer');
      expect(a1.status).toBe(201);
      expect(a1.body).toMatchObject({ conversationId: convId, author: { type: 'agent', id: 'agent-1', name: 'Grace' }, clientMessageId: null });
      await agentSays(convId, 'second answer');
      const bot = await widget.admin.post(`/conversations/${convId}/messages`, { text: 'bot note', author: { id: 'bot-1' }, type: 'bot' });
      expect(bot.body.author).toEqual({ type: 'bot', id: 'bot-1', name: null });
      await send(me.token, convId, 'visitor text does not count');
      expect((await widget.api.get(`/conversations/${convId}`, { token: me.token })).body.unreadCount).toBe(3);

      const unreadEvent = await events.waitFor((e) => e.type === 'unread.changed' && e.audience.sessionId === me.sessionId && e.payload.count === 3);
      expect(unreadEvent.audience).toEqual({ workspaceId: widget.workspaceId, sessionId: me.sessionId, userId: null });

      const partial = await widget.api.post(`/conversations/${convId}/read`, { lastReadMessageId: a1.body.id }, { token: me.token });
      expect(partial.status).toBe(200);
      expect(partial.body.unreadCount).toBe(2);
      const full = await widget.api.post(`/conversations/${convId}/read`, {}, { token: me.token });
      expect(full.body.unreadCount).toBe(0);
      // Never backwards: an older position keeps the count at 0.
      const older = await widget.api.post(`/conversations/${convId}/read`, { lastReadMessageId: a1.body.id }, { token: me.token });
      expect(older.body.unreadCount).toBe(0);

      const read = await events.waitFor((e) => e.type === 'conversation.read' && e.payload.conversationId === convId && e.payload.unreadCount === 0);
      expect(read.subject).toBe(ConversationEvents.conversationRead.subject);
      await events.waitFor((e) => e.type === 'unread.changed' && e.audience.sessionId === me.sessionId && e.payload.count === 0);
    });

    it('sums unread over the session’s conversations in unread.changed', async () => {
      const me = await startAnonymous(widget);
      const c1 = (await create(me.token, {})).body.id;
      const c2 = (await create(me.token, {})).body.id;
      await agentSays(c1, 'one');
      await agentSays(c2, 'two');
      await events.waitFor((e) => e.type === 'unread.changed' && e.audience.sessionId === me.sessionId && e.payload.count === 2);
    });

    it('refuses a lastReadMessageId that is malformed or not of this conversation', async () => {
      const me = await startAnonymous(widget);
      const c1 = (await create(me.token, { message: 'a', clientMessageId: cmid() })).body;
      const c2 = (await create(me.token, {})).body.id;
      expectError(await widget.api.post(`/conversations/${c2}/read`, { lastReadMessageId: c1.lastMessage.id }, { token: me.token }), 400, 'validation_error', 'unknown_message');
      expectError(await widget.api.post(`/conversations/${c2}/read`, { lastReadMessageId: 'nope' }, { token: me.token }), 400, 'validation_error');
      expectError(await widget.api.post(`/conversations/${c2}/read`, { other: 1 }, { token: me.token }), 400, 'validation_error');
    });
  });

  describe('operator API', () => {
    it('lists a workspace’s conversations by status with a cursor', async () => {
      const own = await createTestWidget(stack);
      const me = await startAnonymous(own);
      const ids: string[] = [];
      for (let i = 0; i < 3; i++) ids.push((await own.api.post('/conversations', { subject: `s${i}` }, { token: me.token })).body.id);
      expect((await own.admin.patch(`/conversations/${ids[1]}`, { status: 'resolved' })).status).toBe(200);

      const all = await own.admin.get(`/workspaces/${own.workspaceId}/conversations?limit=2`);
      expect(all.status).toBe(200);
      expect(all.body.data.map((c: { id: string }) => c.id)).toEqual([ids[1], ids[2]]);
      const next = await own.admin.get(`/workspaces/${own.workspaceId}/conversations?limit=2&cursor=${all.body.nextCursor}`);
      expect(next.body).toMatchObject({ nextCursor: null });
      expect(next.body.data.map((c: { id: string }) => c.id)).toEqual([ids[0]]);

      const open = await own.admin.get(`/workspaces/${own.workspaceId}/conversations?status=open`);
      expect(open.body.data.map((c: { id: string }) => c.id)).toEqual([ids[2], ids[0]]);
      const resolved = await own.admin.get(`/workspaces/${own.workspaceId}/conversations?status=resolved`);
      expect(resolved.body.data.map((c: { id: string }) => c.id)).toEqual([ids[1]]);

      expectError(await own.admin.get(`/workspaces/${own.workspaceId}/conversations?status=done`), 400, 'validation_error');
      expectError(await own.admin.get(`/workspaces/${own.workspaceId}/conversations?limit=500`), 400, 'validation_error');
      expectError(await own.admin.get(`/workspaces/nope/conversations`), 404, 'not_found');
      const empty = await own.admin.get(`/workspaces/ws_01JD0000000000000000000000/conversations`);
      expect(empty.body).toEqual({ data: [], nextCursor: null });
    });

    it('patches status and assignee, announcing conversation.updated to the visitor', async () => {
      const me = await startAnonymous(widget);
      const convId = (await create(me.token, {})).body.id;
      const res = await widget.admin.patch(`/conversations/${convId}`, { status: 'pending', assignee: { id: 'agent-7', name: 'Linus' } });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: convId, status: 'pending', assignee: { id: 'agent-7', name: 'Linus' } });
      const updated = await events.waitFor((e) => e.type === 'conversation.updated' && e.payload.conversation.id === convId);
      expect(updated.payload.conversation.status).toBe('pending');
      expect(updated.audience).toEqual({ workspaceId: widget.workspaceId, sessionId: me.sessionId, userId: null });

      const unassigned = await widget.admin.patch(`/conversations/${convId}`, { assignee: null });
      expect(unassigned.body).toMatchObject({ status: 'pending', assignee: null });
      const same = await widget.admin.patch(`/conversations/${convId}`, {});
      expect(same.body).toMatchObject({ status: 'pending', assignee: null });
      expect((await widget.api.get(`/conversations/${convId}`, { token: me.token })).body.status).toBe('pending');

      expectError(await widget.admin.patch(`/conversations/${convId}`, { status: 'archived' }), 400, 'validation_error');
      expectError(await widget.admin.patch(`/conversations/${convId}`, { assignee: { name: 'no id' } }), 400, 'validation_error');
      expectError(await widget.admin.patch(`/conversations/conv_01JD0000000000000000000000`, { status: 'open' }), 404, 'conversation_not_found');
      expectError(await widget.admin.patch(`/conversations/bogus`, { status: 'open' }), 404, 'conversation_not_found');
    });

    it('validates operator messages and refuses unknown conversations', async () => {
      const me = await startAnonymous(widget);
      const convId = (await create(me.token, {})).body.id;
      const author = { id: 'agent-1', name: 'Grace' };
      expectError(await widget.admin.post(`/conversations/${convId}/messages`, { text: '', author }), 400, 'message_invalid', 'empty');
      expectError(await widget.admin.post(`/conversations/${convId}/messages`, { text: 'x'.repeat(10_001), author }), 400, 'message_invalid', 'too_long');
      expectError(await widget.admin.post(`/conversations/${convId}/messages`, { text: 'hi' }), 400, 'validation_error');
      expectError(await widget.admin.post(`/conversations/${convId}/messages`, { text: 'hi', author, type: 'system' }), 400, 'validation_error');
      expectError(await widget.admin.post(`/conversations/conv_01JD0000000000000000000000/messages`, { text: 'hi', author }), 404, 'conversation_not_found');
      expect((await messages(me.token, convId)).body.data).toEqual([]);
    });

    it('relays operator typing as typing.start / typing.stop (204)', async () => {
      const me = await startAnonymous(widget);
      const convId = (await create(me.token, {})).body.id;
      const author = { id: 'agent-3', name: 'Ada' };
      const start = await widget.admin.post(`/conversations/${convId}/typing`, { typing: true, author });
      expect(start.status).toBe(204);
      expect(start.text).toBe('');
      const started = await events.waitFor((e) => e.type === 'typing.start' && e.payload.conversationId === convId);
      expect(started.payload.author).toEqual({ type: 'agent', id: 'agent-3', name: 'Ada' });
      expect(started.subject).toBe(ConversationEvents.typingStart.subject);
      expect((await widget.admin.post(`/conversations/${convId}/typing`, { typing: false, author })).status).toBe(204);
      await events.waitFor((e) => e.type === 'typing.stop' && e.payload.conversationId === convId);

      expectError(await widget.admin.post(`/conversations/${convId}/typing`, { typing: 'yes', author }), 400, 'validation_error');
      expectError(await widget.admin.post(`/conversations/conv_01JD0000000000000000000000/typing`, { typing: true, author }), 404, 'conversation_not_found');
    });

    it('needs the admin key', async () => {
      const anonymous = await fetch(`${stack.baseUrl}/admin/v1/workspaces/${widget.workspaceId}/conversations`);
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).error.code).toBe('auth_required');
      const wrong = await fetch(`${stack.baseUrl}/admin/v1/conversations/conv_01JD0000000000000000000000/typing`, {
        method: 'POST',
        headers: { authorization: 'Bearer wrong-key', 'content-type': 'application/json' },
        body: JSON.stringify({ typing: true, author: { id: 'a' } }),
      });
      expect(wrong.status).toBe(401);
      expect((await wrong.json()).error.code).toBe('invalid_token');
    });
  });

  describe('domain events (transactional outbox)', () => {
    it('publishes message.created after a send, and nothing for rejected writes', async () => {
      const me = await startAnonymous(widget);
      const created = (await create(me.token, { message: 'first', clientMessageId: cmid() })).body;
      const convCreated = await events.waitFor((e) => e.type === 'conversation.created' && e.payload.conversation.id === created.id);
      expect(convCreated.id).toMatch(/^evt_[0-9A-Z]{26}$/);

      const id = cmid();
      const ok = await send(me.token, created.id, 'hello', id);
      const evt = await events.waitFor((e) => e.type === 'message.created' && e.payload.message.id === ok.body.id);
      expect(evt).toMatchObject({
        subject: ConversationEvents.messageCreated.subject,
        audience: { workspaceId: widget.workspaceId, sessionId: me.sessionId, userId: null },
        payload: { conversation: { id: created.id, lastMessage: { id: ok.body.id } }, message: ok.body },
      });
      expect(Date.parse(evt.createdAt)).not.toBeNaN();

      // Rejected: reused id, invalid text, someone else's conversation; then an idempotent retry (no new event).
      expect((await send(me.token, created.id, 'other text', id)).status).toBe(409);
      expect((await send(me.token, created.id, '')).status).toBe(400);
      const stranger = await startAnonymous(widget);
      expect((await send(stranger.token, created.id, 'intrusion')).status).toBe(404);
      expect((await send(me.token, created.id, 'hello', id)).status).toBe(200);
      const marker = await send(me.token, created.id, 'marker');
      await events.waitFor((e) => e.type === 'message.created' && e.payload.message.id === marker.body.id);
      await new Promise((r) => setTimeout(r, 200));

      const texts = events.events
        .filter((e) => e.type === 'message.created' && e.payload.conversation.id === created.id)
        .map((e) => e.payload.message.text);
      expect(texts).toEqual(expect.arrayContaining(['first', 'hello', 'marker']));
      expect(texts).not.toContain('other text');
      expect(texts).not.toContain('intrusion');
      expect(texts.filter((t) => t === 'hello')).toHaveLength(1);
    });
  });

  describe('internal subjects', () => {
    it('replays the viewer’s messages after an id, oldest first, and only theirs', async () => {
      const me = await startAnonymous(widget);
      const other = await startAnonymous(widget);
      const c1 = (await create(me.token, { message: 'a', clientMessageId: cmid() })).body;
      const c2 = (await create(me.token, { message: 'b', clientMessageId: cmid() })).body;
      await create(other.token, { message: 'not mine', clientMessageId: cmid() });
      const c = await send(me.token, c1.id, 'c');
      const ctx = { sessionId: me.sessionId, workspaceId: widget.workspaceId, widgetId: widget.widgetId, identityType: 'anonymous', userId: null, expiresAt: new Date(Date.now() + 3600_000).toISOString() };
      const replay = await events.rpc(ConversationRpc.replay.subject, { session: ctx, afterMessageId: c1.lastMessage.id, limit: 50 });
      expect(replay.response.map((m: { text: string }) => m.text)).toEqual(['b', 'c']);
      expect(replay.response[1].id).toBe(c.body.id);
      expect(c2.lastMessage.id).toBe(replay.response[0].id);
    });

    it('posts a bot message only into a conversation the session owns', async () => {
      const me = await startAnonymous(widget);
      const other = await startAnonymous(widget);
      const conv = (await create(me.token, {})).body;
      const ctxOf = (sessionId: string) => ({ sessionId, workspaceId: widget.workspaceId, widgetId: widget.widgetId, identityType: 'anonymous', userId: null, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
      const ok = await events.rpc(ConversationRpc.postBotMessage.subject, { session: ctxOf(me.sessionId), conversationId: conv.id, text: 'From the docs…', authorName: 'Helper' });
      expect(ok.response).toMatchObject({ conversationId: conv.id, author: { type: 'bot', id: null, name: 'Helper' }, text: 'From the docs…' });
      const denied = await events.rpc(ConversationRpc.postBotMessage.subject, { session: ctxOf(other.sessionId), conversationId: conv.id, text: 'x' });
      expect(denied.err).toMatchObject({ code: 'conversation_not_found' });
      const invalid = await events.rpc(ConversationRpc.postBotMessage.subject, { session: ctxOf(me.sessionId), conversationId: conv.id, text: '' });
      expect(invalid.err).toMatchObject({ code: 'message_invalid' });
      expect((await widget.api.get(`/conversations/${conv.id}`, { token: me.token })).body.unreadCount).toBe(1);
    });

    it('creates idempotently per owner with an idempotencyKey (forms)', async () => {
      const me = await startAnonymous(widget);
      const session = { sessionId: me.sessionId, workspaceId: widget.workspaceId, widgetId: widget.widgetId, identityType: 'anonymous', userId: null, expiresAt: new Date(Date.now() + 3600_000).toISOString() };
      const body = { subject: 'Form: contact', message: 'Name: Ada', tags: ['form'] };
      const first = await events.rpc(ConversationRpc.create.subject, { session, body, idempotencyKey: 'form:sub_1' });
      const again = await events.rpc(ConversationRpc.create.subject, { session, body, idempotencyKey: 'form:sub_1' });
      expect(first.response.created).toBe(true);
      expect(again.response).toEqual({ conversation: first.response.conversation, created: false });
      const clash = await events.rpc(ConversationRpc.create.subject, { session, body: { ...body, message: 'Name: Bob' }, idempotencyKey: 'form:sub_1' });
      expect(clash.err).toMatchObject({ code: 'validation_error', status: 409, reason: 'idempotency_key_reused' });
      expect((await widget.api.get('/conversations', { token: me.token })).body.data).toHaveLength(1);
    });
  });

  describe('identify merge', () => {
    it('moves the anonymous conversations to the user; a second device of the user sees them; a retry moves nothing', async () => {
      const sub = `merge-${randomUUID()}`;
      const anon = await startAnonymous(widget);
      const conv = (await create(anon.token, { message: 'before login', clientMessageId: cmid() })).body;
      const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub }) }, { token: anon.token });
      expect(identified.status).toBe(200);
      const userToken = identified.body.token;
      const userId = identified.body.session.user.id;

      const mine = await widget.api.get('/conversations', { token: userToken });
      expect(mine.body.data.map((c: { id: string }) => c.id)).toEqual([conv.id]);
      expect((await send(userToken, conv.id, 'after login')).status).toBe(201);

      const retry = await events.rpc(ConversationRpc.mergeSession.subject, { workspaceId: widget.workspaceId, fromSessionId: anon.sessionId, toUserId: userId });
      expect(retry.response).toEqual({ moved: 0 });

      // Second device: another anonymous session of the same person logs in.
      const device2 = await startAnonymous(widget);
      const own2 = (await create(device2.token, { message: 'from the phone', clientMessageId: cmid() })).body;
      const second = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub }) }, { token: device2.token });
      expect(second.body.session.user.id).toBe(userId);
      const both = await widget.api.get('/conversations', { token: second.body.token });
      expect(both.body.data.map((c: { id: string }) => c.id).sort()).toEqual([conv.id, own2.id].sort());
      const msgs = await messages(second.body.token, conv.id);
      expect(msgs.body.data.map((m: { text: string }) => m.text)).toEqual(['after login', 'before login']);
      // The first device's identified session sees the phone's conversation too, and events now go to the user.
      expect((await widget.api.get(`/conversations/${own2.id}`, { token: userToken })).status).toBe(200);
      const agent = await agentSays(own2.id, 'hello user');
      const evt = await events.waitFor((e) => e.type === 'message.created' && e.payload.message.id === agent.body.id);
      expect(evt.audience).toEqual({ workspaceId: widget.workspaceId, sessionId: null, userId });
    });

    it('leaves anonymous conversations behind when the widget turns merging off', async () => {
      const noMerge = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
      const anon = await startAnonymous(noMerge);
      const conv = (await noMerge.api.post('/conversations', { message: 'anonymous only', clientMessageId: cmid() }, { token: anon.token })).body;
      const identified = await noMerge.api.post('/sessions/identify', { token: await signIdentity(noMerge) }, { token: anon.token });
      expect(identified.status).toBe(200);
      const list = await noMerge.api.get('/conversations', { token: identified.body.token });
      expect(list.body.data).toEqual([]);
      expectError(await noMerge.api.get(`/conversations/${conv.id}`, { token: identified.body.token }), 404, 'conversation_not_found');
      const still = await noMerge.admin.get(`/workspaces/${noMerge.workspaceId}/conversations`);
      expect(still.body.data.map((c: { id: string }) => c.id)).toEqual([conv.id]);
    });
  });
});
