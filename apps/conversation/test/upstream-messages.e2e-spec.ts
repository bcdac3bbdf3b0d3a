import { createTestWidget, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { EventLog, expectError } from './helpers';

const stack = testStack();

describe('optional clientMessageId and message metadata (SPEC §5)', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  it('stores a message sent without clientMessageId (201, clientMessageId null); a repeat is a second message', async () => {
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', {}, { token: me.token });
    expect(conv.status).toBe(201);
    const first = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'no id' }, { token: me.token });
    const second = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'no id' }, { token: me.token });
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(first.body).toMatchObject({ text: 'no id', clientMessageId: null, metadata: {} });
    expect(second.body.id).not.toBe(first.body.id);
    const list = await widget.api.get(`/conversations/${conv.body.id}/messages`, { token: me.token });
    expect(list.body.data.map((m: { id: string }) => m.id)).toEqual([second.body.id, first.body.id]);
  });

  it('creates a conversation with a first message and no clientMessageId', async () => {
    const me = await startAnonymous(widget);
    const res = await widget.api.post('/conversations', { message: 'hello' }, { token: me.token });
    expect(res.status).toBe(201);
    expect(res.body.lastMessage).toMatchObject({ text: 'hello', clientMessageId: null, metadata: {} });
  });

  it('stores metadata and returns it on the reply, the list, the conversation and the event', async () => {
    const me = await startAnonymous(widget);
    const events = await EventLog.open(stack);
    try {
      const conv = await widget.api.post('/conversations', {}, { token: me.token });
      const metadata = { page: '/pricing', cart: { items: 2 }, plan: 'pro' };
      const sent = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'with context', clientMessageId: 'm-1', metadata }, { token: me.token });
      expect(sent.status).toBe(201);
      expect(sent.body.metadata).toEqual(metadata);
      const again = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'with context', clientMessageId: 'm-1', metadata }, { token: me.token });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(sent.body);
      const list = await widget.api.get(`/conversations/${conv.body.id}/messages`, { token: me.token });
      expect(list.body.data[0].metadata).toEqual(metadata);
      const got = await widget.api.get(`/conversations/${conv.body.id}`, { token: me.token });
      expect(got.body.lastMessage.metadata).toEqual(metadata);
      const event = await events.waitFor((e) => e.type === 'message.created' && e.payload.message.id === sent.body.id);
      expect(event.payload.message.metadata).toEqual(metadata);
    } finally {
      await events.close();
    }
  });

  it('metadata over 2 KB → 400 validation_error naming the field', async () => {
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', {}, { token: me.token });
    const res = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'x', metadata: { blob: 'x'.repeat(2048) } }, { token: me.token });
    expectError(res, 400, 'validation_error');
    expect(res.body.error.details[0].field).toBe('metadata');
  });
});

describe('POST /conversations/{id}/escalate (ai.escalationBehavior)', () => {
  const citations = [{ articleId: 'art_01HZZZZZZZZZZZZZZZZZZZZZZZ', title: 'Resetting your password' }];
  const body = { question: 'How do I reset my password?', answer: 'Open Settings, then Security.', citations };

  async function conversationOn(config: Record<string, unknown>) {
    const widget = await createTestWidget(stack, config);
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'hi' }, { token: me.token });
    return { widget, me, conversationId: conv.body.id as string };
  }

  it('attach_context (default): a system message with question, answer and citations, visible to visitor and operator', async () => {
    const { widget, me, conversationId } = await conversationOn({});
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: me.token });
    expect(res.status).toBe(201);
    expect(res.body.escalationBehavior).toBe('attach_context');
    expect(res.body.message).toMatchObject({ conversationId, author: { type: 'system', id: null, name: null } });
    expect(res.body.message.text).toBe(
      'Visitor asked: How do I reset my password?\nAI answer: Open Settings, then Security.\nSources: Resetting your password (art_01HZZZZZZZZZZZZZZZZZZZZZZZ)',
    );
    expect(res.body.message.metadata).toEqual({ escalation: { behavior: 'attach_context', question: body.question, answer: body.answer, citations } });
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data[0]).toEqual(res.body.message);
    const conv = await widget.api.get(`/conversations/${conversationId}`, { token: me.token });
    expect(conv.body.unreadCount).toBe(0);
  });

  it('summary_only: one line, the question cut at 200 characters', async () => {
    const { widget, me, conversationId } = await conversationOn({ ai: { escalationBehavior: 'summary_only' } });
    const long = `${'why '.repeat(80)}?`;
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, { question: long, answer: 'secret' }, { token: me.token });
    expect(res.status).toBe(201);
    expect(res.body.message.text).not.toContain('\n');
    expect(res.body.message.text).not.toContain('secret');
    expect(res.body.message.text.startsWith('Visitor asked for a person after an AI answer to: "why why')).toBe(true);
    expect(res.body.message.text.length).toBeLessThan(260);
  });

  it('none: posts nothing (200, message null)', async () => {
    const { widget, me, conversationId } = await conversationOn({ ai: { escalationBehavior: 'none' } });
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ escalationBehavior: 'none', message: null });
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data).toHaveLength(1);
  });

  it('is idempotent on clientMessageId: the original (200), never a second message', async () => {
    const { widget, me, conversationId } = await conversationOn({});
    const first = await widget.api.post(`/conversations/${conversationId}/escalate`, { ...body, clientMessageId: 'esc-1' }, { token: me.token });
    const again = await widget.api.post(`/conversations/${conversationId}/escalate`, { ...body, clientMessageId: 'esc-1' }, { token: me.token });
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.message).toEqual(first.body.message);
    const reused = await widget.api.post(`/conversations/${conversationId}/escalate`, { question: 'other', clientMessageId: 'esc-1' }, { token: me.token });
    expectError(reused, 409, 'validation_error', 'client_message_id_reused');
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data).toHaveLength(2);
  });

  it('errors: foreign conversation 404, bad body 400, no token 401, bad origin 403, feature off 403', async () => {
    const { widget, me, conversationId } = await conversationOn({});
    const stranger = await startAnonymous(widget);
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: stranger.token }), 404, 'conversation_not_found');
    expectError(await widget.api.post(`/conversations/conv_nope/escalate`, body, { token: me.token }), 404, 'conversation_not_found');
    for (const bad of [{}, { question: '' }, { question: 'x'.repeat(2001) }, { question: 'ok', citations: [{ articleId: 'nope', title: 't' }] }, { question: 'ok', extra: 1 }]) {
      expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, bad, { token: me.token }), 400, 'validation_error');
    }
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body), 401, 'auth_required');
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: me.token, origin: 'https://evil.example' }), 403, 'invalid_origin');
    const off = await conversationOn({});
    await off.widget.admin.patch(`/widgets/${off.widget.widgetId}`, { features: { conversations: false } });
    const res = await off.widget.api.post(`/conversations/${off.conversationId}/escalate`, body, { token: off.me.token });
    expectError(res, 403, 'widget_disabled', 'feature_disabled');
  });
});
