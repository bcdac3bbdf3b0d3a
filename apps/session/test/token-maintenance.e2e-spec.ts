import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTestWidget, RunningApp, spawnApp, startAnonymous, testStack } from '@widget/testing';

const stack = testStack();
jest.setTimeout(90_000);

/** Issue 13: a maintenance timer in the session service deletes expired realtime tokens and used JWT ids. */
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

  it('purges expired realtime tokens and JWT ids a day past expiry, and keeps live ones', async () => {
    const widget = await createTestWidget(stack);
    const { sessionId } = await startAnonymous(widget);
    const tag = randomUUID();
    await db.query(
      `INSERT INTO session.realtime_tokens (token_hash, session_id, expires_at) VALUES ($1, $3, now() - interval '1 minute'), ($2, $3, now() + interval '1 hour')`,
      [`expired-${tag}`, `live-${tag}`, sessionId],
    );
    await db.query(
      `INSERT INTO session.used_jtis (widget_id, jti, expires_at) VALUES ($1, $2, now() - interval '2 days'), ($1, $3, now() - interval '1 hour')`,
      [widget.widgetId, `old-${tag}`, `recent-${tag}`],
    );
    const remaining = async () => ({
      tokens: (await db.query(`SELECT token_hash FROM session.realtime_tokens WHERE token_hash LIKE $1 ORDER BY 1`, [`%${tag}`])).rows.map((r) => r.token_hash),
      jtis: (await db.query(`SELECT jti FROM session.used_jtis WHERE jti LIKE $1 ORDER BY 1`, [`%${tag}`])).rows.map((r) => r.jti),
    });
    // Wait for a maintenance pass (every second on the replica) rather than timing one.
    let state = await remaining();
    while (state.tokens.length > 1 || state.jtis.length > 1) {
      await new Promise((r) => setTimeout(r, 200));
      state = await remaining();
    }
    expect(state).toEqual({ tokens: [`live-${tag}`], jtis: [`recent-${tag}`] });
  });
});
