import { NatsBus, newId } from '@widget/common';
import { FormsRpc, PersonKeys } from '@widget/contracts';
import { createTestWidget, eraseThroughApi, privacyCallers, PrivacyCallers, queryDatabase, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';
import { randomUUID } from 'node:crypto';

const stack = testStack();

const FIELDS = [
  { key: 'name', label: 'Your name', type: 'text', required: true },
  { key: 'email', label: 'Email', type: 'email', required: true },
  { key: 'details', label: 'Details', type: 'textarea' },
];

/** The submissions held under the keys, straight from the schema. */
async function submissionsOf(workspaceId: string, person: Pick<PersonKeys, 'sessionIds' | 'userIds'>): Promise<{ id: string; status: string; field_values: Record<string, unknown> }[]> {
  return queryDatabase(
    stack.databaseUrl,
    `SELECT id, status, field_values FROM forms.submissions WHERE workspace_id = $1 AND (session_id = ANY($2) OR user_id = ANY($3)) ORDER BY id`,
    [workspaceId, person.sessionIds, person.userIds],
  );
}

/**
 * SPEC §17, the forms part: a person's submissions (values included) erased
 * and exported. Asked over NATS as the processes that ask: the session
 * service erases, the gateway exports.
 */
describe('forms: erase and export a person', () => {
  let widget: TestWidget;
  let formId: string;
  let callers: PrivacyCallers;
  let asSession: NatsBus;
  let asGateway: NatsBus;
  let erased: PersonKeys;
  let kept: PersonKeys;
  const marker = randomUUID().slice(0, 8);

  /** Submits once anonymously, is identified (merging), submits again; plus a pending reservation left by a failed ticket. */
  async function visitor(name: string, sub = `user-${randomUUID()}`): Promise<PersonKeys> {
    const anon = await startAnonymous(widget);
    const submit = (token: string, details: string) =>
      widget.api.post(`/forms/${formId}/submissions`, { values: { name, email: `${name}-${marker}@example.com`, details } }, { token });
    expect((await submit(anon.token, `${marker} before login`)).status).toBe(201);
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget, { sub }) }, { token: anon.token });
    expect(identified.status).toBe(200);
    expect((await submit(identified.body.token, `${marker} after login`)).status).toBe(201);
    const session = identified.body.session;
    await queryDatabase(
      stack.databaseUrl,
      `INSERT INTO forms.submissions (id, form_id, workspace_id, widget_id, session_id, user_id, field_values, values_hash, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'x', 'pending')`,
      [newId('submission'), formId, widget.workspaceId, widget.widgetId, session.id, session.user.id, JSON.stringify({ name, details: `${marker} pending` })],
    );
    return { workspaceId: widget.workspaceId, sessionIds: [anon.sessionId, session.id], userIds: [session.user.id] };
  }

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    const form = await widget.admin.post(`/workspaces/${widget.workspaceId}/forms`, { name: 'Contact us', fields: FIELDS });
    expect(form.status).toBe(201);
    formId = form.body.id;
    expect((await widget.admin.patch(`/widgets/${widget.widgetId}`, { forms: { visibleFormIds: [formId] } })).status).toBe(200);
    // The gateway caches the widget's config: wait until a session sees the form.
    const probe = await startAnonymous(widget);
    for (let i = 0; i < 50 && (await widget.api.get('/forms', { token: probe.token })).body.data?.length !== 1; i++) await new Promise((r) => setTimeout(r, 100));
    erased = await visitor('first');
    kept = await visitor('second');
    callers = await privacyCallers(stack);
    ({ asSession, asGateway } = callers);
  });
  afterAll(() => callers?.close());

  it('exports the person’s submissions with their values, and only theirs', async () => {
    const chunk = await asGateway.send(FormsRpc.exportPerson, { person: erased });
    expect(chunk.nextCursor).toBeNull();
    const rows = chunk.data.submissions as Record<string, any>[];
    expect(rows.map((r) => r.values.details)).toEqual([`${marker} before login`, `${marker} after login`, `${marker} pending`]);
    expect(rows[0]).toEqual({
      id: expect.stringMatching(/^sub_/),
      formId,
      formName: 'Contact us',
      widgetId: widget.widgetId,
      sessionId: erased.sessionIds[0],
      userId: null,
      clientSubmissionId: null,
      values: { name: 'first', email: `first-${marker}@example.com`, details: `${marker} before login` },
      status: 'completed',
      conversationId: expect.stringMatching(/^conv_/),
      createdAt: expect.any(String),
      completedAt: expect.any(String),
    });
    expect(rows[1]).toMatchObject({ sessionId: erased.sessionIds[1], userId: erased.userIds[0], status: 'completed' });
    expect(rows[2]).toMatchObject({ status: 'pending', conversationId: null, completedAt: null });
  });

  it('erases the person’s submissions, none of another’s, and answers the same counts when asked again', async () => {
    const other = await createTestWidget(stack);
    const elsewhere = await asSession.send(FormsRpc.erasePerson, { erasureId: `era_${randomUUID()}`, person: { ...erased, workspaceId: other.workspaceId } });
    expect(elsewhere).toEqual({ erased: { submissions: 0 } });
    expect(await submissionsOf(widget.workspaceId, erased)).toHaveLength(3);

    const erasureId = `era_${randomUUID()}`;
    const first = await asSession.send(FormsRpc.erasePerson, { erasureId, person: erased });
    expect(first).toEqual({ erased: { submissions: 3 } });
    expect(await submissionsOf(widget.workspaceId, erased)).toEqual([]);
    // Found by the user alone too: nothing left under it from any session.
    expect(await submissionsOf(widget.workspaceId, { sessionIds: [], userIds: erased.userIds })).toEqual([]);
    const left = await submissionsOf(widget.workspaceId, kept);
    expect(left.map((r) => r.field_values.details)).toEqual([`${marker} before login`, `${marker} after login`, `${marker} pending`]);

    expect(await asSession.send(FormsRpc.erasePerson, { erasureId, person: erased })).toEqual(first);
    const ledger = await queryDatabase(stack.databaseUrl, `SELECT workspace_id, erased FROM forms.erasures_done WHERE erasure_id = $1`, [erasureId]);
    expect(ledger).toEqual([{ workspace_id: widget.workspaceId, erased: { submissions: 3 } }]);
    expect(await asGateway.send(FormsRpc.exportPerson, { person: erased })).toEqual({ data: { submissions: [] }, nextCursor: null });
    // The form itself is the workspace's: still there.
    expect((await widget.admin.get(`/forms/${formId}`)).status).toBe(200);
  });

  it('refuses a request without a person or an erasure id, and changes nothing', async () => {
    const bad = [{ erasureId: 'era_x' }, { person: kept }, { erasureId: 'era_y', person: { ...kept, userIds: [42] } }];
    for (const request of bad) {
      await expect(asSession.send(FormsRpc.erasePerson, request as never)).rejects.toMatchObject({ code: 'validation_error' });
    }
    await expect(asGateway.send(FormsRpc.exportPerson, { person: null } as never)).rejects.toMatchObject({ code: 'validation_error' });
    expect(await submissionsOf(widget.workspaceId, kept)).toHaveLength(3);
  });

  it('through the operator API: the export holds the submissions, and an erasure by the site’s user id deletes them', async () => {
    const sub = `ext-${randomUUID()}`;
    const third = await visitor('third', sub);
    const exported = await widget.admin.get(`/workspaces/${widget.workspaceId}/visitors/export?userId=${encodeURIComponent(sub)}`);
    expect(exported.status).toBe(200);
    const rows = exported.body.parts.forms.flatMap((page: { submissions: unknown[] }) => page.submissions);
    expect(rows.map((r: { values: { details: string } }) => r.values.details)).toEqual([`${marker} before login`, `${marker} after login`, `${marker} pending`]);

    const erasure = await eraseThroughApi(widget.admin, widget.workspaceId, { userId: sub }, 'forms');
    expect(erasure.parts.forms).toMatchObject({ status: 'done', erased: { submissions: 3 } });
    expect(await submissionsOf(widget.workspaceId, third)).toEqual([]);
    expect(await submissionsOf(widget.workspaceId, kept)).toHaveLength(3);
  });
});
