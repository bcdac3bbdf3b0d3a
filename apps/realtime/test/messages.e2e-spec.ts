import { ConversationEvents } from '@widget/contracts';
import {
  createTestWidget,
  harnessNatsOptions,
  nextDisconnect,
  nextEvent,
  openRecording,
  openSocket,
  recordEvents,
  recordNatsEvents,
  signIdentity,
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

/** Through the whole stack: gateway → conversation service → PostgreSQL → outbox → NATS → realtime → socket. */
describe('realtime with the conversation service', () => {
  let widget: TestWidget;
  const sockets: Socket[] = [];
  const open = async (options: Parameters<typeof openSocket>[1], url = stack.baseUrl) => {
    const socket = await openSocket(url, options);
    sockets.push(socket);
    return socket;
  };

  async function newConversation(token: string, text = 'hello') {
    const res = await widget.api.post('/conversations', { message: text, clientMessageId: randomUUID() }, { token });
    expect(res.status).toBe(201);
    return res.body.id as string;
  }
  async function visitorSays(token: string, conversationId: string, text: string) {
    const res = await widget.api.post(`/conversations/${conversationId}/messages`, { text, clientMessageId: randomUUID() }, { token });
    expect(res.status).toBe(201);
    return res.body;
  }
  async function agentSays(conversationId: string, text: string) {
    const res = await widget.admin.post(`/conversations/${conversationId}/messages`, { text, author: { id: 'op-1', name: 'Olga' } });
    expect(res.status).toBe(201);
    return res.body;
  }
  /** Recording starts before the action: the event may well arrive before the HTTP reply does. */
  async function arrived(seen: any[], messageId: string, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = seen.find((e) => e.payload.message.id === messageId);
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`message ${messageId} not delivered within ${timeoutMs} ms`);
      await sleep(20);
    }
  }
  const messages = (socket: Socket) => recordEvents(socket, 'message.created');

  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  afterAll(() => sockets.forEach((s) => s.close()));

  it('pushes an agent message (admin POST) to the visitor live', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const socket = await open({ token: visitor.token });
    const seen = messages(socket);
    const message = await agentSays(conversationId, 'How can I help?');
    const event = await arrived(seen, message.id);
    expect(event).toMatchObject({ type: 'message.created', payload: { message: { id: message.id, text: 'How can I help?', author: { type: 'agent' } }, conversation: { id: conversationId } } });
    expect(event.id).toMatch(/^evt_/);
    expect(Date.parse(event.createdAt)).not.toBeNaN();
  });

  it('pushes agent replies sent at once (one group commit) each with the visitor’s unread total, counted in commit order', async () => {
    const me = await startAnonymous(widget);
    const first = await newConversation(me.token);
    const second = await newConversation(me.token);
    const socket = await open({ token: me.token });
    const seen = messages(socket);
    const unread = recordEvents(socket, 'unread.changed');
    const texts = Array.from({ length: 12 }, (_, i) => `at once ${i}`);
    const sent = await Promise.all(texts.map((text, i) => agentSays(i % 2 ? first : second, text)));
    for (const message of sent) await arrived(seen, message.id);
    const deadline = Date.now() + 10_000;
    while (unread.length < texts.length && Date.now() < deadline) await sleep(20);
    // One count per reply, the visitor's total across both conversations, each one more than the last.
    expect(unread.map((e) => e.payload.count)).toEqual(texts.map((_, i) => i + 1));
    for (const id of [first, second]) {
      const res = await widget.api.get(`/conversations/${id}`, { token: me.token });
      expect(res.body.unreadCount).toBe(6);
    }
  });

  it('pushes the visitor’s own message to the visitor’s other sockets', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const socket = await open({ token: visitor.token });
    const pending = nextEvent(socket, 'message.created', (e) => e.payload.message.text === 'from the other tab');
    const message = await visitorSays(visitor.token, conversationId, 'from the other tab');
    expect((await pending).payload.message).toMatchObject({ id: message.id, author: { type: 'user' } });
  });

  it('keeps one visitor’s messages away from another visitor', async () => {
    const [alice, bob] = [await startAnonymous(widget), await startAnonymous(widget)];
    const aliceConversation = await newConversation(alice.token);
    const [aliceSocket, bobSocket] = [await open({ token: alice.token }), await open({ token: bob.token })];
    const [aliceSaw, bobSaw] = [messages(aliceSocket), messages(bobSocket)];
    const message = await agentSays(aliceConversation, 'for Alice only');
    await arrived(aliceSaw, message.id);
    await sleep(200);
    expect(bobSaw).toEqual([]);
  });

  it('replays what was sent while offline after reconnecting with lastMessageId (and with since)', async () => {
    const visitor = await startAnonymous(widget);
    const first = await newConversation(visitor.token, 'first');
    const second = await newConversation(visitor.token, 'second');
    const socket = await open({ token: visitor.token });
    const live = messages(socket);
    const seenLast = await agentSays(first, 'seen before going offline');
    await arrived(live, seenLast.id);
    socket.close();

    const missed = [await agentSays(first, 'missed 1'), await visitorSays(visitor.token, second, 'missed 2'), await agentSays(second, 'missed 3')];
    for (const auth of [{ lastMessageId: seenLast.id }, { auth: { since: seenLast.id } }]) {
      const { socket: back, seen: replayed } = await openRecording(stack.baseUrl, 'message.created', { token: visitor.token, ...auth });
      sockets.push(back);
      const deadline = Date.now() + 5000;
      while (replayed.length < missed.length && Date.now() < deadline) await sleep(50);
      expect(replayed.map((e) => e.payload.message.id)).toEqual(missed.map((m) => m.id));
      expect(replayed.map((e) => e.payload.conversation.id)).toEqual([first, second, second]);
      expect(replayed.every((e) => e.type === 'message.created' && /^evt_/.test(e.id))).toBe(true);
      back.close();
    }
  });

  it('replays nothing of another session’s conversations', async () => {
    const [alice, mallory] = [await startAnonymous(widget), await startAnonymous(widget)];
    const aliceConversation = await newConversation(alice.token);
    const malloryConversation = await newConversation(mallory.token);
    const mark = await agentSays(malloryConversation, 'mark');
    await agentSays(aliceConversation, 'private to Alice');
    const { socket, seen } = await openRecording(stack.baseUrl, 'message.created', { token: mallory.token, lastMessageId: mark.id });
    sockets.push(socket);
    await sleep(500);
    expect(seen).toEqual([]);
  });

  it('pushes operator typing to the visitor (typing.start / typing.stop)', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const socket = await open({ token: visitor.token });
    const start = nextEvent(socket, 'typing.start');
    expect((await widget.admin.post(`/conversations/${conversationId}/typing`, { typing: true, author: { id: 'op-1', name: 'Olga' } })).status).toBe(204);
    expect((await start).payload).toMatchObject({ conversationId, author: { id: 'op-1' } });
    const stop = nextEvent(socket, 'typing.stop');
    expect((await widget.admin.post(`/conversations/${conversationId}/typing`, { typing: false, author: { id: 'op-1', name: 'Olga' } })).status).toBe(204);
    expect((await stop).payload).toMatchObject({ conversationId });
  });

  describe('visitor typing → NATS', () => {
    let nc: NatsConnection;
    beforeAll(async () => {
      nc = await connect(harnessNatsOptions(stack));
    });
    afterAll(() => nc.close());

    // The shared stack relays other specs' typing too: each test looks at its own conversations' events only.
    it('relays typing on an own conversation to the operator side', async () => {
      const visitor = await startAnonymous(widget);
      const conversationId = await newConversation(visitor.token);
      const socket = await open({ token: visitor.token });
      const heard = await recordNatsEvents(nc, ConversationEvents.visitorTyping.subject, (data) => data.conversationId === conversationId);
      const ack = await socket.timeout(5000).emitWithAck('typing', { conversationId, typing: true });
      expect(ack).toEqual({ ok: true });
      const event = await heard.first();
      heard.stop();
      expect(event).toMatchObject({ workspaceId: widget.workspaceId, conversationId, sessionId: visitor.sessionId, userId: null, typing: true });
      expect(Date.parse(event.at as string)).not.toBeNaN();
    });

    it('refuses typing on another session’s (or an unknown) conversation: conversation_not_found, nothing published', async () => {
      const [owner, other] = [await startAnonymous(widget), await startAnonymous(widget)];
      const conversationId = await newConversation(owner.token);
      const socket = await open({ token: other.token });
      const ids = [conversationId, 'conv_01J00000000000000000000000'];
      const published = await recordNatsEvents(nc, ConversationEvents.visitorTyping.subject, (data) => ids.includes(data.conversationId as string));
      for (const id of ids) {
        const ack = await socket.timeout(5000).emitWithAck('typing', { conversationId: id, typing: true });
        expect(ack.error).toMatchObject({ code: 'conversation_not_found' });
      }
      await sleep(200);
      published.stop();
      expect(published.events).toEqual([]);
    });
  });

  it('disconnects the anonymous session’s sockets on identify; the new token connects', async () => {
    const anon = await startAnonymous(widget);
    const socket = await open({ token: anon.token });
    const reason = nextDisconnect(socket);
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget) }, { token: anon.token });
    expect(identified.status).toBe(200);
    expect(await reason).toBe('io server disconnect');
    const fresh = await open({ token: identified.body.token });
    expect(fresh.connected).toBe(true);
  });

  it('delivers to an identified user’s sockets on every device', async () => {
    const sub = `user-${randomUUID()}`;
    const login = async () => {
      const anon = await startAnonymous(widget);
      const res = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub }) }, { token: anon.token });
      expect(res.status).toBe(200);
      return res.body.token as string;
    };
    const [phone, laptop] = [await login(), await login()];
    const conversationId = await newConversation(phone);
    const onLaptop = messages(await open({ token: laptop }));
    const message = await agentSays(conversationId, 'to every device');
    await arrived(onLaptop, message.id);
  });

  it('works over HTTP long-polling only, through the gateway', async () => {
    const visitor = await startAnonymous(widget);
    const conversationId = await newConversation(visitor.token);
    const socket = await open({ token: visitor.token, transports: ['polling'] });
    expect(socket.io.engine.transport.name).toBe('polling');
    const seen = messages(socket);
    const message = await agentSays(conversationId, 'over polling');
    expect((await arrived(seen, message.id)).payload.message.text).toBe('over polling');
  });

  describe('several realtime replicas', () => {
    it('delivers a message to sockets on either replica', async () => {
      const replica = await spawnRealtimeReplica(stack);
      try {
        const visitor = await startAnonymous(widget);
        const conversationId = await newConversation(visitor.token);
        const viaGateway = messages(await open({ token: visitor.token }));
        const onSecond = messages(await open({ token: visitor.token }, replica.url));
        const message = await agentSays(conversationId, 'to both replicas');
        await Promise.all([arrived(viaGateway, message.id), arrived(onSecond, message.id)]);
      } finally {
        await replica.stop();
      }
    });

    it('on SIGTERM drains: clients see a transport close (and reconnect elsewhere), the process exits 0', async () => {
      const replica = await spawnRealtimeReplica(stack);
      const visitor = await startAnonymous(widget);
      const socket = await open({ token: visitor.token }, replica.url);
      const reason = nextDisconnect(socket);
      const exited = replica.stop('SIGTERM');
      expect(await reason).toBe('transport close');
      expect(await exited).toBe(0);
    });
  });
});
