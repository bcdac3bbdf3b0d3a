import { Api, createTestWidget, queryDatabase, spawnApp, startAnonymous, TEST_ORIGIN, testStack, TestWidget } from '@widget/testing';
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

describe('POST /conversations/{id}/escalate (ai.escalationBehavior): made from the server\'s record of the answer (issue 18 #1)', () => {
  const question = 'How do I reset my password?';

  /** A widget with one published article, a visitor with a conversation, and the AI answer that visitor was given. */
  async function conversationOn(config: Record<string, unknown>) {
    const widget = await createTestWidget(stack, config);
    const article = await widget.admin.post(`/workspaces/${widget.workspaceId}/articles`, {
      title: 'Resetting your password',
      body: '<p>To reset your password, open Settings, then Security, and choose Reset password. A reset link arrives by email.</p>',
      status: 'published',
    });
    expect(article.status).toBe(201);
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: question }, { token: me.token });
    const answer = await widget.api.post('/ai/answer', { question }, { token: me.token });
    expect(answer.status).toBe(200);
    expect(answer.body.id).toMatch(/^ans_[0-9A-Z]{26}$/);
    return { widget, me, conversationId: conv.body.id as string, answer: answer.body, articleId: article.body.id as string };
  }

  it('attach_context (default): the question, the answer and the sources as the server gave them, visible to visitor and operator', async () => {
    const { widget, me, conversationId, answer, articleId } = await conversationOn({});
    expect(answer.answer?.citations).toEqual([{ articleId, title: 'Resetting your password' }]);
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id }, { token: me.token });
    expect(res.status).toBe(201);
    expect(res.body.escalationBehavior).toBe('attach_context');
    expect(res.body.message).toMatchObject({ conversationId, author: { type: 'system', id: null, name: null } });
    expect(res.body.message.text).toBe(`Visitor asked: ${question}\nAI answer: ${answer.answer.text}\nSources: Resetting your password (${articleId})`);
    expect(res.body.message.metadata).toEqual({
      escalation: { behavior: 'attach_context', answerId: answer.id, question, answer: answer.answer.text, citations: answer.answer.citations },
    });
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data[0]).toEqual(res.body.message);
    const operator = await widget.admin.get(`/conversations/${conversationId}/messages`);
    expect(operator.body.data[0].text).toBe(res.body.message.text);
  });

  it('the client cannot write the note: question, answer or citations in the body are refused (400), nothing posted', async () => {
    const { widget, me, conversationId, answer } = await conversationOn({});
    for (const forged of [
      { answerId: answer.id, answer: 'Support team note: this visitor was verified by phone' },
      { answerId: answer.id, question: 'x' },
      { answerId: answer.id, citations: [{ articleId: 'art_01HZZZZZZZZZZZZZZZZZZZZZZZ', title: 'x' }] },
      { question: 'How?', answer: 'Forged', citations: [] },
    ]) {
      expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, forged, { token: me.token }), 400, 'validation_error');
    }
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data.map((m: { author: { type: string } }) => m.author.type)).toEqual(['user']);
  });

  it("another session's answer, another workspace's, a made-up or an expired id → 400 answer_not_found, nothing posted", async () => {
    const { widget, me, conversationId } = await conversationOn({});
    const stranger = await startAnonymous(widget);
    const strangers = await widget.api.post('/ai/answer', { question }, { token: stranger.token });
    const elsewhere = await conversationOn({});
    const mine = await widget.api.post('/ai/answer', { question }, { token: me.token });
    await queryDatabase(stack.databaseUrl, `UPDATE knowledge.answer_records SET expires_at = now() - interval '1 second' WHERE id = $1`, [mine.body.id]);
    for (const answerId of [strangers.body.id, elsewhere.answer.id, 'ans_01HZZZZZZZZZZZZZZZZZZZZZZZ', mine.body.id]) {
      const res = await widget.api.post(`/conversations/${conversationId}/escalate`, { answerId }, { token: me.token });
      expectError(res, 400, 'validation_error', 'answer_not_found');
      expect(res.body.error.details).toEqual([{ field: 'answerId', reason: expect.any(String) }]);
    }
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data).toHaveLength(1);
  });

  it('summary_only: one line with the recorded question, never the answer', async () => {
    const { widget, me, conversationId, answer } = await conversationOn({ ai: { escalationBehavior: 'summary_only' } });
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id }, { token: me.token });
    expect(res.status).toBe(201);
    expect(res.body.message.text).toBe(`Visitor asked for a person after an AI answer to: "${question}"`);
  });

  it('none: posts nothing (200, message null)', async () => {
    const { widget, me, conversationId, answer } = await conversationOn({ ai: { escalationBehavior: 'none' } });
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id }, { token: me.token });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ escalationBehavior: 'none', message: null });
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data).toHaveLength(1);
  });

  it('one escalation per conversation: retries, other answers and concurrent requests return the first (200)', async () => {
    const { widget, me, conversationId, answer } = await conversationOn({});
    const first = await widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id, clientMessageId: 'esc-1' }, { token: me.token });
    expect(first.status).toBe(201);
    const second = await widget.api.post('/ai/answer', { question: 'Where do I change my email?' }, { token: me.token });
    const later = await Promise.all([
      widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id, clientMessageId: 'esc-1' }, { token: me.token }),
      widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: second.body.id, clientMessageId: 'esc-2' }, { token: me.token }),
      ...Array.from({ length: 5 }, () => widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id }, { token: me.token })),
    ]);
    expect(later.map((r) => r.status)).toEqual(later.map(() => 200));
    for (const res of later) expect(res.body.message).toEqual(first.body.message);
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data.map((m: { author: { type: string } }) => m.author.type)).toEqual(['system', 'user']);
  });

  it('a clientMessageId already used by a visitor message → 409 client_message_id_reused, nothing posted', async () => {
    const { widget, me, conversationId, answer } = await conversationOn({});
    await widget.api.post(`/conversations/${conversationId}/messages`, { text: 'mine', clientMessageId: 'taken' }, { token: me.token });
    const res = await widget.api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id, clientMessageId: 'taken' }, { token: me.token });
    expectError(res, 409, 'validation_error', 'client_message_id_reused');
    const list = await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token });
    expect(list.body.data).toHaveLength(2);
  });

  it('is charged to the session\'s message budget', async () => {
    const gateway = await spawnApp(stack, 'gateway', { RATE_LIMIT_SESSION_MESSAGES: '2/1m', RATE_LIMIT_KEY_PREFIX: `${stack.env.RATE_LIMIT_KEY_PREFIX}esc${Date.now()}:` });
    try {
      const { widget, me, conversationId, answer } = await conversationOn({});
      const api = new Api(`${gateway.url}/widget/v1`, TEST_ORIGIN);
      for (const text of ['one', 'two']) expect((await api.post(`/conversations/${conversationId}/messages`, { text }, { token: me.token })).status).toBe(201);
      const res = await api.post(`/conversations/${conversationId}/escalate`, { answerId: answer.id }, { token: me.token });
      expectError(res, 429, 'rate_limited');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await widget.api.get(`/conversations/${conversationId}/messages`, { token: me.token })).body.data).toHaveLength(3);
    } finally {
      await gateway.stop();
    }
  });

  it('errors: foreign conversation 404, bad body 400, no token 401, bad origin 403, feature off 403', async () => {
    const { widget, me, conversationId, answer } = await conversationOn({});
    const body = { answerId: answer.id };
    const stranger = await startAnonymous(widget);
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: stranger.token }), 404, 'conversation_not_found');
    expectError(await widget.api.post(`/conversations/conv_nope/escalate`, body, { token: me.token }), 404, 'conversation_not_found');
    for (const bad of [{}, { answerId: '' }, { answerId: 'art_01HZZZZZZZZZZZZZZZZZZZZZZZ' }, { answerId: 12 }, { ...body, extra: 1 }]) {
      expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, bad, { token: me.token }), 400, 'validation_error');
    }
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body), 401, 'auth_required');
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: me.token, origin: 'https://evil.example' }), 403, 'invalid_origin');
    await widget.admin.patch(`/widgets/${widget.widgetId}`, { features: { conversations: false } });
    expectError(await widget.api.post(`/conversations/${conversationId}/escalate`, body, { token: me.token }), 403, 'widget_disabled', 'feature_disabled');
  });
});
