import { startAnonymous, testStack, TestWidget } from '@widget/testing';
import { expectEnvelope, newWidget, siblingWidget, UNKNOWN_CONVERSATION } from './helpers';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadCorpus } = require('../eval/load-corpus');

const stack = testStack();

describe('POST /ai/answer (built-in answerer)', () => {
  let widget: TestWidget;
  let token: string;
  let articles: Record<string, string>;
  let collections: Record<string, string>;

  beforeAll(async () => {
    widget = await newWidget(stack);
    const admin = async (method: string, path: string, body?: unknown) => {
      const res = method === 'POST' ? await widget.admin.post(path, body) : await widget.admin.get(path);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
      return res.body;
    };
    ({ articles, collections } = await loadCorpus(admin, widget.workspaceId));
    token = (await startAnonymous(widget)).token;
  });

  const ask = (body: unknown, t = token, api = widget.api) => api.post('/ai/answer', body, { token: t });

  it('answers a paraphrased question from the right article, with a citation and confidence', async () => {
    const res = await ask({ question: 'My card expired, how do I put a new one on file?' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^ans_[0-9A-Z]{26}$/),
      mode: 'answer_first',
      answer: { text: expect.any(String), confidence: expect.any(Number), citations: [{ articleId: articles['payment-methods'], title: 'Update your card or payment method' }] },
      suggestions: expect.any(Array),
      escalation: { recommended: false, reason: null },
    });
    expect(res.body.answer.text).toMatch(/card/i);
    expect(res.body.answer.confidence).toBeGreaterThanOrEqual(0.35);
    expect(res.body.answer.confidence).toBeLessThanOrEqual(1);
    expect(res.body.suggestions[0]).toMatchObject({ id: articles['payment-methods'], title: expect.any(String), snippet: expect.any(String), collectionId: collections.billing, locale: 'en' });
  });

  it('declines unrelated questions and recommends a human', async () => {
    for (const question of ['What is the best pizza topping?', 'How tall is Mount Everest?']) {
      const res = await ask({ question });
      expect(res.status).toBe(200);
      expect(res.body.answer).toBeNull();
      expect(res.body.escalation.recommended).toBe(true);
      expect(['low_confidence', 'no_relevant_articles']).toContain(res.body.escalation.reason);
    }
  });

  it('declines when the threshold is above what the passages support', async () => {
    const strict = await siblingWidget(stack, widget, { ai: { minConfidence: 1 } });
    const res = await ask({ question: 'How long until a refund reaches my card?' }, strict.token, strict.api);
    expect(res.body.answer).toBeNull();
    expect(res.body.escalation).toEqual({ recommended: true, reason: 'low_confidence' });
    expect(res.body.suggestions.map((s: any) => s.id)).toContain(articles.refunds);
  });

  it('suggest_articles: suggestions only', async () => {
    const w = await siblingWidget(stack, widget, { ai: { mode: 'suggest_articles' } });
    const res = await ask({ question: 'How do I export my workspace?' }, w.token, w.api);
    expect(res.body).toMatchObject({ mode: 'suggest_articles', answer: null, escalation: { recommended: false, reason: null } });
    expect(res.body.suggestions[0].id).toBe(articles['export-data']);
    const nothing = await ask({ question: 'Where is the nearest bakery?' }, w.token, w.api);
    expect(nothing.body).toMatchObject({ answer: null, suggestions: [], escalation: { recommended: true, reason: 'no_relevant_articles' } });
  });

  it('human_first: recommends a human and still lists suggestions', async () => {
    const w = await siblingWidget(stack, widget, { ai: { mode: 'human_first' } });
    const res = await ask({ question: 'How do I invite a teammate?' }, w.token, w.api);
    expect(res.body).toMatchObject({ mode: 'human_first', answer: null, escalation: { recommended: true, reason: 'human_first' } });
    expect(res.body.suggestions[0].id).toBe(articles['invite-teammates']);
  });

  it('answers only from the widget enabled collections and locale', async () => {
    const w = await siblingWidget(stack, widget, { knowledgeBase: { enabledCollectionIds: [collections.account] } });
    const res = await ask({ question: 'My card expired, how do I replace it?' }, w.token, w.api);
    const cited = res.body.answer?.citations.map((c: any) => c.articleId) ?? [];
    expect(cited).not.toContain(articles['payment-methods']);
    expect(res.body.suggestions.every((s: any) => s.collectionId === collections.account)).toBe(true);
    const fr = await ask({ question: 'My card expired, how do I replace it?', locale: 'fr' });
    expect(fr.body).toMatchObject({ answer: null, suggestions: [], escalation: { recommended: true } });
  });

  it('answers without suggestions when the knowledge base is off but AI answers are on', async () => {
    const w = await siblingWidget(stack, widget, { features: { knowledgeBase: false } });
    const res = await ask({ question: 'Can I get my money back for an annual plan?' }, w.token, w.api);
    expect(res.status).toBe(200);
    expect(res.body.answer.citations[0].articleId).toBe(articles.refunds);
    expect(res.body.suggestions).toEqual([]);
  });

  it('refuses with validation_error / ai_disabled when features.aiAnswers or ai.enabled is false', async () => {
    const off = await siblingWidget(stack, widget, { features: { aiAnswers: false } });
    expectEnvelope(await ask({ question: 'refund?' }, off.token, off.api), 400, 'validation_error', 'ai_disabled');
    const disabled = await siblingWidget(stack, widget, { ai: { enabled: false } });
    expectEnvelope(await ask({ question: 'refund?' }, disabled.token, disabled.api), 400, 'validation_error', 'ai_disabled');
  });

  it('validates the body, the session and the origin', async () => {
    for (const body of [{}, { question: '' }, { question: '   ' }, { question: 'x'.repeat(1001) }, { question: 5 }, { question: 'ok', conversationId: 'conv_bad' }, { question: 'ok', locale: '??' }, { question: 'ok', extra: 1 }]) {
      expectEnvelope(await ask(body), 400, 'validation_error');
    }
    expectEnvelope(await widget.api.post('/ai/answer', { question: 'refund' }), 401, 'auth_required');
    expectEnvelope(await widget.api.post('/ai/answer', { question: 'refund' }, { token, origin: null }), 403, 'invalid_origin', 'origin_missing');
    expectEnvelope(await widget.api.post('/ai/answer', { question: 'refund' }, { token, origin: 'https://evil.example' }), 403, 'invalid_origin', 'origin_not_allowed');
    expectEnvelope(await widget.api.post('/ai/answer', undefined, { token, raw: '{"question":' }), 400, 'validation_error');
  });

  // Needs the conversation service in the stack (TEST_SERVICES=session,conversation,knowledge).
  describe('with conversationId', () => {
    it('posts the answer into the conversation as a bot message', async () => {
      const conv = await widget.api.post('/conversations', { subject: 'Help', message: 'hello', clientMessageId: 'c1' }, { token });
      expect(conv.status).toBe(201);
      const res = await ask({ question: 'How do I cancel my subscription?', conversationId: conv.body.id });
      expect(res.status).toBe(200);
      expect(res.body.answer.citations[0].articleId).toBe(articles['cancel-subscription']);
      const messages = await widget.api.get(`/conversations/${conv.body.id}/messages`, { token });
      const bot = messages.body.data.find((m: any) => m.author.type === 'bot');
      expect(bot.text).toContain(res.body.answer.text);
      expect(bot.text).toContain('Cancel your subscription');
    });

    it('answers conversation_not_found for unknown or other sessions conversations, answered or not', async () => {
      const stranger = await startAnonymous(widget);
      const conv = await widget.api.post('/conversations', { subject: 'Mine' }, { token: stranger.token });
      expect(conv.status).toBe(201);
      for (const conversationId of [conv.body.id, UNKNOWN_CONVERSATION]) {
        expectEnvelope(await ask({ question: 'How do I cancel my subscription?', conversationId }), 404, 'conversation_not_found');
        expectEnvelope(await ask({ question: 'Best pizza topping?', conversationId }), 404, 'conversation_not_found');
      }
      const theirs = await widget.api.get(`/conversations/${conv.body.id}/messages`, { token: stranger.token });
      expect(theirs.body.data.some((m: any) => m.author.type === 'bot')).toBe(false);
    });
  });
});
