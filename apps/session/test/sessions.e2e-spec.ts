import { createTestWidget, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();

describe('sessions (gateway → NATS → session service → PostgreSQL)', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
  });

  it('creates an anonymous session (201) and resumes it with its Bearer token (200)', async () => {
    const body = { workspaceId: widget.workspaceId, widgetId: widget.widgetId, locale: 'en' };
    const created = await widget.api.post('/sessions/anonymous', body);
    expect(created.status).toBe(201);
    expect(created.body.session).toMatchObject({
      workspaceId: widget.workspaceId,
      widgetId: widget.widgetId,
      identityType: 'anonymous',
      user: null,
    });
    expect(created.body.session.id).toMatch(/^ses_[0-9A-Z]{26}$/);
    expect(created.body.token).toMatch(/^wst_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const resumed = await widget.api.post('/sessions/anonymous', body, { token: created.body.token });
    expect(resumed.status).toBe(200);
    expect(resumed.body.session.id).toBe(created.body.session.id);
    expect(resumed.body.token).toBe(created.body.token);
  });

  it('identifies a session: new token, profile from the claims, the old token stops working', async () => {
    const anon = await startAnonymous(widget);
    const jwt = await signIdentity(widget, { sub: 'customer-42', email: 'ada@example.com', name: 'Ada', company_id: 'acme' });
    const res = await widget.api.post('/sessions/identify', { token: jwt }, { token: anon.token });
    expect(res.status).toBe(200);
    expect(res.body.session.identityType).toBe('identified');
    expect(res.body.session.user).toMatchObject({ externalId: 'customer-42', email: 'ada@example.com', name: 'Ada', companyId: 'acme' });
    expect(res.body.token).not.toBe(anon.token);

    const old = await widget.api.post('/sessions/refresh', undefined, { token: anon.token });
    expect(old.status).toBe(401);
    expect(old.body.error).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
    const fresh = await widget.api.post('/sessions/refresh', undefined, { token: res.body.token });
    expect(fresh.status).toBe(200);
  });
});
