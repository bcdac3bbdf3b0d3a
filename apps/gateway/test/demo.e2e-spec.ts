import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { Api, ApiResponse, createTestWidget, RunningApp, spawnApp, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();
jest.setTimeout(120_000);

/**
 * POST /demo/identity-token on a demo-mode gateway over the shared stack
 * (docs/api.md, "Demo mode"): each caller becomes a demo user of its own, the
 * same browser stays the same user, and the endpoint is limited per client
 * address (RATE_LIMIT_ADDRESS_DEMO_TOKENS, docs/limits.md). TRUST_PROXY lets
 * each test be an address of its own; the key prefix keeps its buckets apart.
 */
describe('demo mode: POST /demo/identity-token', () => {
  let gateway: RunningApp;
  let widget: TestWidget;
  let demo: Api;
  let nextAddress = 1;
  const address = () => `203.0.113.${nextAddress++}`;
  const demoToken = (from: string, body: unknown = {}): Promise<ApiResponse> => demo.post('/demo/identity-token', body, { headers: { 'x-forwarded-for': from } });

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    const seedFile = join(mkdtempSync(join(tmpdir(), 'demo-seed-')), 'seed.json');
    writeFileSync(seedFile, JSON.stringify({ workspaceId: widget.workspaceId, widgetId: widget.widgetId, widgetSecret: widget.secret }));
    gateway = await spawnApp(stack, 'gateway', {
      DEMO_MODE: 'true',
      DEMO_SEED_FILE: seedFile,
      TRUST_PROXY: 'true',
      RATE_LIMIT_ADDRESS_DEMO_TOKENS: '3/1h',
      RATE_LIMIT_KEY_PREFIX: `widget:rl:demo-${randomBytes(4).toString('hex')}:`,
    });
    demo = new Api(gateway.url);
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  /** What the demo page does with a token: identify the widget session with it. */
  async function identified(token: string): Promise<string> {
    const anon = await startAnonymous(widget);
    const res = await widget.api.post('/sessions/identify', { token }, { token: anon.token });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  it('makes each caller its own demo user, who sees none of another\'s conversations; the id it hands out keeps a browser the same user', async () => {
    const first = await demoToken(address());
    const second = await demoToken(address());
    for (const res of [first, second]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.body.demoUserId).toMatch(/^demo_[A-Za-z0-9_-]{22}$/);
      expect(decodeJwt(res.body.token).sub).toBe(res.body.demoUserId);
    }
    expect(second.body.demoUserId).not.toBe(first.body.demoUserId);

    const alice = await identified(first.body.token);
    const started = await widget.api.post('/conversations', { message: 'only the first demo user reads this' }, { token: alice });
    expect(started.status).toBe(201);

    const bob = await identified(second.body.token);
    expect((await widget.api.get('/conversations', { token: bob })).body.data).toEqual([]);
    const peek = await widget.api.get(`/conversations/${started.body.id}/messages`, { token: bob });
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('conversation_not_found');

    // The demo page sends its id back on the next log in: the same user, with its history.
    const again = await demoToken(address(), { demoUserId: first.body.demoUserId });
    expect(again.body.demoUserId).toBe(first.body.demoUserId);
    const aliceAgain = await identified(again.body.token);
    expect((await widget.api.get('/conversations', { token: aliceAgain })).body.data.map((c: { id: string }) => c.id)).toEqual([started.body.id]);
  });

  it('refuses an id it did not hand out (validation_error), e.g. the single demo user every caller used to share', async () => {
    const res = await demoToken(address(), { demoUserId: 'demo-user-1' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'validation_error', details: [{ field: 'demoUserId', reason: expect.any(String) }] });
  });

  it('limits tokens per client address: past the limit 429 rate_limited with Retry-After, another address unaffected', async () => {
    const from = address();
    for (let i = 0; i < 3; i++) expect((await demoToken(from)).status).toBe(200);
    const refused = await demoToken(from);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'rate_limited', reason: 'rate_limited', recoverable: true });
    expect(refused.headers.get('x-request-id')).toBe(refused.body.error.requestId);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter > 1 && retryAfter <= 3600).toBe(true);
    expect((await demoToken(address())).status).toBe(200);
  });
});
