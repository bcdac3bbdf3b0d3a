import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestWidget, RunningApp, spawnApp, startAnonymous, testStack } from '@widget/testing';

const stack = testStack();
jest.setTimeout(90_000);

/** Issue 13: a maintenance timer in the session service deletes used JWT ids a day past their expiry (realtime tokens are signed; nothing is stored for them since issue 26). */
describe('session service maintenance', () => {
  let db: Client;
  let replica: RunningApp;

  beforeAll(async () => {
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    replica = await spawnApp(stack, 'session', { SESSION_MAINTENANCE_INTERVAL_MS: '1000' });
  });
  afterAll(async () => {
    await replica?.stop();
    await db?.end();
  });

  it('purges JWT ids a day past expiry, keeps recent ones, and stores nothing for realtime tokens', async () => {
    const widget = await createTestWidget(stack);
    const visitor = await startAnonymous(widget);
    expect((await widget.api.post('/sessions/realtime-token', undefined, { token: visitor.token })).status).toBe(200);
    const tables = await db.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'session' AND table_name LIKE '%realtime%'`);
    expect(tables.rows).toEqual([]);
    const tag = randomUUID();
    await db.query(
      `INSERT INTO session.used_jtis (widget_id, jti, expires_at) VALUES ($1, $2, now() - interval '2 days'), ($1, $3, now() - interval '1 hour')`,
      [widget.widgetId, `old-${tag}`, `recent-${tag}`],
    );
    const remaining = async () => ({
      jtis: (await db.query(`SELECT jti FROM session.used_jtis WHERE jti LIKE $1 ORDER BY 1`, [`%${tag}`])).rows.map((r) => r.jti),
    });
    // Wait for a maintenance pass (every second on the replica) rather than timing one.
    let state = await remaining();
    while (state.jtis.length > 1) {
      await new Promise((r) => setTimeout(r, 200));
      state = await remaining();
    }
    expect(state).toEqual({ jtis: [`recent-${tag}`] });
  });
});
