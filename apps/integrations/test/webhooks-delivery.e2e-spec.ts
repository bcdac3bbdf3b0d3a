import { domainEventConsumer, domainEventStream } from '@widget/contracts';
import { createTestWidget, harnessNatsOptions, OperatorApi, queryDatabase, RunningApp, Stack, startAnonymous, startStack, TestWidget } from '@widget/testing';
import { connect } from 'nats';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReceiverPool, Received } from './webhook-receiver';

/**
 * SPEC §16 where it needs processes of its own: a stack of its own (so this
 * spec may kill, add and reconfigure its integrations processes) with a real
 * HTTP receiver. An attempt times out after 3 s here, so an endpoint held by a
 * killed replica is free again 8 s later (the lease: time-out + 5 s).
 */
describe('webhooks: crashes, replicas, refusals, giving up', () => {
  let stack: Stack;
  let widget: TestWidget;
  let root: OperatorApi;
  /** Every integrations process this spec started, to stop at the end (a restarted one is not in stack.apps). */
  const processes: RunningApp[] = [];
  const receivers = new ReceiverPool();
  const receiver = receivers.start;
  const hooks = () => `/workspaces/${widget.workspaceId}/webhooks`;
  const messageIdOf = (r: Received) => (r.json.type === 'message.created' ? (r.json.data.message.id as string) : null);

  async function register(url: string, events: string[]): Promise<string> {
    const res = await root.post(hooks(), { url, events });
    expect(res.status).toBe(201);
    return res.body.webhook.id;
  }

  async function deliveriesOf(webhookId: string): Promise<{ id: string; status: string; attempts: number; last_error: string | null; last_status: number | null }[]> {
    return queryDatabase(stack.databaseUrl, `SELECT id, status, attempts, last_error, last_status FROM integrations.webhook_deliveries WHERE webhook_id = $1 ORDER BY id`, [webhookId]);
  }

  /** Polls the delivery log (PostgreSQL) until `done` holds. */
  async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${JSON.stringify(value)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Domain events the integrations consumer has not acknowledged yet (pending and in hand), asked of JetStream. */
  async function consumerBacklog(): Promise<number> {
    const nc = await connect(harnessNatsOptions(stack));
    try {
      const info = await (await nc.jetstreamManager()).consumers.info(domainEventStream(stack.env.NATS_SUBJECT_PREFIX), domainEventConsumer('integrations'));
      return info.num_pending + info.num_ack_pending;
    } finally {
      await nc.close();
    }
  }

  async function stopAll(): Promise<void> {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
  }

  beforeAll(async () => {
    stack = await startStack({ services: ['session', 'team', 'conversation', 'integrations'], realtime: false, env: { WEBHOOK_TIMEOUT_MS: '3000' } });
    processes.push(stack.apps.find((a) => a.name === 'integrations')!);
    widget = await createTestWidget(stack);
    root = new OperatorApi(stack.baseUrl, stack.adminKey);
  }, 120_000);

  afterAll(async () => {
    await receivers.stopAll();
    await stopAll();
    await stack?.stop();
  });

  it('the integrations process killed mid-delivery and restarted: nothing lost, nothing doubled', async () => {
    const r = await receiver((_req, n) => (n === 1 ? 'hold' : 200));
    const webhookId = await register(r.url, ['message.created']);
    const { token } = await startAnonymous(widget);
    const opened = await widget.api.post('/conversations', { message: `first ${randomUUID()}` }, { token });
    expect(opened.status).toBe(201);
    await r.until((all) => all.length === 1);
    const [integrations] = processes.splice(0);
    await integrations.stop('SIGKILL');

    // Chat goes on without it; its events wait in the stream.
    const later: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await widget.api.post(`/conversations/${opened.body.id}/messages`, { text: `while it is down ${i} ${randomUUID()}` }, { token });
      expect(sent.status).toBe(201);
      later.push(sent.body.id);
    }
    processes.push(await integrations.restart());

    const messages = [r.received[0].json.data.message.id as string, ...later];
    await r.until((all) => messages.every((id) => all.some((x) => messageIdOf(x) === id && x.status === 200)), 90_000);
    const rows = await until(
      () => deliveriesOf(webhookId),
      (list) => list.every((d) => d.status === 'succeeded'),
    );
    expect(rows).toHaveLength(4);
    // One webhook-id per message; only the request the crash cut short was sent again (same id).
    const idsByMessage = new Map(messages.map((m) => [m, new Set(r.received.filter((x) => messageIdOf(x) === m).map((x) => x.id))]));
    expect([...idsByMessage.values()].map((ids) => ids.size)).toEqual([1, 1, 1, 1]);
    expect(new Set(r.received.map((x) => x.id)).size).toBe(4);
    expect(r.received.filter((x) => x.id === r.received[0].id)).toHaveLength(2);
    for (const id of later) expect(r.received.filter((x) => messageIdOf(x) === id)).toHaveLength(1);
    await root.delete(`${hooks()}/${webhookId}`);
  }, 120_000);

  it('an event no handler wants costs no transaction; a webhook created and then at once an event: delivered, on either replica', async () => {
    // A workspace of its own, with no webhook yet (and no SMTP here: email wants nothing either).
    const quiet = await createTestWidget(stack);
    const quietHooks = `/workspaces/${quiet.workspaceId}/webhooks`;
    const claims = async () => (await queryDatabase<{ n: number }>(stack.databaseUrl, `SELECT count(*)::int AS n FROM integrations.consumed_events`))[0].n;
    const before = await claims();
    const { token } = await startAnonymous(quiet);
    const opened = await quiet.api.post('/conversations', { message: `unheard ${randomUUID()}` }, { token });
    expect(opened.status).toBe(201);
    const unheard: string[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await quiet.api.post(`/conversations/${opened.body.id}/messages`, { text: `unheard ${i} ${randomUUID()}` }, { token });
      expect(sent.status).toBe(201);
      unheard.push(sent.body.id);
    }
    // Handled before the webhook exists (the consumer holds nothing: it lingers up to INTEGRATIONS_EVENT_LINGER_MS
    // for a batch), so skipped: nobody subscribed then.
    await until(consumerBacklog, (n) => n === 0, 20_000);
    // Registered, and at once a message: the one replica handles the stream in order, so once this message is
    // delivered every event before it was handled too.
    const r = await receiver();
    const created = await root.post(quietHooks, { url: r.url, events: ['message.created'] });
    expect(created.status).toBe(201);
    const heard = await quiet.api.post(`/conversations/${opened.body.id}/messages`, { text: `heard ${randomUUID()}` }, { token });
    expect(heard.status).toBe(201);
    await r.until((all) => all.some((x) => messageIdOf(x) === heard.body.id && x.status === 200));
    // The four skipped events wrote nothing (no consumed_events row: no transaction); the heard one, one row.
    expect((await claims()) - before).toBe(1);
    expect(r.received.map(messageIdOf)).toEqual([heard.body.id]);
    await root.delete(`${quietHooks}/${created.body.webhook.id}`);

    // Two replicas: in each of 6 fresh workspaces, a webhook created and then at once a conversation; whichever
    // replica takes the events reads the webhooks when it handles them, so none is missed.
    const second = await stack.spawn('integrations');
    try {
      const fresh = await receiver();
      const opened6 = await Promise.all(
        Array.from({ length: 6 }, async (_, i) => {
          const w = await createTestWidget(stack);
          const hook = await root.post(`/workspaces/${w.workspaceId}/webhooks`, { url: fresh.url, events: ['conversation.created', 'message.created'] });
          expect(hook.status).toBe(201);
          const visitor = await startAnonymous(w);
          const conv = await w.api.post('/conversations', { message: `at once ${i} ${randomUUID()}` }, { token: visitor.token });
          expect(conv.status).toBe(201);
          return conv.body.id as string;
        }),
      );
      await fresh.until((all) => all.filter((x) => x.status === 200).length >= 12, 90_000);
      for (const id of opened6) {
        expect(fresh.received.filter((x) => x.json.type === 'conversation.created' && x.json.data.conversation.id === id && x.status === 200)).toHaveLength(1);
        expect(fresh.received.filter((x) => x.json.type === 'message.created' && x.json.data.conversation.id === id && x.status === 200)).toHaveLength(1);
      }
    } finally {
      await second.stop();
    }
  }, 120_000);

  it('two replicas share the events and the deliveries: each delivered exactly once', async () => {
    processes.push(await stack.spawn('integrations'));
    const r = await receiver();
    const webhookId = await register(r.url, ['conversation.created', 'message.created']);
    const conversations = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const { token } = await startAnonymous(widget);
        const opened = await widget.api.post('/conversations', { message: `replica ${i} ${randomUUID()}` }, { token });
        const next = await widget.api.post(`/conversations/${opened.body.id}/messages`, { text: `again ${i} ${randomUUID()}` }, { token });
        expect([opened.status, next.status]).toEqual([201, 201]);
        return opened.body.id as string;
      }),
    );
    // Per conversation: conversation.created and two message.created.
    const expected = conversations.length * 3;
    const rows = await until(
      () => deliveriesOf(webhookId),
      (list) => list.length === expected && list.every((d) => d.status === 'succeeded'),
      90_000,
    );
    expect(rows.every((d) => d.attempts === 1)).toBe(true);
    expect(r.received).toHaveLength(expected);
    expect(new Set(r.received.map((x) => x.id)).size).toBe(expected);
    for (const id of conversations) {
      expect(r.received.filter((x) => x.json.type === 'conversation.created' && x.json.data.conversation.id === id)).toHaveLength(1);
      expect(r.received.filter((x) => x.json.type === 'message.created' && x.json.data.conversation.id === id)).toHaveLength(2);
    }
    await root.delete(`${hooks()}/${webhookId}`);
  }, 120_000);

  it('without WEBHOOK_ALLOW_HTTP / WEBHOOK_ALLOW_PRIVATE: http, loopback and private names refused at delivery time, nothing sent', async () => {
    await stopAll();
    processes.push(await stack.spawn('integrations', { WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOW_PRIVATE: 'false' }));
    const r = await receiver();
    const port = new URL(r.url).port;
    const cases: [string, string][] = [
      [r.url, 'http_not_allowed'],
      [`https://127.0.0.1:${port}/hooks`, 'address_not_allowed'],
      [`https://localhost:${port}/hooks`, 'address_not_allowed'],
      [`https://[::1]:${port}/hooks`, 'address_not_allowed'],
      [`https://10.0.0.1:${port}/hooks`, 'address_not_allowed'],
    ];
    for (const [url, refusal] of cases) {
      const webhookId = await register(url, ['message.created']);
      const test = await root.post(`${hooks()}/${webhookId}/test`);
      expect(test.status).toBe(202);
      const [row] = await until(
        () => deliveriesOf(webhookId),
        (list) => list[0]?.attempts >= 1,
      );
      expect({ url, status: row.status, lastError: row.last_error, lastStatus: row.last_status }).toEqual({ url, status: 'pending', lastError: refusal, lastStatus: null });
      await root.delete(`${hooks()}/${webhookId}`);
    }
    expect(r.received).toHaveLength(0);
  }, 120_000);

  it('https is delivered (the address checked is the one connected to, the certificate checked for the name) while http is refused', async () => {
    await stopAll();
    // A certificate for localhost and 127.0.0.1 that only this process trusts (NODE_EXTRA_CA_CERTS).
    const dir = mkdtempSync(join(tmpdir(), 'webhook-tls-'));
    const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    processes.push(await stack.spawn('integrations', { WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOW_PRIVATE: 'true', NODE_EXTRA_CA_CERTS: cert }));
    const secure = await receiver(() => 200, { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') });
    const plain = await receiver();
    const secureId = await register(`https://localhost:${secure.port}/hooks`, ['message.created']);
    const plainId = await register(plain.url, ['message.created']);
    const { token } = await startAnonymous(widget);
    const opened = await widget.api.post('/conversations', { message: `over tls ${randomUUID()}` }, { token });
    expect(opened.status).toBe(201);
    await secure.until((all) => all.some((x) => x.json.type === 'message.created' && x.status === 200));
    const [refused] = await until(
      () => deliveriesOf(plainId),
      (list) => list[0]?.attempts >= 1,
    );
    expect(refused).toMatchObject({ status: 'pending', last_error: 'http_not_allowed' });
    expect(plain.received).toHaveLength(0);
    await root.delete(`${hooks()}/${secureId}`);
    await root.delete(`${hooks()}/${plainId}`);
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('a redirect is not followed; after the retry window the delivery failed, the endpoint is disabled and says why', async () => {
    await stopAll();
    processes.push(await stack.spawn('integrations', { WEBHOOK_RETRY_WINDOW_MS: '1500' }));
    const target = await receiver();
    const r = await receiver();
    r.answer(() => ({ status: 302, location: target.url }));
    const webhookId = await register(r.url, ['message.created']);
    const test = await root.post(`${hooks()}/${webhookId}/test`);
    expect(test.status).toBe(202);
    const webhook = await until(
      async () => (await root.get(`${hooks()}/${webhookId}`)).body,
      (w) => w.enabled === false,
    );
    expect(webhook).toMatchObject({ enabled: false, disabledAt: expect.any(String), disabledReason: 'delivery_failed' });
    const log = await root.get(`${hooks()}/${webhookId}/deliveries`);
    expect(log.body.data).toEqual([expect.objectContaining({ id: test.body.id, status: 'failed', lastStatus: 302, nextAttemptAt: null })]);
    expect(log.body.data[0].attempts).toBeGreaterThanOrEqual(2);
    expect(new Set(r.received.map((x) => x.id))).toEqual(new Set([test.body.id]));
    expect(target.received).toHaveLength(0);

    // Turned back on, a retry goes out (the endpoint answers now).
    r.answer(() => 200);
    expect((await root.patch(`${hooks()}/${webhookId}`, { enabled: true })).body).toMatchObject({ enabled: true, disabledAt: null, disabledReason: null });
    expect((await root.post(`${hooks()}/deliveries/${test.body.id}/retry`)).status).toBe(202);
    await r.until((all) => all.some((x) => x.status === 200));
    expect(r.received.every((x) => x.id === test.body.id)).toBe(true);
  }, 120_000);
});
