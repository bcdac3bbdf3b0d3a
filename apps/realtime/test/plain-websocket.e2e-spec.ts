import { ConversationEvents } from '@widget/contracts';
import {
  createTestWidget,
  harnessNatsOptions,
  openPlainSocket,
  openSocket,
  PlainSocket,
  recordEvents,
  recordNatsEvents,
  refusedPlainUpgrade,
  spawnRealtimeReplica,
  startAnonymous,
  testStack,
  TestWidget,
} from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { connect, NatsConnection } from 'nats';
import type { Socket } from 'socket.io-client';

const stack = testStack();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SPEC §10's plain WebSocket, with a bare `ws` client: through the gateway's proxy and straight to the realtime service. */
describe('plain WebSocket on /widget/v1/realtime', () => {
  let widget: TestWidget;
  let nc: NatsConnection;
  const plain: PlainSocket[] = [];
  const io: Socket[] = [];
  const routes = [
    ['through the gateway', () => stack.baseUrl],
    ['straight to the realtime service', () => stack.realtimeUrl ?? stack.env.REALTIME_URL],
  ] as const;
  const open = async (url: string, options: Parameters<typeof openPlainSocket>[1]) => {
    const socket = await openPlainSocket(url, options);
    plain.push(socket);
    return socket;
  };

  async function newConversation(token: string, text = 'hello') {
    const res = await widget.api.post('/conversations', { message: text, clientMessageId: randomUUID() }, { token });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  async function agentSays(conversationId: string, text: string) {
    const res = await widget.admin.post(`/conversations/${conversationId}/messages`, { text, author: { id: 'op-1', name: 'Olga' } });
    expect(res.status).toBe(201);
    return res.body;
  }
  const messageFrame = (id: string) => (f: any) => f.type === 'message.created' && f.payload.message.id === id;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    nc = await connect(harnessNatsOptions(stack));
  });

  afterAll(async () => {
    plain.forEach((s) => s.close());
    io.forEach((s) => s.close());
    await nc.close();
  });

  describe.each(routes)('%s', (_name, baseUrl) => {
    it('accepts a session token or a realtime token in session_token and pushes { id, type, createdAt, payload } frames', async () => {
      const visitor = await startAnonymous(widget);
      const conversationId = await newConversation(visitor.token);
      const rt = await widget.api.post('/sessions/realtime-token', undefined, { token: visitor.token });
      expect(rt.status).toBe(200);
      for (const token of [visitor.token, rt.body.token]) {
        const socket = await open(baseUrl(), { token });
        const message = await agentSays(conversationId, `hi via ${token.slice(0, 3)}`);
        const frame = await socket.next(messageFrame(message.id));
        expect(Object.keys(frame).sort()).toEqual(['createdAt', 'id', 'payload', 'type']);
        expect(frame).toMatchObject({ type: 'message.created', payload: { conversation: { id: conversationId }, message: { text: message.text, author: { type: 'agent' } } } });
        expect(frame.id).toMatch(/^evt_/);
      }
    });

    it.each([
      ['no token', { token: undefined }, 401, 'auth_required'],
      ['an unknown token', { token: 'wst_nope' }, 401, 'invalid_token'],
      ['a foreign Origin', { origin: 'https://evil.example.net' }, 403, 'invalid_origin'],
      ['no Origin', { origin: null }, 403, 'invalid_origin'],
    ] as const)('refuses %s with the HTTP error envelope before the upgrade', async (_case, options, status, code) => {
      const visitor = await startAnonymous(widget);
      const refused = await refusedPlainUpgrade(baseUrl(), { token: visitor.token, ...options });
      expect(refused.status).toBe(status);
      expect(refused.body.error).toMatchObject({ code, requestId: expect.stringMatching(/^req_/) });
      expect(refused.headers['x-request-id']).toBe(refused.body.error.requestId);
    });

    it('refuses a revoked (shut-down) session token and a malformed last_message_id', async () => {
      const visitor = await startAnonymous(widget);
      expect((await refusedPlainUpgrade(baseUrl(), { token: visitor.token, lastMessageId: 'msg_bad' })).body.error).toMatchObject({
        code: 'validation_error',
        details: [{ field: 'last_message_id' }],
      });
      expect((await widget.api.post('/sessions/shutdown', undefined, { token: visitor.token })).status).toBe(204);
      const refused = await refusedPlainUpgrade(baseUrl(), { token: visitor.token });
      expect(refused).toMatchObject({ status: 401, body: { error: { code: 'invalid_token', reason: 'revoked' } } });
    });

    it('answers {type:"ping"} with {type:"pong"}, and a bad frame with an error frame (the socket stays)', async () => {
      const visitor = await startAnonymous(widget);
      const socket = await open(baseUrl(), { token: visitor.token });
      socket.send({ type: 'ping' });
      expect(await socket.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
      socket.send('not json');
      expect((await socket.next((f) => f.type === 'error')).payload.error).toMatchObject({ code: 'validation_error' });
      socket.send({ type: 'shout' });
      expect((await socket.next((f) => f.type === 'error')).payload.error).toMatchObject({ code: 'validation_error' });
      socket.send({ type: 'ping' });
      await socket.next((f) => f.type === 'pong');
    });

    it('closes with 4401 after a last {type:"error"} frame when the session is shut down', async () => {
      const visitor = await startAnonymous(widget);
      const socket = await open(baseUrl(), { token: visitor.token });
      const closed = socket.closed();
      expect((await widget.api.post('/sessions/shutdown', undefined, { token: visitor.token })).status).toBe(204);
      expect((await closed).code).toBe(4401);
      expect(socket.frames[socket.frames.length - 1]).toMatchObject({ type: 'error', payload: { error: { code: 'invalid_token', reason: 'revoked', requestId: expect.stringMatching(/^req_/) } } });
    });
  });

  it('replays what was missed after last_message_id, oldest first, then goes live', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const seen = await agentSays(conversationId, 'seen');
    const missed = [await agentSays(conversationId, 'missed 1'), await agentSays(conversationId, 'missed 2')];
    const socket = await open(stack.baseUrl, { token: visitor.token, lastMessageId: seen.id });
    await socket.next(messageFrame(missed[1].id));
    const live = await agentSays(conversationId, 'live');
    await socket.next(messageFrame(live.id));
    const ids = socket.frames.filter((f) => f.type === 'message.created').map((f) => f.payload.message.id);
    expect(ids).toEqual([missed[0].id, missed[1].id, live.id]);
  });

  it('relays typing both ways: visitor typing to the operator side, operator typing to the visitor', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const socket = await open(stack.baseUrl, { token: visitor.token });
    // Among the shared stack's other typing events: this conversation's.
    const heard = await recordNatsEvents(nc, ConversationEvents.visitorTyping.subject, (data) => data.conversationId === conversationId);
    socket.send({ type: 'typing', conversationId, typing: true });
    const event = await heard.first();
    heard.stop();
    expect(event).toMatchObject({ conversationId, sessionId: visitor.sessionId, typing: true });

    const start = socket.next((f) => f.type === 'typing.start');
    expect((await widget.admin.post(`/conversations/${conversationId}/typing`, { typing: true, author: { id: 'op-1', name: 'Olga' } })).status).toBe(204);
    expect((await start).payload).toMatchObject({ conversationId, author: { type: 'agent', id: 'op-1' } });

    // Someone else's conversation: the same refusal as HTTP (never revealing it exists).
    const other = await startAnonymous(widget);
    const foreign = await newConversation(other.token);
    socket.send({ type: 'typing', conversationId: foreign, typing: true });
    expect((await socket.next((f) => f.type === 'error')).payload.error).toMatchObject({ code: 'conversation_not_found' });
  });

  it('delivers the same message once to a socket.io client and once to a plain client of the same session', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const plainSocket = await open(stack.baseUrl, { token: visitor.token });
    const ioSocket = await openSocket(stack.baseUrl, { token: visitor.token });
    io.push(ioSocket);
    const ioSeen = recordEvents(ioSocket, 'message.created');
    const message = await agentSays(conversationId, 'to both');
    const viaPlain = await plainSocket.next(messageFrame(message.id));
    // Recorded since before the message was sent: the event may beat the HTTP reply.
    const deadline = Date.now() + 10_000;
    while (!ioSeen.some((e) => e.payload.message.id === message.id) && Date.now() < deadline) await sleep(20);
    expect(ioSeen.find((e) => e.payload.message.id === message.id)).toEqual(viaPlain);
    await sleep(300);
    expect(ioSeen.filter((e) => e.payload.message.id === message.id)).toHaveLength(1);
    expect(plainSocket.frames.filter(messageFrame(message.id))).toHaveLength(1);
  });

  it('sends protocol pings and keeps an answering client connected', async () => {
    const replica = await spawnRealtimeReplica({ ...stack, env: { ...stack.env, PING_INTERVAL_MS: '1000' } });
    try {
      const visitor = await startAnonymous(widget);
      const socket = await open(replica.url, { token: visitor.token });
      const deadline = Date.now() + 10_000;
      while (socket.pings < 2 && Date.now() < deadline) await sleep(100);
      expect(socket.pings).toBeGreaterThanOrEqual(2);
      socket.send({ type: 'ping' });
      await socket.next((f) => f.type === 'pong');
    } finally {
      await replica.stop();
    }
  });
});
