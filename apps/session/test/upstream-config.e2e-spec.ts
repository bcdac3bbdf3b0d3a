import { AdminApi, Api, createTestWidget, testStack, TEST_ORIGIN } from '@widget/testing';

const stack = testStack();
const admin = new AdminApi(stack.baseUrl, stack.adminKey);

/** A WidgetConfig as written for the hosted product: every upstream key of SPEC §9. */
export function upstreamConfig(workspaceId: string) {
  return {
    id: 'wgt_from_the_hosted_product',
    workspaceId,
    name: 'Acme support',
    enabled: true,
    allowedOrigins: [TEST_ORIGIN, 'https://*.acme.test'],
    identity: { anonymousAllowed: true, jwtRequiredForIdentifiedUsers: false, allowAnonymousToIdentifiedMerge: true },
    routing: { defaultTeamId: 'team_support', assignmentStrategy: 'round_robin' },
    features: { conversations: true, attachments: false, knowledgeBase: true, aiAnswers: true, ticketForms: true, customLauncher: true },
    theme: { primaryColor: '#112233', textColor: '#ffffff', mode: 'light' },
    launcher: { position: 'bottom-left', label: 'Help', badge: false },
    forms: { visibleFormIds: [] },
    knowledgeBase: {},
    ai: { enabled: true, mode: 'suggest_articles', escalationBehavior: 'summary_only' },
  };
}

describe('WidgetConfig exactly as upstream (SPEC §9)', () => {
  let workspaceId: string;

  beforeAll(async () => {
    workspaceId = (await admin.post('/workspaces', { name: 'Upstream' })).body.id;
  });

  it('accepts a pasted upstream config, stores every field, mints its own id', async () => {
    const config = upstreamConfig(workspaceId);
    const res = await admin.post(`/workspaces/${workspaceId}/widgets`, config);
    expect(res.status).toBe(201);
    const { id: _pasted, ...rest } = config;
    expect(res.body.widget).toMatchObject({ ...rest, features: { ...config.features, events: true }, ai: { ...config.ai, minConfidence: 0.35 } });
    expect(res.body.widget.id).toMatch(/^wgt_[0-9A-Z]{26}$/);
    const fetched = await admin.get(`/widgets/${res.body.widget.id}`);
    expect(fetched.body).toEqual(res.body.widget);
  });

  it('GET /config returns what the browser needs: identity, features, theme, launcher with badge, forms, ai; no origins, routing or secret', async () => {
    const created = await admin.post(`/workspaces/${workspaceId}/widgets`, upstreamConfig(workspaceId));
    const widget = created.body.widget;
    const api = new Api(`${stack.baseUrl}/widget/v1`, TEST_ORIGIN);
    const res = await api.get(`/config?workspace_id=${workspaceId}&widget_id=${widget.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: widget.id,
      workspaceId,
      name: 'Acme support',
      enabled: true,
      identity: { anonymousAllowed: true, jwtRequiredForIdentifiedUsers: false, allowAnonymousToIdentifiedMerge: true },
      features: { conversations: true, attachments: false, knowledgeBase: true, aiAnswers: true, ticketForms: true, customLauncher: true, events: true },
      theme: { primaryColor: '#112233', textColor: '#ffffff', mode: 'light' },
      launcher: { position: 'bottom-left', label: 'Help', badge: false, hidden: false },
      forms: { visibleFormIds: [] },
      ai: { enabled: true, mode: 'suggest_articles', escalationBehavior: 'summary_only' },
      // SPEC §15: no hours set and nobody of this new workspace present.
      availability: { online: false, nextOpenAt: null, replyTime: null },
    });
    expect(res.text).not.toContain('allowedOrigins');
    expect(res.text).not.toContain(created.body.secret);
    expect(res.text).not.toContain('team_support');
  });

  it('refuses a pasted config naming another workspace, unknown keys and bad values of the new fields', async () => {
    const other = (await admin.post('/workspaces', { name: 'Other' })).body.id;
    const cross = await admin.post(`/workspaces/${workspaceId}/widgets`, upstreamConfig(other));
    expect(cross.status).toBe(400);
    expect(cross.body.error.details[0].field).toBe('workspaceId');
    for (const [config, field] of [
      [{ features: { forms: true } }, 'features'],
      [{ routing: { assignmentStrategy: 'random' } }, 'routing.assignmentStrategy'],
      [{ routing: { team: 'x' } }, 'routing'],
      [{ ai: { escalationBehavior: 'email' } }, 'ai.escalationBehavior'],
      [{ ai: { enabled: 'yes' } }, 'ai.enabled'],
      [{ launcher: { badge: 1 } }, 'launcher.badge'],
      [{ identity: { jwtRequired: false } }, 'identity'],
    ] as const) {
      const res = await admin.post(`/workspaces/${workspaceId}/widgets`, config);
      expect({ config, status: res.status, code: res.body.error.code }).toEqual({ config, status: 400, code: 'validation_error' });
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
    }
  });

  it('PATCH deep-merges the new sections and accepts the widget’s own id and workspaceId', async () => {
    const created = await admin.post(`/workspaces/${workspaceId}/widgets`, {});
    const id = created.body.widget.id;
    const res = await admin.patch(`/widgets/${id}`, {
      id,
      workspaceId,
      routing: { assignmentStrategy: 'least_busy' },
      features: { ticketForms: false, attachments: true },
      ai: { escalationBehavior: 'none' },
      launcher: { badge: false },
      identity: { jwtRequiredForIdentifiedUsers: false },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      routing: { assignmentStrategy: 'least_busy' },
      features: { ticketForms: false, attachments: true, conversations: true, customLauncher: false },
      ai: { escalationBehavior: 'none', enabled: true, mode: 'answer_first' },
      launcher: { badge: false, position: 'bottom-right' },
      identity: { jwtRequiredForIdentifiedUsers: false, anonymousAllowed: true },
    });
    const other = (await admin.post('/workspaces', { name: 'Other2' })).body.id;
    const cross = await admin.patch(`/widgets/${id}`, { workspaceId: other });
    expect(cross.status).toBe(400);
  });

  it('features.ticketForms false turns the forms routes off', async () => {
    const widget = await createTestWidget(stack, { features: { ticketForms: false } });
    const session = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId });
    const res = await widget.api.get('/forms', { token: session.body.token });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'widget_disabled', reason: 'feature_disabled' });
  });
});
