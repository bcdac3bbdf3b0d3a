import { newId } from '@widget/common';
import { createTestWidget, freePort, startAnonymous, startStack, Stack } from '@widget/testing';
import { ChildProcess, spawn } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { Client } from 'pg';
import { EventLog } from './helpers';

const NATS_SERVER = '/usr/sbin/nats-server';

/** A private nats-server, so this test can take NATS away from the stack without touching anyone else's. */
class PrivateNats {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(NATS_SERVER, ['-a', '127.0.0.1', '-p', String(this.port)], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('nats-server did not start');
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('outbox relay: events committed while NATS is away still arrive', () => {
  let nats: PrivateNats;
  let stack: Stack;
  let events: EventLog;
  let db: Client;

  beforeAll(async () => {
    nats = new PrivateNats(await freePort());
    await nats.start();
    // Same subject prefix as this test process's contracts, on a NATS server nobody else uses.
    stack = await startStack({
      services: ['session', 'conversation'],
      realtime: false,
      env: { NATS_URL: nats.url, NATS_SUBJECT_PREFIX: process.env.NATS_SUBJECT_PREFIX ?? '' },
    });
    events = await EventLog.open(nats.url, { reconnectTimeWait: 20 });
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  }, 30_000);

  afterAll(async () => {
    await events?.close().catch(() => undefined);
    await db?.end().catch(() => undefined);
    await stack?.stop();
    await nats?.stop();
  });

  it('publishes a pending outbox row once NATS is back, then marks it sent', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'hello', clientMessageId: 'relay-1' }, { token: me.token });
    expect(conv.status).toBe(201);
    await events.waitFor((e) => e.type === 'message.created' && e.payload.conversation.id === conv.body.id);

    await nats.stop();
    // A committed change whose event could not be published: the row the send transaction would leave behind.
    const eventId = newId('event');
    const audience = { workspaceId: widget.workspaceId, sessionId: me.sessionId, userId: null };
    const payload = { id: eventId, type: 'unread.changed', createdAt: new Date().toISOString(), audience, payload: { count: 7 } };
    await db.query(`INSERT INTO conversation.outbox (id, event, payload) VALUES ($1, 'unreadChanged', $2::jsonb)`, [eventId, JSON.stringify(payload)]);
    await new Promise((r) => setTimeout(r, 700));
    const pending = await db.query(`SELECT sent_at FROM conversation.outbox WHERE id = $1`, [eventId]);
    expect(pending.rows[0].sent_at).toBeNull();

    await nats.start();
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
