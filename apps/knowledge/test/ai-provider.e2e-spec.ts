import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createTestWidget, Stack, startAnonymous, startStack, TestWidget } from '@widget/testing';
import { article } from './helpers';

/**
 * A local stand-in for a chat-completions provider. Each test sets `behave`;
 * requests are recorded to check what the provider was sent.
 */
type Behaviour = 'cite' | 'decline' | 'uncited' | 'dont_know' | 'wrong_citation' | 'empty' | 'slow' | 'error' | 'garbage';
let behave: Behaviour = 'cite';
const seen: Array<{ auth: string | undefined; body: any }> = [];

function provider(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    const body = JSON.parse(raw);
    seen.push({ auth: req.headers.authorization, body });
    const content = (text: string) => JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] });
    res.setHeader('content-type', 'application/json');
    switch (behave) {
      case 'cite':
        return void res.end(content('PROVIDER: ask within 14 days and the money returns to your card [1].'));
      case 'decline':
        return void res.end(content('NO_ANSWER'));
      case 'uncited':
        return void res.end(content('PROVIDER: trust me, it is 30 days.'));
      case 'dont_know':
        return void res.end(content("PROVIDER: I'm sorry, I don't know."));
      case 'wrong_citation':
        return void res.end(content('PROVIDER: 30 days for annual plans [2].'));
      case 'empty':
        return void res.end(content('  '));
      case 'garbage':
        return void res.end('{not json');
      case 'error':
        res.statusCode = 500;
        return void res.end('{"error":{"message":"boom"}}');
      case 'slow':
        return void setTimeout(() => res.end(content('PROVIDER: too late [1].')), 2500);
    }
  });
}

const API_KEY = 'sk-test-never-log-me-0123456789';

describe('POST /ai/answer with a chat-completions provider', () => {
  let server: Server;
  let stack: Stack;
  let widget: TestWidget;
  let token: string;
  let refundId: string;

  beforeAll(async () => {
    server = createServer(provider);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    stack = await startStack({
      services: ['session', 'conversation', 'knowledge'],
      realtime: false,
      env: { AI_PROVIDER_BASE_URL: `http://127.0.0.1:${port}/v1`, AI_PROVIDER_API_KEY: API_KEY, AI_PROVIDER_MODEL: 'test-model', AI_PROVIDER_TIMEOUT_MS: '800' },
    });
    widget = await createTestWidget(stack);
    refundId = (await article(widget, { title: 'Refund policy', body: '<p>You can ask for a refund within 14 days. The refund goes back to your card.</p>' })).id;
    await article(widget, { title: 'Invoices', body: '<p>Download invoices as PDF from billing.</p>' });
    token = (await startAnonymous(widget)).token;
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise((r) => server?.close(r));
  });

  const ask = (question: string, conversationId?: string) => widget.api.post('/ai/answer', { question, conversationId }, { token });
  const question = 'How long do I have to ask for a refund on my card?';

  it('answers with the provider text, citing the retrieved article; sends only passages, with the key', async () => {
    behave = 'cite';
    seen.length = 0;
    const res = await ask(question);
    expect(res.status).toBe(200);
    expect(res.body.answer).toEqual({ text: 'PROVIDER: ask within 14 days and the money returns to your card.', confidence: expect.any(Number), citations: [{ articleId: refundId, title: 'Refund policy' }] });
    expect(seen).toHaveLength(1);
    expect(seen[0].auth).toBe(`Bearer ${API_KEY}`);
    expect(seen[0].body.model).toBe('test-model');
    const user = seen[0].body.messages.find((m: any) => m.role === 'user').content;
    expect(user).toContain('[1] Refund policy');
    expect(user).toContain(question);
    expect(user).not.toContain(widget.workspaceId);
  });

  it('posts the provider answer into the conversation', async () => {
    behave = 'cite';
    const conv = await widget.api.post('/conversations', { subject: 'Refund' }, { token });
    const res = await ask(question, conv.body.id);
    expect(res.status).toBe(200);
    const messages = await widget.api.get(`/conversations/${conv.body.id}/messages`, { token });
    expect(messages.body.data.find((m: any) => m.author.type === 'bot').text).toContain('PROVIDER: ask within 14 days');
  });

  // NO_ANSWER; an answer citing no passage (from the model's own knowledge, or its own words for not knowing); one citing a passage it was not given (one passage was sent).
  it.each<Behaviour>(['decline', 'uncited', 'dont_know', 'wrong_citation'])('declines when the provider reply is %s, with the article still suggested', async (b) => {
    behave = b;
    seen.length = 0;
    const res = await ask(question);
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0].body.messages.find((m: any) => m.role === 'user').content).not.toContain('[2]');
    expect(res.body.answer).toBeNull();
    expect(res.body.escalation).toEqual({ recommended: true, reason: 'low_confidence' });
    expect(res.body.suggestions.map((s: any) => s.id)).toContain(refundId);
    expect(JSON.stringify(res.body)).not.toContain('PROVIDER');
  });

  it.each<Behaviour>(['error', 'garbage', 'empty', 'slow'])('falls back to the built-in answer when the provider is %s', async (b) => {
    behave = b;
    const started = Date.now();
    const res = await ask(question);
    expect(res.status).toBe(200);
    expect(res.body.answer.text).not.toContain('PROVIDER');
    expect(res.body.answer.text).toMatch(/14 days|card/);
    expect(res.body.answer.citations).toEqual([{ articleId: refundId, title: 'Refund policy' }]);
    if (b === 'slow') expect(Date.now() - started).toBeLessThan(2500);
  });

  it('never consults the provider for unrelated questions', async () => {
    behave = 'cite';
    seen.length = 0;
    const res = await ask('What is the tallest mountain on Mars?');
    expect(res.body.answer).toBeNull();
    expect(seen).toHaveLength(0);
  });

  it('never writes the API key to the logs', async () => {
    for (const app of stack.apps) expect(readFileSync(app.logFile, 'utf8')).not.toContain(API_KEY);
  });
});
