import { AdminApi, createTestWidget, testStack, TEST_ORIGIN } from '@widget/testing';

const stack = testStack();
const admin = new AdminApi(stack.baseUrl, stack.adminKey);

describe('operator API: workspaces and widgets', () => {
  let workspaceId: string;

  beforeAll(async () => {
    const ws = await admin.post('/workspaces', { name: 'Acme' });
    expect(ws.status).toBe(201);
    expect(ws.body).toMatchObject({ name: 'Acme' });
    expect(ws.body.id).toMatch(/^ws_[0-9A-Z]{26}$/);
    expect(Number.isNaN(Date.parse(ws.body.createdAt))).toBe(false);
    workspaceId = ws.body.id;
  });

  it('creates a widget with safe defaults and shows its secret once', async () => {
    const res = await admin.post(`/workspaces/${workspaceId}/widgets`, {});
    expect(res.status).toBe(201);
    expect(res.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(res.body.widget).toMatchObject({
      workspaceId,
      enabled: true,
      allowedOrigins: [],
      identity: { anonymousAllowed: true, jwtRequiredForIdentifiedUsers: true, allowAnonymousToIdentifiedMerge: true },
      routing: {},
      features: { conversations: true, attachments: false, knowledgeBase: true, aiAnswers: true, ticketForms: true, customLauncher: false, events: true },
      launcher: { badge: true },
      forms: {},
      knowledgeBase: {},
      ai: { enabled: true, mode: 'answer_first', escalationBehavior: 'attach_context', minConfidence: 0.35 },
    });
    const fetched = await admin.get(`/widgets/${res.body.widget.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(res.body.widget);
    expect(fetched.text).not.toContain(res.body.secret);
  });

  it('patches by deep merge and broadcasts the change to the edge', async () => {
    const created = await admin.post(`/workspaces/${workspaceId}/widgets`, { allowedOrigins: [TEST_ORIGIN], theme: { primaryColor: '#112233' } });
    const id = created.body.widget.id;
    const patched = await admin.patch(`/widgets/${id}`, { theme: { mode: 'dark' }, ai: { mode: 'human_first' }, name: 'Renamed' });
    expect(patched.status).toBe(200);
    expect(patched.body.theme).toMatchObject({ primaryColor: '#112233', mode: 'dark' });
    expect(patched.body.ai.mode).toBe('human_first');
    expect(patched.body.name).toBe('Renamed');
    expect(patched.body.allowedOrigins).toEqual([TEST_ORIGIN]);
    expect(Date.parse(patched.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(created.body.widget.updatedAt));
  });

  it.each([
    [{ allowedOrigins: ['https://example.com/path'] }, 'allowedOrigins.0'],
    [{ allowedOrigins: ['*'] }, 'allowedOrigins.0'],
    [{ theme: { primaryColor: 'red' } }, 'theme.primaryColor'],
    [{ ai: { mode: 'magic' } }, 'ai.mode'],
    [{ unknownSection: {} }, '(body)'],
    [{ identity: { anonymousAllowed: 'yes' } }, 'identity.anonymousAllowed'],
  ])('refuses an invalid config %j', async (config, field) => {
    const res = await admin.post(`/workspaces/${workspaceId}/widgets`, config);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_error');
    expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses invalid patches and leaves the widget unchanged', async () => {
    const created = await admin.post(`/workspaces/${workspaceId}/widgets`, { name: 'Keep' });
    const id = created.body.widget.id;
    const res = await admin.patch(`/widgets/${id}`, { name: 'Changed', enabled: 'nope' });
    expect(res.status).toBe(400);
    expect((await admin.get(`/widgets/${id}`)).body.name).toBe('Keep');
  });

  it('unknown or malformed ids → 404 not_found', async () => {
    for (const res of [
      await admin.post('/workspaces/ws_01HZZZZZZZZZZZZZZZZZZZZZZZ/widgets', {}),
      await admin.post('/workspaces/nope/widgets', {}),
      await admin.get('/widgets/wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ'),
      await admin.get('/widgets/../../etc'),
      await admin.patch('/widgets/wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ', { name: 'x' }),
      await admin.post('/widgets/wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ/rotate-secret'),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
    }
  });
});

describe('GET /widget/v1/config', () => {
  it('returns the end-user-safe config: no secret, no origin list', async () => {
    const widget = await createTestWidget(stack, { forms: { visibleFormIds: [] }, ai: { mode: 'suggest_articles' } });
    const res = await widget.api.get(`/config?workspace_id=${widget.workspaceId}&widget_id=${widget.widgetId}`);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual(['ai', 'availability', 'enabled', 'features', 'forms', 'id', 'identity', 'launcher', 'name', 'theme', 'workspaceId']);
    expect(res.body).toMatchObject({
      id: widget.widgetId,
      workspaceId: widget.workspaceId,
      enabled: true,
      ai: { enabled: true, mode: 'suggest_articles', escalationBehavior: 'attach_context' },
      forms: { visibleFormIds: [] },
    });
    expect(res.body.ai).not.toHaveProperty('minConfidence');
    expect(res.text).not.toContain(widget.secret);
    expect(res.text).not.toContain('allowedOrigins');
  });

  it('a widget of another workspace, or an unknown one → 404 not_found', async () => {
    const a = await createTestWidget(stack);
    const b = await createTestWidget(stack);
    const cross = await a.api.get(`/config?workspace_id=${b.workspaceId}&widget_id=${a.widgetId}`);
    expect(cross.status).toBe(404);
    expect(cross.body.error.code).toBe('not_found');
    const unknown = await a.api.get(`/config?workspace_id=${a.workspaceId}&widget_id=wgt_01HZZZZZZZZZZZZZZZZZZZZZZZ`);
    expect(unknown.status).toBe(404);
  });
});
