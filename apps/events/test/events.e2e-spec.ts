import { createTestWidget, expectEnvelope, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { Client } from 'pg';

const stack = testStack();
const today = () => new Date().toISOString().slice(0, 10);

/** Lifecycle facts arrive asynchronously over NATS: poll the counts until they show. */
async function waitForCount(widget: TestWidget, type: string, atLeast: number): Promise<number> {
  let count = 0;
  for (let i = 0; i < 50; i++) {
    const res = await widget.admin.get(`/workspaces/${widget.workspaceId}/events/counts?type=${type}`);
    count = res.body.data.reduce((sum: number, row: { count: number }) => sum + row.count, 0);
    if (count >= atLeast) return count;
    await new Promise((r) => setTimeout(r, 100));
  }
  return count;
}

describe('events (gateway → NATS → events service → PostgreSQL)', () => {
  let widget: TestWidget;
  let token: string;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    ({ token } = await startAnonymous(widget));
  });

  it('accepts good events, rejects bad ones by index, and counts duplicates within the batch', async () => {
    const events = [
      { id: 'mix-1', type: 'page_view', properties: { path: '/pricing' } },
      'not an object',
      { id: 'mix-2', type: 'widget.session_started' },
      { id: 'mix-3' },
      { id: 'mix-4', type: 'x', occurredAt: new Date(Date.now() + 3600_000).toISOString() },
      { id: 'mix-5', type: 'x', occurredAt: '2001-01-01T00:00:00Z' },
      { id: 'mix-6', type: 'x', occurredAt: 'yesterday' },
      { id: 'has:colon', type: 'x' },
      { id: 'mix-7', type: 'x', extra: true },
      { id: 'mix-8', type: 'x', properties: { blob: 'a'.repeat(5000) } },
      { id: 'mix-9', type: '9starts-with-digit' },
      { id: 'mix-10', type: 'x', properties: [1, 2] },
      { id: 'mix-1', type: 'page_view' },
      { type: 'button_click' },
      { type: 'button_click' },
      null,
    ];
    const res = await widget.api.post('/events', { events }, { token });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 3,
      duplicates: 1,
      rejected: [
        { index: 1, reason: 'not_an_object' },
        { index: 2, reason: 'reserved_type' },
        { index: 3, reason: 'type_required' },
        { index: 4, reason: 'occurred_at_in_future' },
        { index: 5, reason: 'occurred_at_too_old' },
        { index: 6, reason: 'invalid_occurred_at' },
        { index: 7, reason: 'invalid_id' },
        { index: 8, reason: 'unknown_keys' },
        { index: 9, reason: 'too_large' },
        { index: 10, reason: 'invalid_type' },
        { index: 11, reason: 'invalid_properties' },
        { index: 15, reason: 'not_an_object' },
      ],
    });
  });

  it('rejects only the event whose properties PostgreSQL cannot store (\\u0000, a lone surrogate), not its batch', async () => {
    const events = [
      { id: 'nul-1', type: 'x', properties: { s: 'a\u0000b' } },
      { id: 'nul-2', type: 'x', properties: { s: '\ud800' } },
      { id: 'nul-3', type: 'x', properties: { s: 'fine 😀', literal: '\\u0000' } },
    ];
    const res = await widget.api.post('/events', { events }, { token });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        { index: 0, reason: 'invalid_properties' },
        { index: 1, reason: 'invalid_properties' },
      ],
    });
  });

  it('de-duplicates across batches, and gives id-less events their own evt_ ids, attributed to the session', async () => {
    const first = await widget.api.post('/events', { events: [{ id: 'cross-1', type: 'a' }, { id: 'cross-2', type: 'a' }] }, { token });
    expect(first.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const again = await widget.api.post('/events', { events: [{ id: 'cross-2', type: 'a' }, { id: 'cross-3', type: 'a' }] }, { token });
    expect(again.body).toEqual({ accepted: 1, duplicates: 1, rejected: [] });

    const session = await startAnonymous(widget);
    const anon = await widget.api.post('/events', { events: [{ type: 'idless' }, { type: 'idless' }] }, { token: session.token });
    expect(anon.body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const rows = await db.query(`SELECT event_id, workspace_id, widget_id, session_id, source FROM events.events WHERE type = 'idless' AND session_id = $1`, [session.sessionId]);
      expect(rows.rows).toHaveLength(2);
      for (const row of rows.rows) {
        expect(row.event_id).toMatch(/^evt_[0-9A-Z]{26}$/);
        expect(row).toMatchObject({ workspace_id: widget.workspaceId, widget_id: widget.widgetId, source: 'client' });
      }
    } finally {
      await db.end();
    }
  });

  it('stores each id once under concurrent batches (a unique constraint, not check-then-insert)', async () => {
    const events = Array.from({ length: 50 }, (_, i) => ({ id: `race-${i}`, type: 'race' }));
    const replies = await Promise.all(Array.from({ length: 6 }, () => widget.api.post('/events', { events }, { token })));
    for (const r of replies) expect(r.status).toBe(202);
    expect(replies.reduce((s, r) => s + r.body.accepted, 0)).toBe(50);
    expect(replies.reduce((s, r) => s + r.body.duplicates, 0)).toBe(250);
    expect(await waitForCount(widget, 'race', 50)).toBe(50);
  });

  it('takes a full batch of 100 events of almost 4 KB each (above the general body limit)', async () => {
    const events = Array.from({ length: 100 }, (_, i) => ({ id: `big-${i}`, type: 'big', properties: { pad: 'p'.repeat(3900) } }));
    const res = await widget.api.post('/events', { events }, { token });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ accepted: 100, duplicates: 0, rejected: [] });
  });

  it('refuses the whole request when the batch is not an array, too long, or has unknown keys', async () => {
    const tooMany = Array.from({ length: 101 }, () => ({ type: 'x' }));
    const over = await widget.api.post('/events', { events: tooMany }, { token });
    expectEnvelope(over, 400, 'validation_error');
    expect(over.body.error.details[0].field).toBe('events');
    expectEnvelope(await widget.api.post('/events', { events: { type: 'x' } }, { token }), 400, 'validation_error');
    expectEnvelope(await widget.api.post('/events', {}, { token }), 400, 'validation_error');
    expectEnvelope(await widget.api.post('/events', { events: [], more: 1 }, { token }), 400, 'validation_error');
    expectEnvelope(await widget.api.post('/events', undefined, { token, raw: '{"events": [' }), 400, 'validation_error');
    expect((await widget.api.post('/events', { events: [] }, { token })).body).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
  });

  it('answers auth_required, invalid_token, invalid_origin and feature_disabled with the envelope', async () => {
    const body = { events: [{ type: 'x' }] };
    expectEnvelope(await widget.api.post('/events', body), 401, 'auth_required');
    expectEnvelope(await widget.api.post('/events', body, { token: 'wst_nope' }), 401, 'invalid_token');
    expectEnvelope(await widget.api.post('/events', body, { token, origin: null }), 403, 'invalid_origin', 'origin_missing');
    expectEnvelope(await widget.api.post('/events', body, { token, origin: 'https://evil.example.com' }), 403, 'invalid_origin', 'origin_not_allowed');
    const off = await createTestWidget(stack, { features: { events: false } });
    const offSession = await startAnonymous(off);
    expectEnvelope(await off.api.post('/events', body, { token: offSession.token }), 403, 'widget_disabled', 'feature_disabled');
  });

  it('counts events per type and UTC day for a workspace, and records lifecycle facts itself', async () => {
    const own = await createTestWidget(stack);
    const s1 = await startAnonymous(own);
    await startAnonymous(own);
    await own.api.post('/events', { events: [{ type: 'clicked' }, { type: 'clicked' }, { type: 'opened' }] }, { token: s1.token });

    expect(await waitForCount(own, 'widget.session_started', 2)).toBe(2);
    const all = await own.admin.get(`/workspaces/${own.workspaceId}/events/counts?from=${today()}&to=${today()}`);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ workspaceId: own.workspaceId, from: today(), to: today() });
    expect(all.body.data).toEqual(
      expect.arrayContaining([
        { day: today(), type: 'clicked', count: 2 },
        { day: today(), type: 'opened', count: 1 },
        { day: today(), type: 'widget.session_started', count: 2 },
      ]),
    );
    const one = await own.admin.get(`/workspaces/${own.workspaceId}/events/counts?type=clicked`);
    expect(one.body.data).toEqual([{ day: today(), type: 'clicked', count: 2 }]);
    // Another workspace sees nothing of these.
    const other = await widget.admin.get(`/workspaces/${widget.workspaceId}/events/counts?type=clicked`);
    expect(other.body.data).toEqual([]);
  });

  it('refuses bad count queries with the envelope', async () => {
    const base = `/workspaces/${widget.workspaceId}/events/counts`;
    expectEnvelope(await widget.admin.get(`${base}?from=2025-02-30`), 400, 'validation_error');
    expectEnvelope(await widget.admin.get(`${base}?from=2025-03-02&to=2025-03-01`), 400, 'validation_error');
    expectEnvelope(await widget.admin.get(`${base}?from=2020-01-01&to=2025-01-01`), 400, 'validation_error');
    expectEnvelope(await widget.admin.get(`${base}?bogus=1`), 400, 'validation_error');
    expectEnvelope(await widget.admin.get(`/workspaces/nope/events/counts`), 404, 'not_found');
    const noKey = await fetch(`${stack.baseUrl}/admin/v1${base}`);
    expect(noKey.status).toBe(401);
    expect((await noKey.json()).error.code).toBe('auth_required');
  });
});
