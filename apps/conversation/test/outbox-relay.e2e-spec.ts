import { newId } from '@widget/common';
import { createTestWidget, startAnonymous, startStack, Stack } from '@widget/testing';
import { Client } from 'pg';
import { EventLog } from './helpers';

describe('outbox relay: events committed while NATS is away still arrive', () => {
  let stack: Stack;
  let events: EventLog;
  let db: Client;

  beforeAll(async () => {
    // A stack of its own (its own nats-server, which this test takes away), with this test process's subject prefix.
    stack = await startStack({
      services: ['session', 'conversation'],
      realtime: false,
      env: { NATS_SUBJECT_PREFIX: process.env.NATS_SUBJECT_PREFIX ?? '' },
    });
    events = await EventLog.open(stack, { reconnectTimeWait: 20 });
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  }, 30_000);

  afterAll(async () => {
    await events?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await stack?.stop();
  });

  it('publishes a pending outbox row once NATS is back, then marks it sent', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'hello', clientMessageId: 'relay-1' }, { token: me.token });
    expect(conv.status).toBe(201);
    await events.waitFor((e) => e.type === 'message.created' && e.payload.conversation.id === conv.body.id);

    await stack.nats.stop();
    // A committed change whose event could not be published: the row the send transaction would leave behind.
    const eventId = newId('event');
    const audience = { workspaceId: widget.workspaceId, sessionId: me.sessionId, userId: null };
    const payload = { id: eventId, type: 'unread.changed', createdAt: new Date().toISOString(), audience, payload: { count: 7 } };
    await db.query(`INSERT INTO conversation.outbox (id, event, payload) VALUES ($1, 'unreadChanged', $2::jsonb)`, [eventId, JSON.stringify(payload)]);
    await new Promise((r) => setTimeout(r, 700));
    const pending = await db.query(`SELECT sent_at FROM conversation.outbox WHERE id = $1`, [eventId]);
    expect(pending.rows[0].sent_at).toBeNull();

    await stack.nats.start();
    const delivered = await events.waitFor((e) => e.id === eventId, 10_000);
    expect(delivered).toMatchObject({ type: 'unread.changed', audience, payload: { count: 7 } });

    const deadline = Date.now() + 5000;
    let sentAt: Date | null = null;
    while (!sentAt && Date.now() < deadline) {
      sentAt = (await db.query(`SELECT sent_at FROM conversation.outbox WHERE id = $1`, [eventId])).rows[0].sent_at;
      if (!sentAt) await new Promise((r) => setTimeout(r, 100));
    }
    expect(sentAt).toBeInstanceOf(Date);
    expect(events.events.filter((e) => e.id === eventId)).toHaveLength(1);

    // And the live path works again.
    const after = await widget.api.post(`/conversations/${conv.body.id}/messages`, { text: 'back', clientMessageId: 'relay-2' }, { token: me.token });
    expect(after.status).toBe(201);
    await events.waitFor((e) => e.type === 'message.created' && e.payload.message.id === after.body.id, 10_000);
  }, 30_000);
});
