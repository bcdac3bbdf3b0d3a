import { createTeamWorkspace, createTestWidget, expectEnvelope, OperatorApi, queryDatabase, startAnonymous, TeamWorkspace, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { ReceiverPool, Received } from './webhook-receiver';

const stack = testStack();

/**
 * SPEC §16 on the shared stack: the operator routes, a real HTTP receiver
 * verifying Standard Webhooks signatures with the `standardwebhooks` library,
 * retries with one webhook-id, and a slow endpoint that delays neither chat
 * nor another endpoint. Crashes, replicas and the SSRF refusals run on a stack
 * of their own (webhooks-delivery.e2e-spec.ts).
 */
describe('webhooks', () => {
  let widget: TestWidget;
  let team: TeamWorkspace;
  let owner: OperatorApi;
  const receivers = new ReceiverPool();
  const receiver = receivers.start;
  const hooks = () => `/workspaces/${widget.workspaceId}/webhooks`;

  async function register(url: string, events: string[]): Promise<{ id: string; secret: string }> {
    const res = await owner.post(hooks(), { url, events, description: 'test receiver' });
    expect(res.status).toBe(201);
    return { id: res.body.webhook.id, secret: res.body.secret };
  }

  /** A visitor's conversation with a first message: its ids. */
  async function visitorConversation(text = `hello ${randomUUID()}`): Promise<{ token: string; conversationId: string; messageId: string }> {
    const { token } = await startAnonymous(widget);
    const res = await widget.api.post('/conversations', { message: text }, { token });
    expect(res.status).toBe(201);
    const messages = await widget.api.get(`/conversations/${res.body.id}/messages`, { token });
    return { token, conversationId: res.body.id, messageId: messages.body.data[0].id };
  }

  /** The delivery log once every delivery in it ended (the receiver may answer before the worker records it). */
  async function settledLog(webhookId: string, query = ''): Promise<{ data: { id: string; status: string }[]; nextCursor: string | null }> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const log = await owner.get(`${hooks()}/${webhookId}/deliveries${query}`);
      if (log.body.data.every((d: { status: string }) => d.status !== 'pending') || Date.now() > deadline) return log.body;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const messageIdOf = (r: Received) => (r.json.type === 'message.created' ? (r.json.data.message.id as string) : null);

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    team = await createTeamWorkspace(stack, widget.workspaceId);
    owner = new OperatorApi(stack.baseUrl, team.owner.token);
  });

  afterAll(async () => {
    await receivers.stopAll();
  });

  describe('registration (owner/admin)', () => {
    it('creates a webhook and shows its whsec_ secret once; list, get and patch never show it', async () => {
      const res = await owner.post(hooks(), { url: 'https://hooks.example.com/widget', events: ['conversation.created', 'message.created'] });
      expect(res.status).toBe(201);
      expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(res.body.webhook).toEqual({
        id: expect.stringMatching(/^wh_/),
        url: 'https://hooks.example.com/widget',
        events: ['conversation.created', 'message.created'],
        description: null,
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      const id = res.body.webhook.id;
      const admin = new OperatorApi(stack.baseUrl, team.admin.token);
      const listed = await admin.get(hooks());
      expect(listed.status).toBe(200);
      expect(listed.body.data.map((w: { id: string }) => w.id)).toContain(id);
      expect(listed.text).not.toContain('whsec_');
      const patched = await admin.patch(`${hooks()}/${id}`, { events: ['form.submitted'], enabled: false, description: 'paused' });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ events: ['form.submitted'], enabled: false, description: 'paused', disabledReason: 'disabled_by_operator' });
      const got = await owner.get(`${hooks()}/${id}`);
      expect(got.body).toEqual(patched.body);
      expect(got.text).not.toContain('whsec_');
      // Sealed at rest: the column holds no whsec_ value.
      const [row] = await queryDatabase(stack.databaseUrl, `SELECT secret_sealed FROM integrations.webhooks WHERE id = $1`, [id]);
      expect(row.secret_sealed).not.toContain('whsec_');
      expect(row.secret_sealed).not.toContain(res.body.secret.slice(6));
      expect((await owner.delete(`${hooks()}/${id}`)).status).toBe(204);
      expectEnvelope(await owner.get(`${hooks()}/${id}`), 404, 'not_found', 'webhook_not_found');
    });

    it('a retried create with the same Idempotency-Key answers the same webhook and secret', async () => {
      const key = randomUUID();
      const body = { url: 'https://hooks.example.com/retry', events: ['message.created'] };
      const first = await owner.post(hooks(), body, { 'idempotency-key': key });
      const again = await owner.post(hooks(), body, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(again.body).toEqual(first.body);
      await owner.delete(`${hooks()}/${first.body.webhook.id}`);
    });

    it.each([
      ['credentials in the URL', { url: 'https://user:pass@hooks.example.com/x', events: ['message.created'] }, 'url'],
      ['a scheme other than http(s)', { url: 'ftp://hooks.example.com/x', events: ['message.created'] }, 'url'],
      ['not a URL', { url: 'hooks.example.com/x', events: ['message.created'] }, 'url'],
      ['an unknown event', { url: 'https://hooks.example.com/x', events: ['message.deleted'] }, 'events.0'],
      ['no event', { url: 'https://hooks.example.com/x', events: [] }, 'events'],
      ['an unknown field', { url: 'https://hooks.example.com/x', events: ['message.created'], secret: 'mine' }, '(body)'],
    ])('refuses %s with validation_error, storing nothing', async (_label, body, field) => {
      const before = await owner.get(hooks());
      const res = await owner.post(hooks(), body);
      expectEnvelope(res, 400, 'validation_error');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect((await owner.get(hooks())).body.data).toHaveLength(before.body.data.length);
    });

    it('refuses a PATCH to a bad URL or event, changing nothing', async () => {
      const { id } = await register('https://hooks.example.com/patch', ['message.created']);
      expectEnvelope(await owner.patch(`${hooks()}/${id}`, { url: 'javascript:alert(1)' }), 400, 'validation_error');
      expectEnvelope(await owner.patch(`${hooks()}/${id}`, { events: ['visitor.left'] }), 400, 'validation_error');
      expect((await owner.get(`${hooks()}/${id}`)).body).toMatchObject({ url: 'https://hooks.example.com/patch', events: ['message.created'] });
      await owner.delete(`${hooks()}/${id}`);
    });

    it("agents may not manage webhooks; another workspace's webhook and delivery ids are not found", async () => {
      const { id } = await register('https://hooks.example.com/private', ['message.created']);
      const agent = new OperatorApi(stack.baseUrl, team.agent.token);
      expectEnvelope(await agent.get(hooks()), 403, 'forbidden');
      expectEnvelope(await agent.post(hooks(), { url: 'https://hooks.example.com/a', events: ['message.created'] }), 403, 'forbidden');
      const test = await owner.post(`${hooks()}/${id}/test`);
      expect(test.status).toBe(202);

      const other = await createTeamWorkspace(stack);
      const stranger = new OperatorApi(stack.baseUrl, other.owner.token);
      const theirs = `/workspaces/${other.workspaceId}/webhooks`;
      expectEnvelope(await stranger.get(`${theirs}/${id}`), 404, 'not_found', 'webhook_not_found');
      expectEnvelope(await stranger.patch(`${theirs}/${id}`, { enabled: false }), 404, 'not_found', 'webhook_not_found');
      expectEnvelope(await stranger.post(`${theirs}/${id}/test`), 404, 'not_found', 'webhook_not_found');
      expectEnvelope(await stranger.get(`${theirs}/${id}/deliveries`), 404, 'not_found', 'webhook_not_found');
      expectEnvelope(await stranger.post(`${theirs}/deliveries/${test.body.id}/retry`), 404, 'not_found', 'delivery_not_found');
      expectEnvelope(await stranger.delete(`${theirs}/${id}`), 404, 'not_found', 'webhook_not_found');
      // Ours through our workspace's path: to the owner of another workspace it does not exist either.
      expect((await stranger.get(`${hooks()}/${id}`)).status).toBe(404);
      expectEnvelope(await owner.get(`${hooks()}/wh_00000000000000000000000000`), 404, 'not_found', 'webhook_not_found');
      expectEnvelope(await owner.get(`${hooks()}/not-an-id`), 404, 'not_found', 'webhook_not_found');
      expect((await owner.get(`${hooks()}/${id}`)).body.enabled).toBe(true);
      await owner.delete(`${hooks()}/${id}`);
    });

    it('a test asked while the webhook is being deleted is 202 (then deleted with it) or 404, never a 500', async () => {
      for (let round = 0; round < 3; round++) {
        const { id } = await register('https://hooks.example.com/going', ['message.created']);
        const [first, removed, second] = await Promise.all([owner.post(`${hooks()}/${id}/test`), owner.delete(`${hooks()}/${id}`), owner.post(`${hooks()}/${id}/test`)]);
        expect(removed.status).toBe(204);
        for (const test of [first, second]) {
          if (test.status !== 202) expectEnvelope(test, 404, 'not_found', 'webhook_not_found');
        }
        expect(await queryDatabase(stack.databaseUrl, `SELECT id FROM integrations.webhook_deliveries WHERE webhook_id = $1`, [id])).toEqual([]);
      }
    });

    it('records every webhook write in the audit log (ids, never the URL or the secret)', async () => {
      const { id } = await register('https://hooks.example.com/audited', ['message.created']);
      await owner.patch(`${hooks()}/${id}`, { description: 'audited' });
      await owner.delete(`${hooks()}/${id}`);
      const log = await owner.get(`/workspaces/${widget.workspaceId}/audit-log?limit=50`);
      expect(log.status).toBe(200);
      const mine = log.body.data.filter((e: { targetId: string }) => e.targetId === id).map((e: { action: string }) => e.action);
      expect(mine.sort()).toEqual(['webhook.created', 'webhook.deleted', 'webhook.updated']);
      expect(log.text).not.toContain('hooks.example.com');
    });
  });

  describe('delivery', () => {
    it('signs per Standard Webhooks (verified with the standardwebhooks library): conversation.created and message.created with the operator views', async () => {
      const r = await receiver();
      const { id, secret } = await register(r.url, ['conversation.created', 'message.created']);
      const { conversationId, messageId } = await visitorConversation();
      const got = await r.until((all) => all.some((x) => x.json.type === 'conversation.created' && x.json.data.conversation.id === conversationId) && all.some((x) => messageIdOf(x) === messageId));
      const verifier = new Webhook(secret);
      for (const request of got) {
        const verified = verifier.verify(request.body, { 'webhook-id': request.id, 'webhook-timestamp': request.timestamp, 'webhook-signature': request.signature });
        expect(verified).toEqual(request.json);
        expect(request.id).toMatch(/^whd_/);
        expect(request.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      }
      expect(() => new Webhook(`whsec_${Buffer.alloc(32, 1).toString('base64')}`).verify(got[0].body, { 'webhook-id': got[0].id, 'webhook-timestamp': got[0].timestamp, 'webhook-signature': got[0].signature })).toThrow();
      const created = got.find((x) => x.json.type === 'conversation.created')!;
      expect(Object.keys(created.json).sort()).toEqual(['data', 'timestamp', 'type']);
      // The operator API's conversation view.
      const view = await owner.get(`/workspaces/${widget.workspaceId}/conversations?limit=100`);
      const listed = view.body.data.find((c: { id: string }) => c.id === conversationId);
      expect(Object.keys(created.json.data.conversation).sort()).toEqual(Object.keys(listed).sort());
      const message = got.find((x) => messageIdOf(x) === messageId)!;
      expect(message.json.data.message).toMatchObject({ id: messageId, conversationId, author: { type: 'user' } });
      const log = await settledLog(id);
      expect(log.data.every((d) => d.status === 'succeeded')).toBe(true);
      await owner.delete(`${hooks()}/${id}`);
    });

    it('500, 500, then 200: three attempts with one webhook-id, one delivery that succeeded', async () => {
      const r = await receiver((_req, n) => (n <= 2 ? 500 : 200));
      const { id } = await register(r.url, ['message.created']);
      const { messageId } = await visitorConversation();
      const got = await r.until((all) => all.some((x) => x.status === 200));
      expect(got.map((x) => x.status)).toEqual([500, 500, 200]);
      expect(new Set(got.map((x) => x.id)).size).toBe(1);
      expect(got.every((x) => messageIdOf(x) === messageId && x.body === got[0].body)).toBe(true);
      const log = await settledLog(id);
      expect(log.data).toEqual([
        {
          id: got[0].id,
          webhookId: id,
          event: 'message.created',
          status: 'succeeded',
          attempts: 3,
          lastStatus: 200,
          lastError: null,
          nextAttemptAt: null,
          createdAt: expect.any(String),
          deliveredAt: expect.any(String),
        },
      ]);
      await owner.delete(`${hooks()}/${id}`);
    });

    it('never sends an internal note, nor a system line', async () => {
      const r = await receiver();
      const { id } = await register(r.url, ['message.created']);
      const { token, conversationId } = await visitorConversation();
      await owner.post(`/conversations/${conversationId}/messages`, { text: `internal ${randomUUID()}`, type: 'note' });
      const reply = await owner.post(`/conversations/${conversationId}/messages`, { text: `agent ${randomUUID()}` });
      expect(reply.status).toBe(201);
      const later = await widget.api.post(`/conversations/${conversationId}/messages`, { text: `visitor again ${randomUUID()}` }, { token });
      // In order per endpoint: once the last visitor message arrived, everything before it has.
      const got = await r.until((all) => all.some((x) => messageIdOf(x) === later.body.id));
      const authors = got.map((x) => x.json.data.message.author.type);
      expect(authors).toEqual(['user', 'agent', 'user']);
      // The delivery log, newest first, by cursor.
      const first = await owner.get(`${hooks()}/${id}/deliveries?limit=2`);
      expect(first.body.data.map((d: { id: string }) => d.id)).toEqual([got[2].id, got[1].id]);
      const rest = await owner.get(`${hooks()}/${id}/deliveries?limit=2&cursor=${first.body.nextCursor}`);
      expect(rest.body).toEqual({ data: [expect.objectContaining({ id: got[0].id })], nextCursor: null });
      await owner.delete(`${hooks()}/${id}`);
    });

    it('a receiver still holding its answer (as one taking 15 s does) delays neither a visitor send nor another endpoint', async () => {
      const slow = await receiver(() => 'hold');
      const fast = await receiver();
      const slowHook = await register(slow.url, ['message.created']);
      const fastHook = await register(fast.url, ['message.created']);
      const { token, conversationId, messageId } = await visitorConversation();
      await slow.until((all) => all.some((x) => messageIdOf(x) === messageId));
      // The slow endpoint holds its request (a 15 s answer would come past the 10 s time-out) …
      const send = await widget.api.post(`/conversations/${conversationId}/messages`, { text: `while it waits ${randomUUID()}` }, { token });
      expect(send.status).toBe(201);
      // … and the send returned while it still does; the other endpoint got both messages meanwhile.
      await fast.until((all) => all.some((x) => messageIdOf(x) === send.body.id));
      expect(slow.holding).toBe(1);
      expect(slow.received.every((x) => x.status === null)).toBe(true);
      // Once it answers, the rest follows (in order, on the same endpoint).
      slow.answer(() => 200);
      slow.release(200);
      await slow.until((all) => all.some((x) => messageIdOf(x) === send.body.id && x.status === 200));
      await owner.delete(`${hooks()}/${slowHook.id}`);
      await owner.delete(`${hooks()}/${fastHook.id}`);
    }, 90_000);

    it('test and manual retry: the same webhook-id again, attempts counted', async () => {
      const r = await receiver();
      const { id, secret } = await register(r.url, ['visitor.identified']);
      const test = await owner.post(`${hooks()}/${id}/test`);
      expect(test.status).toBe(202);
      expect(test.body).toMatchObject({ id: expect.stringMatching(/^whd_/), webhookId: id, event: 'webhook.test', status: 'pending', attempts: 0 });
      await r.until((all) => all.length === 1 && all[0].status === 200);
      expect(new Webhook(secret).verify(r.received[0].body, { 'webhook-id': r.received[0].id, 'webhook-timestamp': r.received[0].timestamp, 'webhook-signature': r.received[0].signature })).toMatchObject({
        type: 'webhook.test',
        data: { webhookId: id },
      });
      await settledLog(id);
      const retried = await owner.post(`${hooks()}/deliveries/${test.body.id}/retry`);
      expect(retried.status).toBe(202);
      expect(retried.body).toMatchObject({ id: test.body.id, status: 'pending', attempts: 1 });
      await r.until((all) => all.length === 2 && all[1].status === 200);
      expect(r.received[1].id).toBe(r.received[0].id);
      expect(r.received[1].body).toBe(r.received[0].body);
      const page = await settledLog(id, '?limit=1');
      expect(page).toEqual({ data: [expect.objectContaining({ id: test.body.id, status: 'succeeded', attempts: 2 })], nextCursor: null });
      await owner.delete(`${hooks()}/${id}`);
    });

    it('a retry asked while an attempt is in flight is not lost when that attempt ends', async () => {
      const r = await receiver((_req, n) => (n === 1 ? 'hold' : 200));
      const { id } = await register(r.url, ['message.created']);
      const test = await owner.post(`${hooks()}/${id}/test`);
      await r.until((all) => all.length === 1);
      expect((await owner.post(`${hooks()}/deliveries/${test.body.id}/retry`)).status).toBe(202);
      r.release(200);
      await r.until((all) => all.length === 2 && all[1].status === 200);
      expect(r.received.map((x) => x.id)).toEqual([test.body.id, test.body.id]);
      expect((await settledLog(id)).data).toEqual([expect.objectContaining({ id: test.body.id, status: 'succeeded', attempts: 2 })]);
      await owner.delete(`${hooks()}/${id}`);
    });
  });
});
