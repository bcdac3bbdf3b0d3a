import { IdempotencyStore } from '@widget/common';
import { AdminApi, Api, createTestWidget, expectEnvelope as expectError, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';

const stack = testStack();
const N = 8;

/** The operator API with an Idempotency-Key header. */
function withKey(key: string) {
  const api = new Api(`${stack.baseUrl}/admin/v1`);
  return (path: string, body: unknown) => api.post(path, body, { token: stack.adminKey, headers: { 'idempotency-key': key } });
}

describe('Idempotency-Key on operator creates (SPEC §9)', () => {
  let widget: TestWidget;
  let visitor: { token: string };
  let conversationId: string;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    visitor = await startAnonymous(widget);
    conversationId = (await widget.api.post('/conversations', { message: 'help' }, { token: visitor.token })).body.id;
  });

  const messageTexts = async () =>
    (await widget.api.get(`/conversations/${conversationId}/messages?limit=100`, { token: visitor.token })).body.data.map((m: { text: string }) => m.text) as string[];
  const reply = (text: string) => ({ text, author: { id: 'agent-1', name: 'Grace' } });

  it('an agent reply retried with the same key returns the first message and posts nothing twice', async () => {
    const post = withKey(randomUUID());
    const first = await post(`/conversations/${conversationId}/messages`, reply('Once only'));
    const again = await post(`/conversations/${conversationId}/messages`, reply('Once only'));
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect((await messageTexts()).filter((t) => t === 'Once only')).toHaveLength(1);
  });

  it("an agent reply's clientMessageId (issue 21) is stored and sent back; sent again it answers the first, with other words it is 409", async () => {
    const admin = new Api(`${stack.baseUrl}/admin/v1`);
    const clientMessageId = randomUUID();
    const post = (text: string) => admin.post(`/conversations/${conversationId}/messages`, { ...reply(text), clientMessageId }, { token: stack.adminKey });
    const [first, again] = await Promise.all([post('By my id'), post('By my id')]);
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(first.body).toMatchObject({ text: 'By my id', clientMessageId, author: { type: 'agent', id: 'agent-1' } });
    expect(again.body).toEqual(first.body);
    expectError(await post('Other words'), 409, 'validation_error', 'client_message_id_reused');
    expect((await messageTexts()).filter((t) => t === 'By my id')).toHaveLength(1);
    expect(await messageTexts()).not.toContain('Other words');
    const seen = (await widget.api.get(`/conversations/${conversationId}/messages?limit=100`, { token: visitor.token })).body.data.find((m: { text: string }) => m.text === 'By my id');
    expect(seen.clientMessageId).toBe(clientMessageId);
  });

  it(`${N} concurrent identical requests → exactly one message, every reply the same`, async () => {
    const post = withKey(randomUUID());
    const replies = await Promise.all(Array.from({ length: N }, () => post(`/conversations/${conversationId}/messages`, reply('Concurrent'))));
    expect(replies.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(new Set(replies.map((r) => r.body.id)).size).toBe(1);
    expect((await messageTexts()).filter((t) => t === 'Concurrent')).toHaveLength(1);
  });

  it('the same key with another body, or on another conversation → 409 validation_error idempotency_key_reused, nothing stored', async () => {
    const post = withKey(randomUUID());
    expect((await post(`/conversations/${conversationId}/messages`, reply('Original'))).status).toBe(201);
    expectError(await post(`/conversations/${conversationId}/messages`, reply('Changed')), 409, 'validation_error', 'idempotency_key_reused');
    const other = (await widget.api.post('/conversations', { message: 'other' }, { token: visitor.token })).body.id;
    expectError(await post(`/conversations/${other}/messages`, reply('Original')), 409, 'validation_error', 'idempotency_key_reused');
    expect(await messageTexts()).not.toContain('Changed');
  });

  it('without the header every POST creates; a malformed key → 400; a failed create stores no key', async () => {
    const admin = new AdminApi(stack.baseUrl, stack.adminKey);
    await admin.post(`/conversations/${conversationId}/messages`, reply('No key'));
    await admin.post(`/conversations/${conversationId}/messages`, reply('No key'));
    expect((await messageTexts()).filter((t) => t === 'No key')).toHaveLength(2);
    expectError(await withKey('x'.repeat(256))(`/conversations/${conversationId}/messages`, reply('bad key')), 400, 'validation_error');
    const post = withKey(randomUUID());
    expectError(await post('/conversations/conv_01HZZZZZZZZZZZZZZZZZZZZZZZ/messages', reply('lost')), 404, 'conversation_not_found');
    expectError(await post(`/conversations/${conversationId}/messages`, { text: '' , author: { id: 'a' } }), 400, 'message_invalid');
  });

  it('every other operator create: workspaces, widgets (same secret), collections, articles, forms — concurrent retries make one', async () => {
    const wsKey = withKey(randomUUID());
    const workspaces = await Promise.all(Array.from({ length: N }, () => wsKey('/workspaces', { name: 'Idem' })));
    expect(workspaces.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(new Set(workspaces.map((r) => r.body.id)).size).toBe(1);
    const workspaceId = workspaces[0].body.id;

    const widgetKey = withKey(randomUUID());
    const widgets = await Promise.all(Array.from({ length: N }, () => widgetKey(`/workspaces/${workspaceId}/widgets`, { name: 'W' })));
    expect(widgets.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(new Set(widgets.map((r) => r.body.widget.id)).size).toBe(1);
    expect(new Set(widgets.map((r) => r.body.secret)).size).toBe(1);
    expect(widgets[0].body.secret).toMatch(/^whsec_/);

    const colKey = withKey(randomUUID());
    const cols = await Promise.all(Array.from({ length: N }, () => colKey(`/workspaces/${workspaceId}/collections`, { name: 'Docs' })));
    expect(new Set(cols.map((r) => r.body.id)).size).toBe(1);

    const artKey = withKey(randomUUID());
    const arts = await Promise.all(Array.from({ length: N }, () => artKey(`/workspaces/${workspaceId}/articles`, { title: 'T', body: '<p>b</p>', status: 'published' })));
    expect(arts.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(new Set(arts.map((r) => r.body.id)).size).toBe(1);

    const formKey = withKey(randomUUID());
    const form = { name: 'Bug', fields: [{ key: 'what', label: 'What', type: 'text', required: true }] };
    const forms = await Promise.all(Array.from({ length: N }, () => formKey(`/workspaces/${workspaceId}/forms`, form)));
    expect(forms.map((r) => r.status)).toEqual(Array(N).fill(201));
    expect(new Set(forms.map((r) => r.body.id)).size).toBe(1);

    const admin = new AdminApi(stack.baseUrl, stack.adminKey);
    expect((await admin.get(`/workspaces/${workspaceId}/collections`)).body.data).toHaveLength(1);
    expect((await admin.get(`/workspaces/${workspaceId}/articles`)).body.data).toHaveLength(1);
    expectError(await formKey(`/workspaces/${workspaceId}/forms`, { ...form, name: 'Other' }), 409, 'validation_error', 'idempotency_key_reused');
  });

  it('a key older than 24 h counts as absent, and the purge removes it', async () => {
    const key = randomUUID();
    const post = withKey(key);
    const first = await post(`/conversations/${conversationId}/messages`, reply('Yesterday'));
    const pg = new Client({ connectionString: stack.databaseUrl });
    await pg.connect();
    try {
      await pg.query(`UPDATE conversation.idempotency_keys SET created_at = now() - interval '25 hours' WHERE key = $1`, [key]);
      const later = await post(`/conversations/${conversationId}/messages`, reply('Yesterday'));
      expect(later.status).toBe(201);
      expect(later.body.id).not.toBe(first.body.id);

      await pg.query(`INSERT INTO conversation.idempotency_keys (key, request_hash, created_at) VALUES ($1, 'h', now() - interval '25 hours')`, [`old-${key}`]);
      const ds = await new DataSource({ type: 'postgres', url: stack.databaseUrl }).initialize();
      try {
        expect(await new IdempotencyStore(ds, 'conversation').purge()).toBeGreaterThanOrEqual(1);
      } finally {
        await ds.destroy();
      }
      const left = await pg.query(`SELECT key FROM conversation.idempotency_keys WHERE key = $1`, [`old-${key}`]);
      expect(left.rows).toEqual([]);
      const kept = await pg.query(`SELECT key FROM conversation.idempotency_keys WHERE key = $1`, [key]);
      expect(kept.rows).toHaveLength(1);
    } finally {
      await pg.end();
    }
  });
});
