import { randomUUID } from 'node:crypto';
import { Api, ApiResponse, createTestWidget, RequestOptions, RunningApp, spawnApp, testStack, TestWidget, TEST_ORIGIN } from '@widget/testing';

const stack = testStack();
jest.setTimeout(120_000);

/**
 * Two gateway replicas with low limits, their own bucket namespace (the shared
 * stack's buckets are generous) and TRUST_PROXY, so each test is a client
 * address of its own (X-Forwarded-For) and per-address budgets never meet.
 */
const LOW_LIMITS = {
  RATE_LIMIT_ADDRESS: '20/1h',
  RATE_LIMIT_ADDRESS_SESSIONS: '5/1h',
  RATE_LIMIT_SESSION_MESSAGES: '6/1h',
  RATE_LIMIT_SESSION_CONVERSATIONS: '2/3s',
  RATE_LIMIT_SESSION_SUBMISSIONS: '1/1h',
  RATE_LIMIT_SESSION_AI_ANSWERS: '2/1h',
  RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY: '3',
  RATE_LIMIT_SESSION_EVENTS: '10/1h',
  RATE_LIMIT_SESSION_EVENT_BYTES: '4000/1h',
  RATE_LIMIT_ADMIN: '6/1h',
  TRUST_PROXY: 'true',
};

let nextAddress = 1;
/** The widget or operator API of one gateway, as seen from one client address. */
class ClientApi extends Api {
  constructor(
    baseUrl: string,
    origin: string | null,
    readonly address: string,
  ) {
    super(baseUrl, origin);
  }
  override request<T>(method: string, path: string, body: unknown, options: RequestOptions): Promise<ApiResponse<T>> {
    return super.request<T>(method, path, body, { ...options, headers: { 'x-forwarded-for': this.address, ...options.headers } });
  }
}

function clients(gateways: RunningApp[]) {
  const address = `198.51.100.${nextAddress++}`;
  return {
    widget: gateways.map((g) => new ClientApi(`${g.url}/widget/v1`, TEST_ORIGIN, address)),
    admin: gateways.map((g) => new ClientApi(`${g.url}/admin/v1`, null, address)),
  };
}

async function start(api: Api, widget: TestWidget, token?: string) {
  const res = await api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token });
  if (res.status !== 201) throw new Error(`anonymous session failed: ${res.status} ${res.text}`);
  return { token: res.body.token as string, sessionId: res.body.session.id as string };
}

function expectLimited(res: ApiResponse, reason = 'rate_limited') {
  expect(res.status).toBe(429);
  expect(res.body.error).toMatchObject({ code: 'rate_limited', reason, recoverable: true });
  expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);
  const retryAfter = Number(res.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  return retryAfter;
}

const statuses = (list: ApiResponse[]) => list.map((r) => r.status);
const cmid = () => randomUUID();

describe('limits (docs/limits.md): shared by every replica through Redis', () => {
  let widget: TestWidget;
  let gateways: RunningApp[] = [];

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    const prefix = `widget:rl:spec${randomUUID().slice(0, 8)}:`;
    gateways = await Promise.all([0, 1].map(() => spawnApp(stack, 'gateway', { RATE_LIMIT_KEY_PREFIX: prefix, ...LOW_LIMITS })));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
  });

  it('two gateways share one message budget per session', async () => {
    const [a, b] = clients(gateways).widget;
    const { token } = await start(a, widget);
    const conv = await a.post('/conversations', { message: 'hello', clientMessageId: cmid() }, { token });
    expect(conv.status).toBe(201);
    const results: ApiResponse[] = [];
    for (let i = 0; i < 10; i++) {
      const api = i % 2 === 0 ? a : b;
      results.push(await api.post(`/conversations/${conv.body.id}/messages`, { text: `m${i}`, clientMessageId: cmid() }, { token }));
    }
    // Six accepted in all (three on each replica), then both refuse: one bucket, not one per replica.
    expect(statuses(results)).toEqual([201, 201, 201, 201, 201, 201, 429, 429, 429, 429]);
    for (const res of results.slice(6)) expect(expectLimited(res)).toBeLessThanOrEqual(3600);
    // Another session has its own budget.
    const other = await start(b, widget);
    const conv2 = await b.post('/conversations', { message: 'hello', clientMessageId: cmid() }, { token: other.token });
    expect((await a.post(`/conversations/${conv2.body.id}/messages`, { text: 'x', clientMessageId: cmid() }, { token: other.token })).status).toBe(201);
  });

  it('a made-up Bearer token cannot mint sessions past the address limit, on either replica', async () => {
    const [a, b] = clients(gateways).widget;
    const results: ApiResponse[] = [];
    for (let i = 0; i < 12; i++) {
      const api = i % 2 === 0 ? a : b;
      results.push(await api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token: `wst_madeup${randomUUID()}` }));
    }
    expect(statuses(results)).toEqual([201, 201, 201, 201, 201, ...Array(7).fill(429)]);
    expectLimited(results[5]);
  });

  it('floods of bad tokens are limited per address before the token is looked up; a valid session has its own budget', async () => {
    const [api] = clients(gateways).widget;
    const { token } = await start(api, widget); // 1 address point
    expect((await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`)).status).toBe(200); // 2
    expect((await api.post('/sessions/realtime-token', undefined, { token })).status).toBe(200); // 3: not yet resolved on this replica
    const bad: ApiResponse[] = [];
    for (let i = 0; i < 20; i++) bad.push(await api.post('/sessions/refresh', undefined, { token: `wst_bad${i}${'x'.repeat(40)}` }));
    expect(statuses(bad)).toEqual([...Array(17).fill(401), 429, 429, 429]);
    expectLimited(bad[17]);
    // GET /config (no session) is limited too.
    expectLimited(await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`));
    // The session, once resolved on this replica, is charged to itself, not to the spent address.
    expect((await api.post('/sessions/realtime-token', undefined, { token })).status).toBe(200);
  });

  it('Retry-After is the time until the next request passes, not a lock-out', async () => {
    const [api] = clients(gateways).widget;
    const { token } = await start(api, widget);
    const create = () => api.post('/conversations', { message: 'hi', clientMessageId: cmid() }, { token });
    expect((await create()).status).toBe(201);
    expect((await create()).status).toBe(201);
    const retryAfter = expectLimited(await create());
    expect(retryAfter).toBeLessThanOrEqual(3);
    // Waiting what it said is enough.
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    expect((await create()).status).toBe(201);
  });

  it('the operator API has its own, separate budget per key', async () => {
    const { widget: [api], admin: [admin] } = clients(gateways);
    for (let i = 0; i < 20; i++) await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    expectLimited(await api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`));
    // The visitor address is spent; the key is not.
    const operator: ApiResponse[] = [];
    for (let i = 0; i < 8; i++) operator.push(await admin.get(`/widgets/${widget.widgetId}`, { token: stack.adminKey }));
    expect(statuses(operator)).toEqual([200, 200, 200, 200, 200, 200, 429, 429]);
    expectLimited(operator[6]);
    // A wrong key is not the operator: it is charged to the (spent) address.
    expectLimited(await admin.get(`/widgets/${widget.widgetId}`, { token: 'not-the-key-not-the-key-not-the-key' }));
  });

  it('events are limited by count and by bytes per session', async () => {
    const [api] = clients(gateways).widget;
    const s1 = await start(api, widget);
    const batch = (n: number, pad = 0) => ({ events: Array.from({ length: n }, (_, i) => ({ type: 'page_view', id: randomUUID(), properties: { i, pad: 'x'.repeat(pad) } })) });
    expect((await api.post('/events', batch(8), { token: s1.token })).status).toBe(202);
    expectLimited(await api.post('/events', batch(3), { token: s1.token }));
    const s2 = await start(api, widget);
    expect((await api.post('/events', batch(1, 2500), { token: s2.token })).status).toBe(202);
    expectLimited(await api.post('/events', batch(1, 2500), { token: s2.token }));
  });

  it('form submissions and AI answers per session, and the AI quota per workspace per day', async () => {
    const [api] = clients(gateways).widget;
    const form = await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'Contact', fields: [{ key: 'email', type: 'email', label: 'Email', required: true }] });
    expect(form.status).toBe(201);
    expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, { forms: { visibleFormIds: [form.body.id] } })).status).toBe(200);
    const s1 = await start(api, widget);
    const submit = () => api.post(`/forms/${form.body.id}/submissions`, { values: { email: 'a@b.example' } }, { token: s1.token });
    expect((await submit()).status).toBe(201);
    expectLimited(await submit());

    const ask = (token: string, on: Api = api) => on.post('/ai/answer', { question: 'How do I reset my password?' }, { token });
    expect(statuses([await ask(s1.token), await ask(s1.token)])).toEqual([200, 200]);
    expectLimited(await ask(s1.token)); // the session's budget
    const s2 = await start(api, widget);
    expect((await ask(s2.token)).status).toBe(200); // the workspace's third answer today
    const retryAfter = expectLimited(await ask(s2.token), 'quota_exceeded');
    expect(retryAfter).toBeLessThanOrEqual(86_400); // until the next UTC midnight
    // Another workspace is not affected.
    const other = await createTestWidget(stack);
    const s3 = await start(api, other);
    expect((await ask(s3.token)).status).toBe(200);
  });
});

describe("an address's share of the workspace's daily AI quota (issue 18 #6)", () => {
  let gateway: RunningApp;

  beforeAll(async () => {
    const prefix = `widget:rl:share${randomUUID().slice(0, 8)}:`;
    gateway = await spawnApp(stack, 'gateway', {
      RATE_LIMIT_KEY_PREFIX: prefix,
      ...LOW_LIMITS,
      RATE_LIMIT_SESSION_AI_ANSWERS: '2/1h',
      RATE_LIMIT_ADDRESS_AI_ANSWERS: '3/1d',
      RATE_LIMIT_WORKSPACE_AI_ANSWERS_PER_DAY: '5',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('one client, however many sessions it opens, cannot spend the quota for every other visitor', async () => {
    const widget = await createTestWidget(stack);
    const [flood] = clients([gateway]).widget;
    const ask = (api: Api, token: string) => api.post('/ai/answer', { question: 'How do I reset my password?' }, { token });
    const sessions = [await start(flood, widget), await start(flood, widget), await start(flood, widget)];
    const answers = [];
    for (const s of sessions) for (let i = 0; i < 2; i++) answers.push(await ask(flood, s.token));
    // Three answers for the address, then its share is spent (rate_limited, not the workspace's quota_exceeded).
    expect(statuses(answers)).toEqual([200, 200, 200, 429, 429, 429]);
    for (const refused of answers.slice(3)) expectLimited(refused, 'rate_limited');
    // Another visitor of the same workspace still gets answers: the flood spent 3 of the workspace's 5.
    const [other] = clients([gateway]).widget;
    const visitor = await start(other, widget);
    expect(statuses([await ask(other, visitor.token), await ask(other, visitor.token)])).toEqual([200, 200]);
    const third = await start(clients([gateway]).widget[0], widget);
    expectLimited(await ask(clients([gateway]).widget[0], third.token), 'quota_exceeded');
  });
});
