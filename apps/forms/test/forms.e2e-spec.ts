import { createTestWidget, expectEnvelope, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { Client } from 'pg';

const stack = testStack();

const ALL_FIELDS = [
  { key: 'name', label: 'Your name', type: 'text', required: true, maxLength: 20 },
  { key: 'order', label: 'Order number', type: 'text', pattern: 'A-[0-9]{4}' },
  { key: 'details', label: 'Details', type: 'textarea', maxLength: 50 },
  { key: 'email', label: 'Email', type: 'email', required: true },
  { key: 'quantity', label: 'Quantity', type: 'number', min: 1, max: 10 },
  { key: 'topic', label: 'Topic', type: 'select', options: ['billing', 'bug'], required: true },
  { key: 'platforms', label: 'Platforms', type: 'multiselect', options: ['web', 'ios', 'android'] },
  { key: 'consent', label: 'I agree', type: 'checkbox', required: true },
  { key: 'since', label: 'Since', type: 'date' },
];

const GOOD_VALUES = {
  name: 'Ada',
  order: 'A-1234',
  details: 'It broke.',
  email: 'ada@example.com',
  quantity: 3,
  topic: 'bug',
  platforms: ['web', 'ios'],
  consent: true,
  since: '2024-02-29',
};

/** Makes forms visible, then waits until the gateway's widget cache has dropped the old config. */
async function showForms(widget: TestWidget, token: string, formIds: string[]): Promise<void> {
  const res = await widget.admin.patch(`/widgets/${widget.widgetId}`, { forms: { visibleFormIds: formIds } });
  expect(res.status).toBe(200);
  for (let i = 0; i < 50; i++) {
    const list = await widget.api.get('/forms', { token });
    if (list.status === 200 && list.body.data.length === formIds.length) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('forms did not become visible');
}

async function createForm(widget: TestWidget, body: Record<string, unknown> = {}) {
  const res = await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'Report a problem', fields: ALL_FIELDS, ...body });
  expect(res.status).toBe(201);
  return res.body;
}

describe('forms: definitions (operator API)', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  it('creates, reads and updates a form', async () => {
    const form = await createForm(widget, { description: 'Tell us' });
    expect(form).toMatchObject({ workspaceId: widget.workspaceId, name: 'Report a problem', description: 'Tell us' });
    expect(form.id).toMatch(/^frm_[0-9A-Z]{26}$/);
    expect(form.fields[0]).toEqual({ key: 'name', label: 'Your name', type: 'text', required: true, maxLength: 20 });
    expect(form.fields[1]).toEqual({ key: 'order', label: 'Order number', type: 'text', required: false, pattern: 'A-[0-9]{4}' });

    const got = await widget.admin.get(`/forms/${form.id}`);
    expect(got.body).toEqual(form);
    const patched = await widget.admin.patch(`/forms/${form.id}`, { name: 'Renamed', fields: [{ key: 'q', label: 'Question', type: 'textarea' }] });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: form.id, name: 'Renamed', description: 'Tell us', fields: [{ key: 'q', type: 'textarea', required: false }] });
  });

  it('refuses invalid definitions, naming every bad field', async () => {
    const res = await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, {
      name: 'Bad',
      fields: [
        { key: 'a', label: 'A', type: 'text' },
        { key: 'a', label: 'A again', type: 'text' },
        { key: 'b', label: 'B', type: 'select' },
        { key: 'c', label: 'C', type: 'text', pattern: '(' },
        { key: 'd', label: 'D', type: 'text', pattern: '(a+)+$' },
        { key: 'e', label: 'E', type: 'text', pattern: '(a|aa)*' },
        { key: 'f', label: 'F', type: 'number', min: 5, max: 1 },
        { key: 'g', label: 'G', type: 'checkbox', options: ['x'] },
        { key: 'h', label: 'H', type: 'text', pattern: 'x'.repeat(201) },
        { key: 'i', label: 'I', type: 'select', options: ['x', 'x'] },
        { key: 'j', label: 'J', type: 'text', pattern: '(a)\\1' },
      ],
    });
    expectEnvelope(res, 400, 'validation_error');
    const byField = Object.fromEntries(res.body.error.details.map((d: { field: string; reason: string }) => [d.field, d.reason]));
    expect(byField).toMatchObject({
      'fields.1.key': 'duplicate_key',
      'fields.2.options': 'options_required',
      'fields.3.pattern': 'pattern_invalid',
      'fields.4.pattern': 'pattern_too_complex',
      'fields.5.pattern': 'pattern_too_complex',
      'fields.6.min': 'min_above_max',
      'fields.7.options': 'options_not_allowed',
      'fields.9.options': 'duplicate_option',
      'fields.10.pattern': 'pattern_backreference',
    });
    expect(Object.keys(byField)).toContain('fields.8.pattern');

    expectEnvelope(await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'x', fields: [] }), 400, 'validation_error');
    expectEnvelope(await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'x', fields: [{ key: 'a', label: 'A', type: 'color' }] }), 400, 'validation_error');
    expectEnvelope(await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'x', fields: [{ key: 'a', label: 'A', type: 'text' }], extra: 1 }), 400, 'validation_error');
    expectEnvelope(await widget.admin.post(`/workspaces/bad/forms`, { name: 'x', fields: [{ key: 'a', label: 'A', type: 'text' }] }), 404, 'not_found');
  });

  it('answers form_not_found for unknown or malformed ids, and checks updates like creates', async () => {
    expectEnvelope(await widget.admin.get('/forms/frm_00000000000000000000000000'), 404, 'form_not_found');
    expectEnvelope(await widget.admin.get('/forms/nope'), 404, 'form_not_found');
    expectEnvelope(await widget.admin.patch('/forms/frm_00000000000000000000000000', { name: 'x' }), 404, 'form_not_found');
    const form = await createForm(widget);
    expectEnvelope(await widget.admin.patch(`/forms/${form.id}`, { fields: [{ key: 'd', label: 'D', type: 'text', pattern: '(.*)*' }] }), 400, 'validation_error');
    expectEnvelope(await widget.admin.patch(`/forms/${form.id}`, { workspaceId: 'ws_x' }), 400, 'validation_error');
  });
});

describe('forms: what a session sees and submits', () => {
  let widget: TestWidget;
  let token: string;
  let sessionId: string;
  let form: { id: string };
  let hidden: { id: string };

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    ({ token, sessionId } = await startAnonymous(widget));
    form = await createForm(widget);
    hidden = await createForm(widget, { name: 'Hidden' });
  });

  it('shows no forms while visibleFormIds is absent, then only the visible ones', async () => {
    const none = await widget.api.get('/forms', { token });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ data: [], nextCursor: null });
    expectEnvelope(await widget.api.get(`/forms/${form.id}`, { token }), 404, 'form_not_found');

    await showForms(widget, token, [form.id]);
    const list = await widget.api.get('/forms', { token });
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toEqual({ id: form.id, name: 'Report a problem', description: null, fields: expect.any(Array) });
    expect(list.body.data[0].fields).toHaveLength(ALL_FIELDS.length);
    const one = await widget.api.get(`/forms/${form.id}`, { token });
    expect(one.status).toBe(200);
    expect(one.body.workspaceId).toBeUndefined();
    expectEnvelope(await widget.api.get(`/forms/${hidden.id}`, { token }), 404, 'form_not_found');
    expectEnvelope(await widget.api.post(`/forms/${hidden.id}/submissions`, { values: GOOD_VALUES }, { token }), 404, 'form_not_found');
    expectEnvelope(await widget.api.get('/forms/frm_00000000000000000000000000', { token }), 404, 'form_not_found');
    expectEnvelope(await widget.api.get('/forms/not-an-id', { token }), 404, 'form_not_found');
  });

  it('never shows a form of another workspace, even when listed in visibleFormIds', async () => {
    const other = await createTestWidget(stack);
    const foreign = await createForm(other);
    const mine = await startAnonymous(widget);
    // The gateway that answers the PATCH drops its cached widget before answering: the next request sees the change.
    expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, { forms: { visibleFormIds: [form.id, foreign.id] } })).status).toBe(200);
    const list = await widget.api.get('/forms', { token: mine.token });
    expect(list.body.data.map((f: { id: string }) => f.id)).toEqual([form.id]);
    expectEnvelope(await widget.api.get(`/forms/${foreign.id}`, { token: mine.token }), 404, 'form_not_found');
    expectEnvelope(await widget.api.post(`/forms/${foreign.id}/submissions`, { values: GOOD_VALUES }, { token: mine.token }), 404, 'form_not_found');
  });

  it('validates every field type and names every bad field at once', async () => {
    const res = await widget.api.post(
      `/forms/${form.id}/submissions`,
      {
        values: {
          name: 'x'.repeat(21),
          order: 'B-1',
          details: 'y'.repeat(51),
          email: 'not-an-email',
          quantity: 11,
          topic: 'sales',
          platforms: ['web', 'blackberry'],
          consent: false,
          since: '2023-02-29',
          surprise: 'unknown key',
        },
      },
      { token },
    );
    expectEnvelope(res, 400, 'validation_error');
    expect(res.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'values.surprise', reason: 'unknown_field' },
        { field: 'values.name', reason: 'too_long' },
        { field: 'values.order', reason: 'pattern_mismatch' },
        { field: 'values.details', reason: 'too_long' },
        { field: 'values.email', reason: 'invalid_email' },
        { field: 'values.quantity', reason: 'above_max' },
        { field: 'values.topic', reason: 'not_an_option' },
        { field: 'values.platforms', reason: 'not_an_option' },
        { field: 'values.consent', reason: 'required' },
        { field: 'values.since', reason: 'invalid_date' },
      ]),
    );
    expect(res.body.error.details).toHaveLength(10);

    const types = await widget.api.post(
      `/forms/${form.id}/submissions`,
      { values: { name: 5, email: ['a@b.co'], quantity: '3', topic: 1, platforms: 'web', consent: 'yes', since: 20240101, order: 'A-12345' } },
      { token },
    );
    expect(types.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'values.name', reason: 'not_a_string' },
        { field: 'values.email', reason: 'not_a_string' },
        { field: 'values.quantity', reason: 'not_a_number' },
        { field: 'values.topic', reason: 'not_a_string' },
        { field: 'values.platforms', reason: 'not_a_list_of_strings' },
        { field: 'values.consent', reason: 'not_a_boolean' },
        { field: 'values.since', reason: 'invalid_date' },
        { field: 'values.order', reason: 'pattern_mismatch' },
      ]),
    );

    const missing = await widget.api.post(`/forms/${form.id}/submissions`, { values: { name: '  ', quantity: 0 } }, { token });
    expect(missing.body.error.details).toEqual(
      expect.arrayContaining([
        { field: 'values.name', reason: 'required' },
        { field: 'values.email', reason: 'required' },
        { field: 'values.topic', reason: 'required' },
        { field: 'values.consent', reason: 'required' },
        { field: 'values.quantity', reason: 'below_min' },
      ]),
    );

    expectEnvelope(await widget.api.post(`/forms/${form.id}/submissions`, { values: 'x' }, { token }), 400, 'validation_error');
    expectEnvelope(await widget.api.post(`/forms/${form.id}/submissions`, {}, { token }), 400, 'validation_error');
    expectEnvelope(await widget.api.post(`/forms/${form.id}/submissions`, { values: {}, other: 1 }, { token }), 400, 'validation_error');
    expectEnvelope(await widget.api.post(`/forms/${form.id}/submissions`, { values: {}, clientSubmissionId: '' }, { token }), 400, 'validation_error');
  });

  it('answers auth_required, invalid_origin and feature_disabled with the envelope', async () => {
    expectEnvelope(await widget.api.get('/forms'), 401, 'auth_required');
    expectEnvelope(await widget.api.post(`/forms/${form.id}/submissions`, { values: GOOD_VALUES }, { token, origin: null }), 403, 'invalid_origin');
    expectEnvelope(
      await widget.api.post(`/forms/${form.id}/submissions`, { values: GOOD_VALUES }, { token, origin: 'https://evil.example.com' }),
      403,
      'invalid_origin',
    );
    const off = await createTestWidget(stack, { features: { ticketForms: false } });
    const s = await startAnonymous(off);
    expectEnvelope(await off.api.get('/forms', { token: s.token }), 403, 'widget_disabled', 'feature_disabled');
    expectEnvelope(await off.api.post(`/forms/${form.id}/submissions`, { values: GOOD_VALUES }, { token: s.token }), 403, 'widget_disabled', 'feature_disabled');
  });

  it('opens a ticket the session sees, idempotently on clientSubmissionId, and counts it', async () => {
    const body = { values: GOOD_VALUES, clientSubmissionId: 'cs-1' };
    const res = await widget.api.post(`/forms/${form.id}/submissions`, body, { token });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ id: expect.stringMatching(/^sub_[0-9A-Z]{26}$/), formId: form.id, conversationId: expect.stringMatching(/^conv_/), createdAt: expect.any(String) });

    const again = await widget.api.post(`/forms/${form.id}/submissions`, { values: { ...GOOD_VALUES }, clientSubmissionId: 'cs-1' }, { token });
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
    const reused = await widget.api.post(`/forms/${form.id}/submissions`, { values: { ...GOOD_VALUES, name: 'Bob' }, clientSubmissionId: 'cs-1' }, { token });
    expectEnvelope(reused, 409, 'validation_error', 'client_submission_id_reused');

    const conversation = await widget.api.get(`/conversations/${res.body.conversationId}`, { token });
    expect(conversation.status).toBe(200);
    expect(conversation.body).toMatchObject({ subject: 'Report a problem', customFields: GOOD_VALUES });
    const list = await widget.api.get('/conversations', { token });
    expect(list.body.data.filter((c: { id: string }) => c.id === res.body.conversationId)).toHaveLength(1);
    const messages = await widget.api.get(`/conversations/${res.body.conversationId}/messages`, { token });
    const first = messages.body.data[messages.body.data.length - 1];
    expect(first.text).toContain('Your name: Ada');
    expect(first.text).toContain('Platforms: web, ios');
    expect(first.text).toContain('I agree: Yes');

    // Another session of the same widget sees nothing of it.
    const stranger = await startAnonymous(widget);
    expectEnvelope(await widget.api.get(`/conversations/${res.body.conversationId}`, { token: stranger.token }), 404, 'conversation_not_found');

    // Concurrent retries with a fresh key: one ticket.
    const racers = await Promise.all(
      Array.from({ length: 5 }, () => widget.api.post(`/forms/${form.id}/submissions`, { values: GOOD_VALUES, clientSubmissionId: 'cs-race' }, { token })),
    );
    expect(racers.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 201]);
    expect(new Set(racers.map((r) => r.body.conversationId)).size).toBe(1);

    const db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      const rows = await db.query(`SELECT status FROM forms.submissions WHERE session_id = $1`, [sessionId]);
      expect(rows.rows.map((r) => r.status)).toEqual(['completed', 'completed']);
    } finally {
      await db.end();
    }

    // The events service counts each submission once.
    let count = 0;
    for (let i = 0; i < 50 && count < 2; i++) {
      const counts = await widget.admin.get(`/workspaces/${widget.workspaceId}/events/counts?type=widget.form_submitted`);
      count = counts.body.data.reduce((s: number, r: { count: number }) => s + r.count, 0);
      if (count < 2) await new Promise((r) => setTimeout(r, 100));
    }
    expect(count).toBe(2);
  });

  it('without a clientSubmissionId, each submission is a new ticket', async () => {
    const a = await widget.api.post(`/forms/${form.id}/submissions`, { values: GOOD_VALUES }, { token });
    const b = await widget.api.post(`/forms/${form.id}/submissions`, { values: GOOD_VALUES }, { token });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.conversationId).not.toBe(b.body.conversationId);
  });
});
