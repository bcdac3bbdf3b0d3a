import { KnowledgeEvents, SessionEvents } from '@widget/contracts';
import { createTestWidget, harnessNatsOptions, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { connect, JSONCodec } from 'nats';

const stack = testStack();

async function countOf(widget: TestWidget, type: string): Promise<number> {
  const res = await widget.admin.get(`/workspaces/${widget.workspaceId}/events/counts?type=${type}`);
  expect(res.status).toBe(200);
  return res.body.data.reduce((sum: number, row: { count: number }) => sum + row.count, 0);
}

/** Lifecycle facts arrive through JetStream after the request returns: poll until the count settles on `expected`. */
async function expectCount(widget: TestWidget, type: string, expected: number): Promise<void> {
  let count = 0;
  for (let i = 0; i < 50; i++) {
    count = await countOf(widget, type);
    if (count >= expected) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  // A little longer, so a duplicate recorded late would show.
  await new Promise((r) => setTimeout(r, 200));
  expect(await countOf(widget, type)).toBe(expected);
}

describe('lifecycle facts recorded by the services themselves', () => {
  it('counts sessions started and identified, conversations started and messages the visitor sent', async () => {
    const widget = await createTestWidget(stack);
    const anon = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { subject: 'Hi', message: 'Hello there' }, { token: anon.token });
    expect(conv.status).toBe(201);
    const sent = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'Anyone?', clientMessageId: 'm-1' }, { token: anon.token });
    expect(sent.status).toBe(201);
    // An agent reply is not widget activity.
    const reply = await widget.admin.post(`/conversations/${conv.body.id}/messages`, { text: 'Yes!', author: { id: 'agent-1', name: 'Sam' } });
    expect(reply.status).toBe(201);
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget) }, { token: anon.token });
    expect(identified.status).toBe(200);

    await expectCount(widget, 'widget.session_started', 2);
    await expectCount(widget, 'widget.session_identified', 1);
    await expectCount(widget, 'widget.conversation_started', 1);
    await expectCount(widget, 'widget.message_sent', 2);
  });

  it('records a redelivered domain event once (its id comes from the natural key)', async () => {
    const widget = await createTestWidget(stack);
    const nc = await connect(harnessNatsOptions(stack));
    const codec = JSONCodec();
    const publish = (subject: string, data: unknown) => nc.publish(subject, codec.encode({ pattern: subject, data }));
    try {
      const at = new Date().toISOString();
      const view = { workspaceId: widget.workspaceId, widgetId: widget.widgetId, sessionId: 'ses_01JAAAAAAAAAAAAAAAAAAAAAAA', articleId: 'art_01JAAAAAAAAAAAAAAAAAAAAAAA', at };
      const started = { sessionId: 'ses_01JBBBBBBBBBBBBBBBBBBBBBBB', workspaceId: widget.workspaceId, widgetId: widget.widgetId, identityType: 'anonymous', at };
      for (let i = 0; i < 3; i++) {
        publish(KnowledgeEvents.articleViewed.subject, view);
        publish(SessionEvents.started.subject, started);
      }
      publish(KnowledgeEvents.articleViewed.subject, { ...view, at: new Date(Date.now() + 1).toISOString() });
      await nc.flush();
      await expectCount(widget, 'widget.article_viewed', 2);
      await expectCount(widget, 'widget.session_started', 1);

      // Later, in a batch of its own beside a new fact: the stored one is skipped, the new one kept.
      publish(SessionEvents.started.subject, started);
      publish(KnowledgeEvents.articleViewed.subject, { ...view, at: new Date(Date.now() + 2).toISOString() });
      await nc.flush();
    } finally {
      await nc.close();
    }
    await expectCount(widget, 'widget.article_viewed', 3);
    await expectCount(widget, 'widget.session_started', 1);
  });
});
