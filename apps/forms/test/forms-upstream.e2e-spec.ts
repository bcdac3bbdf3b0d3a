import { AdminApi, Api, Stack, startStack, TEST_ORIGIN } from '@widget/testing';
import { Client } from 'pg';

/** Its own stack, without the conversation service: the ticket cannot be opened until one is started. */
describe('forms: the conversation service unreachable', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ services: ['session', 'forms'], realtime: false, env: { NATS_REQUEST_TIMEOUT_MS: '1500' } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 503 upstream_unavailable, stores no half-done submission, and a retry succeeds', async () => {
    const admin = new AdminApi(stack.baseUrl, stack.adminKey);
    const api = new Api(`${stack.baseUrl}/widget/v1`, TEST_ORIGIN);
    const ws = await admin.post('/workspaces', { name: 'upstream' });
    const form = await admin.post(`/workspaces/${ws.body.id}/forms`, { name: 'Help', fields: [{ key: 'q', label: 'Question', type: 'textarea', required: true }] });
    expect(form.status).toBe(201);
    const widget = await admin.post(`/workspaces/${ws.body.id}/widgets`, { allowedOrigins: [TEST_ORIGIN], forms: { visibleFormIds: [form.body.id] } });
    const session = await api.post('/sessions/anonymous', { workspaceId: ws.body.id, widgetId: widget.body.widget.id });
    const token = session.body.token;
    const body = { values: { q: 'Where is my order?' }, clientSubmissionId: 'retry-me' };

    const failed = await api.post(`/forms/${form.body.id}/submissions`, body, { token });
    expect(failed.status).toBe(503);
    expect(failed.body.error).toMatchObject({ code: 'internal_error', reason: 'upstream_unavailable', recoverable: true, requestId: failed.headers.get('x-request-id') });
    const keyless = await api.post(`/forms/${form.body.id}/submissions`, { values: { q: 'No key' } }, { token });
    expect(keyless.status).toBe(503);

    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const half = await db.query(`SELECT count(*)::int AS n FROM forms.submissions WHERE status = 'completed' OR conversation_id IS NOT NULL`);
      expect(half.rows[0].n).toBe(0);

      await stack.spawn('conversation');
      const retried = await api.post(`/forms/${form.body.id}/submissions`, body, { token });
      expect(retried.status).toBe(201);
      const replay = await api.post(`/forms/${form.body.id}/submissions`, body, { token });
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual(retried.body);
      const keylessRetry = await api.post(`/forms/${form.body.id}/submissions`, { values: { q: 'No key' } }, { token });
      expect(keylessRetry.status).toBe(201);

      const conversations = await api.get('/conversations', { token });
      expect(conversations.status).toBe(200);
      expect(conversations.body.data.map((c: { id: string }) => c.id).sort()).toEqual([retried.body.conversationId, keylessRetry.body.conversationId].sort());
      // The failed keyless attempt was reused by its retry, not left behind.
      const rows = await db.query(`SELECT status FROM forms.submissions`);
      expect(rows.rows.map((r) => r.status)).toEqual(['completed', 'completed']);
    } finally {
      await db.end();
    }
  }, 60_000);
});
