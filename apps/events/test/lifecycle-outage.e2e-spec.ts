import { domainEventStream, KnowledgeEvents, SUBJECT_PREFIX } from '@widget/contracts';
import { createTestWidget, harnessNatsOptions, RunningApp, Stack, startAnonymous, startStack, TestWidget } from '@widget/testing';
import { connect, JSONCodec } from 'nats';

/**
 * Lifecycle facts come from the JetStream stream of domain events through the
 * events service's durable consumer (docs/forms-events.md, "Lifecycle facts"):
 * on a stack of its own, the events service is stopped, the other services
 * go on producing facts, and once it is back every fact is recorded, once.
 */
describe('lifecycle facts survive an events outage', () => {
  let stack: Stack;
  let widget: TestWidget;
  let events: RunningApp;

  const countOf = async (type: string): Promise<number> => {
    const res = await widget.admin.get(`/workspaces/${widget.workspaceId}/events/counts?type=${type}`);
    expect(res.status).toBe(200);
    return res.body.data.reduce((sum: number, row: { count: number }) => sum + row.count, 0);
  };

  /** Polls until the count reaches `expected`, then a little longer, so a duplicate recorded late would show. */
  async function expectCount(type: string, expected: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await countOf(type)) < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 300));
    expect({ type, count: await countOf(type) }).toEqual({ type, count: expected });
  }

  beforeAll(async () => {
    stack = await startStack({ services: ['session', 'team', 'conversation', 'events'], realtime: false });
    events = stack.apps.find((a) => a.name === 'events')!;
    widget = await createTestWidget(stack);
  }, 120_000);

  afterAll(async () => {
    await events?.stop();
    await stack?.stop();
  });

  it('facts produced while the events service is stopped are recorded when it is back, each once', async () => {
    // Up: a session, a conversation with its first message.
    const first = await startAnonymous(widget);
    const opened = await widget.api.post('/conversations', { message: 'before the outage' }, { token: first.token });
    expect(opened.status).toBe(201);
    await expectCount('widget.message_sent', 1);

    expect(await events.stop('SIGTERM')).toBe(0);

    // Down: another session and conversation, three more messages, an article viewed (published twice, as a redelivery would be).
    const second = await startAnonymous(widget);
    const another = await widget.api.post('/conversations', { message: 'during the outage' }, { token: second.token });
    expect(another.status).toBe(201);
    for (let i = 0; i < 3; i++) {
      const sent = await widget.api.post(`/conversations/${opened.body.id}/messages`, { text: `still here ${i}` }, { token: first.token });
      expect(sent.status).toBe(201);
    }
    const nc = await connect(harnessNatsOptions(stack));
    try {
      const codec = JSONCodec();
      // This stack's namespace, not the shared stack's this process's contracts were built for.
      const subject = `${stack.env.NATS_SUBJECT_PREFIX}${KnowledgeEvents.articleViewed.subject.slice(SUBJECT_PREFIX.length)}`;
      const view = { workspaceId: widget.workspaceId, widgetId: widget.widgetId, sessionId: second.sessionId, articleId: 'art_01JDDDDDDDDDDDDDDDDDDDDDDD', at: new Date().toISOString() };
      for (let i = 0; i < 2; i++) nc.publish(subject, codec.encode({ pattern: subject, data: view }));
      await nc.flush();
    } finally {
      await nc.close();
    }

    events = await events.restart();
    await expectCount('widget.session_started', 2);
    await expectCount('widget.conversation_started', 2);
    await expectCount('widget.message_sent', 5);
    await expectCount('widget.article_viewed', 1);
  }, 120_000);

  it('acknowledges what it recorded as the answer to each delivery: the consumer’s ack floor reaches the stream’s end', async () => {
    const more = await startAnonymous(widget);
    expect((await widget.api.post('/conversations', { message: 'after the outage' }, { token: more.token })).status).toBe(201);
    await expectCount('widget.conversation_started', 3);
    const nc = await connect(harnessNatsOptions(stack));
    try {
      const jsm = await nc.jetstreamManager();
      const stream = domainEventStream(stack.env.NATS_SUBJECT_PREFIX);
      const newest = (await jsm.streams.info(stream)).state.last_seq;
      // The events user acknowledges through its response permission (libs/contracts/src/access.ts): an ack that
      // nats-server refused would leave the floor behind until EVENT_ACK_WAIT_MS (30 s) delivered the event again.
      let info = await jsm.consumers.info(stream, 'events');
      for (let i = 0; i < 100 && info.ack_floor.stream_seq < newest; i++) {
        await new Promise((r) => setTimeout(r, 100));
        info = await jsm.consumers.info(stream, 'events');
      }
      expect({ newest, acknowledged: info.ack_floor.stream_seq >= newest }).toEqual({ newest, acknowledged: true });
    } finally {
      await nc.close();
    }
  }, 60_000);
});
