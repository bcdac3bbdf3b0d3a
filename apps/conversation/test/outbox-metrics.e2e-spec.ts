import { createTestWidget, metricSample as sample, scrapeMetrics, scrapeMetricsUntil, startAnonymous, startStack, Stack } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * The outbox backlog gauges on the conversation service's /metrics, read from
 * PostgreSQL on each scrape. A private stack whose poller waits a minute, so a
 * row this test writes itself stays pending while it looks.
 */
describe('conversation /metrics: outbox backlog', () => {
  let stack: Stack;
  let db: Client;
  let serviceUrl: string;

  const scrape = () => scrapeMetrics(serviceUrl);
  const backlogReaches = (expected: number) => scrapeMetricsUntil(serviceUrl, 'outbox_backlog', expected);

  beforeAll(async () => {
    stack = await startStack({ services: ['session', 'conversation'], realtime: false, env: { OUTBOX_POLL_MS: '60000' } });
    serviceUrl = stack.apps.find((a) => a.name === 'conversation')!.url;
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  }, 40_000);

  afterAll(async () => {
    await db?.end().catch(() => undefined);
    await stack?.stop();
  });

  it('shows both gauges with the service label, at 0 on an empty outbox', async () => {
    const text = await scrape();
    expect(text).toContain('# TYPE outbox_backlog gauge');
    expect(text).toContain('outbox_backlog{service="conversation"} 0');
    expect(text).toContain('outbox_backlog_age_seconds{service="conversation"} 0');
  });

  it('reads 0 once a sent message’s events are published', async () => {
    const widget = await createTestWidget(stack);
    const me = await startAnonymous(widget);
    const conv = await widget.api.post('/conversations', { message: 'hello', clientMessageId: randomUUID() }, { token: me.token });
    expect(conv.status).toBe(201);
    const text = await backlogReaches(0);
    expect(sample(text, 'outbox_backlog')).toBe(0);
    expect(sample(text, 'outbox_backlog_age_seconds')).toBe(0);
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM conversation.outbox WHERE sent_at IS NOT NULL AND payload->'payload'->'conversation'->>'id' = $1`, [conv.body.id]);
    expect(rows[0].n).toBeGreaterThanOrEqual(1);
  });

  it('counts an unsent row and its age, and drops back to 0 once it is sent', async () => {
    const id = `evt_metrics${randomUUID().replace(/-/g, '')}`;
    await db.query(`INSERT INTO conversation.outbox (id, event, payload, created_at) VALUES ($1, 'metricsProbe', '{}'::jsonb, now() - interval '90 seconds')`, [id]);
    let text = await scrape();
    expect(sample(text, 'outbox_backlog')).toBe(1);
    expect(sample(text, 'outbox_backlog_age_seconds')).toBeGreaterThanOrEqual(90);
    expect(sample(text, 'outbox_backlog_age_seconds')).toBeLessThan(120);

    await db.query(`UPDATE conversation.outbox SET sent_at = now() WHERE id = $1`, [id]);
    text = await scrape();
    expect(sample(text, 'outbox_backlog')).toBe(0);
    expect(sample(text, 'outbox_backlog_age_seconds')).toBe(0);
  });
});
