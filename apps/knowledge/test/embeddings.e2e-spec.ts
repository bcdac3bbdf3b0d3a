import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createTestWidget, Stack, startAnonymous, startStack, TestWidget } from '@widget/testing';
import { article } from './helpers';

/**
 * A local stand-in for an OpenAI-compatible embeddings endpoint. Its "model"
 * puts a text on one axis per topic, by the words it contains, so a question
 * and an article about one topic are similar without sharing any word.
 */
const TOPICS = [
  ['reimburse', 'money returned', 'pay back', 'repaid'],
  ['password', 'log in', 'login', 'sign-in'],
  ['invoice', 'receipt'],
];
let failing = false;
const seen: Array<{ auth: string | undefined; model: string; input: string[] }> = [];

function embed(text: string): number[] {
  const t = text.toLowerCase();
  return [...TOPICS.map((words) => (words.some((w) => t.includes(w)) ? 1 : 0)), 0.05];
}

function endpoint(req: IncomingMessage, res: ServerResponse): void {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    const body = JSON.parse(raw);
    seen.push({ auth: req.headers.authorization, model: body.model, input: body.input });
    res.setHeader('content-type', 'application/json');
    if (failing || req.url !== '/v1/embeddings') {
      res.statusCode = 500;
      return void res.end('{"error":{"message":"boom"}}');
    }
    res.end(JSON.stringify({ object: 'list', model: body.model, data: body.input.map((t: string, index: number) => ({ object: 'embedding', index, embedding: embed(t) })) }));
  });
}

const API_KEY = 'sk-embed-never-log-me-0123456789';

describe('semantic retrieval with an embeddings endpoint (EMBEDDINGS_BASE_URL)', () => {
  let server: Server;
  let stack: Stack;
  let widget: TestWidget;
  let token: string;
  let reimburse: string;

  beforeAll(async () => {
    server = createServer(endpoint);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    stack = await startStack({
      services: ['session', 'knowledge'],
      realtime: false,
      env: { EMBEDDINGS_BASE_URL: `http://127.0.0.1:${port}/v1`, EMBEDDINGS_API_KEY: API_KEY, EMBEDDINGS_MODEL: 'test-embed', EMBEDDINGS_TIMEOUT_MS: '800' },
    });
    widget = await createTestWidget(stack);
    token = (await startAnonymous(widget)).token;
    reimburse = (await article(widget, { title: 'Reimbursements', body: '<p>We reimburse duplicate charges within 14 days.</p>' })).id;
    await article(widget, { title: 'Sign-in trouble', body: '<p>Choose Forgot password on the sign-in page.</p>' });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((r) => server.close(() => r()));
  }, 30_000);

  const ask = (question: string) => widget.api.post('/ai/answer', { question }, { token });

  it('embeds published articles on write, with the model and the key', async () => {
    const writes = seen.filter((s) => s.input.some((t) => t.startsWith('Reimbursements\n')));
    expect(writes).toHaveLength(1);
    expect(writes[0]).toMatchObject({ auth: `Bearer ${API_KEY}`, model: 'test-embed', input: ['Reimbursements\nWe reimburse duplicate charges within 14 days.'] });
    const before = seen.length;
    await article(widget, { title: 'Draft', body: '<p>not yet</p>', status: 'draft' });
    expect(seen.length).toBe(before);
  });

  it('answers a question that shares no word with the article, by similarity', async () => {
    const res = await ask('Will I get my money returned?');
    expect(res.status).toBe(200);
    expect(res.body.answer).toMatchObject({ citations: [{ articleId: reimburse, title: 'Reimbursements' }] });
    expect(res.body.answer.confidence).toBeGreaterThanOrEqual(0.5);
    expect(seen[seen.length - 1].input).toEqual(['Will I get my money returned?']);
  });

  it('still declines what no article is about', async () => {
    const res = await ask('Which planet is closest to the sun?');
    expect(res.body.answer).toBeNull();
    expect(res.body.escalation.recommended).toBe(true);
  });

  it('falls back to lexical retrieval when the endpoint fails, and never logs the key', async () => {
    failing = true;
    try {
      const lexical = await ask('I forgot my password');
      expect(lexical.status).toBe(200);
      expect(lexical.body.answer?.citations[0].title).toBe('Sign-in trouble');
      const semanticOnly = await ask('Will I get my money returned?');
      expect(semanticOnly.body.answer).toBeNull();
    } finally {
      failing = false;
    }
    const logs = stack.apps.map((app) => readFileSync(app.logFile, 'utf8')).join('\n');
    expect(logs).toContain('embeddings endpoint unusable (http_500)');
    expect(logs).not.toContain(API_KEY);
  });

  it('answers from an edited article\'s new vector, though vectors are kept in memory', async () => {
    // Read once (the service now holds this workspace's vectors), then the article changes topic.
    expect((await ask('Will I get my money returned?')).body.answer?.citations[0].articleId).toBe(reimburse);
    const edited = await widget.admin.patch(`/articles/${reimburse}`, { title: 'Invoices', body: '<p>Download each invoice as a PDF.</p>' });
    expect(edited.status).toBe(200);
    const after = await ask('Will I get my money returned?');
    expect(after.status).toBe(200);
    expect(after.body.answer).toBeNull();
    expect(after.body.suggestions.map((a: { id: string }) => a.id)).not.toContain(reimburse);
  });
});
