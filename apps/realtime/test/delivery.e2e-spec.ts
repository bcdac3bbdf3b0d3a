import { ConversationEvents, SessionEvents, VisitorEvent } from '@widget/contracts';
import {
  createTestWidget,
  harnessNatsOptions,
  nextDisconnect,
  nextEvent,
  openSocket,
  recordEvents,
  startAnonymous,
  testStack,
  TestWidget,
} from '@widget/testing';
import { connect, JSONCodec, NatsConnection } from 'nats';
import type { Socket } from 'socket.io-client';

const stack = testStack();
const codec = JSONCodec();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Delivery by audience, driven by events published straight onto NATS the
 * way the conversation service's outbox does (`{ pattern, data }`), so this
 * file checks realtime's routing alone.
 */
describe('realtime delivery (NATS event → the audience’s sockets only)', () => {
  let nc: NatsConnection;
  let widget: TestWidget;
  const sockets: Socket[] = [];
  const open = async (token: string) => {
    const socket = await openSocket(stack.baseUrl, { token });
    sockets.push(socket);
    return socket;
  };

  function publish<T>(subject: string, type: string, audience: VisitorEvent<T>['audience'], payload: T): VisitorEvent<T> {
    const event: VisitorEvent<T> = { id: `evt_${Math.random().toString(36).slice(2)}`, type, createdAt: new Date().toISOString(), audience, payload };
    nc.publish(subject, codec.encode({ pattern: subject, data: event }));
    return event;
  }

  beforeAll(async () => {
    nc = await connect(harnessNatsOptions(stack));
    widget = await createTestWidget(stack);
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await nc.close();
  });

  it('delivers an event to every socket of the owning session, as { id, type, createdAt, payload }', async () => {
    const visitor = await startAnonymous(widget);
    const [tab1, tab2] = [await open(visitor.token), await open(visitor.token)];
    const audience = { workspaceId: widget.workspaceId, sessionId: visitor.sessionId, userId: null };
    const got = Promise.all([nextEvent(tab1, 'unread.changed'), nextEvent(tab2, 'unread.changed')]);
    const sent = publish(ConversationEvents.unreadChanged.subject, 'unread.changed', audience, { count: 3 });
    const [a, b] = await got;
    expect(a).toEqual({ id: sent.id, type: 'unread.changed', createdAt: sent.createdAt, payload: { count: 3 } });
    expect(b).toEqual(a);
    expect(a).not.toHaveProperty('audience');
  });

  it('never shows a session another session’s events', async () => {
    const alice = await startAnonymous(widget);
    const bob = await startAnonymous(widget);
    const [aliceSocket, bobSocket] = [await open(alice.token), await open(bob.token)];
    const bobSaw = recordEvents(bobSocket, 'typing.start');
    const aliceGot = nextEvent(aliceSocket, 'typing.start');
    const payload = { conversationId: 'conv_01J00000000000000000000000', author: { type: 'agent' as const, id: 'op-1', name: 'Op' } };
    publish(ConversationEvents.typingStart.subject, 'typing.start', { workspaceId: widget.workspaceId, sessionId: alice.sessionId, userId: null }, payload);
    expect((await aliceGot).payload).toEqual(payload);
    // An event addressed to nobody reaches nobody.
    const aliceLater = recordEvents(aliceSocket, 'typing.stop');
    publish(ConversationEvents.typingStop.subject, 'typing.stop', { workspaceId: widget.workspaceId, sessionId: null, userId: null }, payload);
    await sleep(300);
    expect(bobSaw).toEqual([]);
    expect(aliceLater).toEqual([]);
  });

  it('addresses an identified user’s events to the user’s sockets, not to a session of the same id space', async () => {
    const visitor = await startAnonymous(widget);
    const socket = await open(visitor.token);
    const seen = recordEvents(socket, 'conversation.updated');
    // The audience names a user this anonymous socket is not: the session id alone does not open the door.
    publish(ConversationEvents.conversationUpdated.subject, 'conversation.updated', { workspaceId: widget.workspaceId, sessionId: visitor.sessionId, userId: 'usr_01J00000000000000000000000' }, {});
    await sleep(300);
    expect(seen).toEqual([]);
  });

  it('disconnects the sockets of a revoked session (broadcast on NATS), and only those', async () => {
    const [gone, stays] = [await startAnonymous(widget), await startAnonymous(widget)];
    const [goneSocket, staysSocket] = [await open(gone.token), await open(stays.token)];
    const reason = nextDisconnect(goneSocket);
    nc.publish(SessionEvents.revoked.subject, codec.encode({ pattern: SessionEvents.revoked.subject, data: { sessionId: gone.sessionId, tokenHash: 'x', reason: 'shutdown' } }));
    expect(await reason).toBe('io server disconnect');
    await sleep(200);
    expect(staysSocket.connected).toBe(true);
  });

  it('disconnects on POST /sessions/shutdown', async () => {
    const visitor = await startAnonymous(widget);
    const socket = await open(visitor.token);
    const reason = nextDisconnect(socket);
    expect((await widget.api.post('/sessions/shutdown', undefined, { token: visitor.token })).status).toBe(204);
    expect(await reason).toBe('io server disconnect');
  });

  it('answers a malformed typing event with a validation_error ack', async () => {
    const visitor = await startAnonymous(widget);
    const socket = await open(visitor.token);
    for (const bad of [undefined, 'typing', { conversationId: 'nope', typing: true }, { conversationId: 'conv_01J00000000000000000000000', typing: 'yes' }, { conversationId: 'conv_01J00000000000000000000000', typing: true, extra: 1 }]) {
      const ack = await socket.timeout(5000).emitWithAck('typing', bad);
      expect(ack.error).toMatchObject({ code: 'validation_error' });
      expect(ack.error.requestId).toMatch(/^req_/);
    }
  });
});
