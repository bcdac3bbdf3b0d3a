import { randomUUID } from 'node:crypto';
import { createTestWidget, expectEnvelope as expectError, nextEvent, openSocket, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();

describe('identify without a JWT (SPEC §4)', () => {
  let strict: TestWidget;
  let open: TestWidget;

  beforeAll(async () => {
    strict = await createTestWidget(stack);
    open = await createTestWidget(stack, { identity: { jwtRequiredForIdentifiedUsers: false } });
  });

  const claim = (w: TestWidget, token: string, body: Record<string, unknown>) => w.api.post('/sessions/identify', body, { token });
  const conversations = async (w: TestWidget, token: string) =>
    (await w.api.get('/conversations', { token })).body.data.map((c: { id: string }) => c.id) as string[];
  const startConversation = async (w: TestWidget, token: string, text: string) =>
    (await w.api.post('/conversations', { message: text }, { token })).body.id as string;

  it('jwtRequiredForIdentifiedUsers true (default): a body without a JWT is auth_required', async () => {
    const anon = await startAnonymous(strict);
    expectError(await claim(strict, anon.token, { user: { id: 'u-1' } }), 401, 'auth_required', 'jwt_required');
    expectError(await claim(strict, anon.token, {}), 401, 'auth_required', 'jwt_required');
    // The anonymous session is untouched.
    expect((await strict.api.post('/sessions/refresh', undefined, { token: anon.token })).status).toBe(200);
  });

  it('false: { user, company } identifies as an unverified user; the anonymous conversations come along', async () => {
    const anon = await startAnonymous(open);
    const mine = await startConversation(open, anon.token, 'before identify');
    const res = await claim(open, anon.token, {
      user: { id: `u-${randomUUID()}`, email: 'ada@example.com', name: 'Ada' },
      company: { id: 'acme', name: 'Acme', plan: 'pro' },
    });
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({
      identityType: 'identified',
      user: { email: 'ada@example.com', name: 'Ada', verified: false, companyId: 'acme', company: { id: 'acme', name: 'Acme', plan: 'pro' }, traits: {} },
    });
    expect(res.body.token).not.toBe(anon.token);
    expectError(await open.api.post('/sessions/refresh', undefined, { token: anon.token }), 401, 'invalid_token', 'revoked');
    expect(await conversations(open, res.body.token)).toEqual([mine]);
  });

  it('another browser claiming the same id sees none of the first one’s conversations', async () => {
    const id = `u-${randomUUID()}`;
    const first = await claim(open, (await startAnonymous(open)).token, { user: { id } });
    const firstConv = await startConversation(open, first.body.token, 'browser one');
    const second = await claim(open, (await startAnonymous(open)).token, { user: { id } });
    expect(second.status).toBe(200);
    expect(second.body.session.user.id).not.toBe(first.body.session.user.id);
    expect(await conversations(open, second.body.token)).toEqual([]);
    expectError(await open.api.get(`/conversations/${firstConv}`, { token: second.body.token }), 404, 'conversation_not_found');
    expect(await conversations(open, first.body.token)).toEqual([firstConv]);
  });

  it('an unverified claim of a verified user’s id sees none of that user’s history', async () => {
    const sub = `customer-${randomUUID()}`;
    const verified = await claim(open, (await startAnonymous(open)).token, { token: await signIdentity(open, { sub, name: 'Real' }) });
    expect(verified.status).toBe(200);
    expect(verified.body.session.user).toMatchObject({ externalId: sub, verified: true, name: 'Real' });
    const history = await startConversation(open, verified.body.token, 'my order');

    const impostor = await claim(open, (await startAnonymous(open)).token, { user: { id: sub, name: 'Impostor' } });
    expect(impostor.status).toBe(200);
    expect(impostor.body.session.user).toMatchObject({ externalId: sub, verified: false, name: 'Impostor' });
    expect(impostor.body.session.user.id).not.toBe(verified.body.session.user.id);
    expect(await conversations(open, impostor.body.token)).toEqual([]);
    expectError(await open.api.get(`/conversations/${history}/messages`, { token: impostor.body.token }), 404, 'conversation_not_found');

    // The verified profile was not touched by the claim; a device with a JWT still sees the history.
    const again = await claim(open, (await startAnonymous(open)).token, { token: await signIdentity(open, { sub }) });
    expect(again.body.session.user).toMatchObject({ id: verified.body.session.user.id, name: 'Real' });
    expect(await conversations(open, again.body.token)).toEqual([history]);
  });

  it('re-identify with the same id keeps the session, the token and its sockets; refreshes profile and expiry', async () => {
    const id = `u-${randomUUID()}`;
    const first = await claim(open, (await startAnonymous(open)).token, { user: { id, name: 'Old name' } });
    const token = first.body.token;
    const conv = await startConversation(open, token, 'hello');
    const socket = await openSocket(stack.baseUrl, { token });
    try {
      const again = await claim(open, token, { user: { id, name: 'New name', email: 'new@example.com' } });
      expect(again.status).toBe(200);
      expect(again.body.token).toBe(token);
      expect(again.body.session.id).toBe(first.body.session.id);
      expect(again.body.session.user).toMatchObject({ id: first.body.session.user.id, name: 'New name', email: 'new@example.com', verified: false });
      expect(Date.parse(again.body.expiresAt)).toBeGreaterThanOrEqual(Date.parse(first.body.expiresAt));
      // Still the same socket, still delivered to.
      const reply = nextEvent(socket, 'message.created', (e: any) => e.payload.message.text === 'agent after re-identify');
      await open.admin.post(`/conversations/${conv}/messages`, { text: 'agent after re-identify', author: { id: 'agent-1' } });
      await reply;
      expect(socket.connected).toBe(true);
      expect((await open.api.post('/sessions/refresh', undefined, { token })).status).toBe(200);
    } finally {
      socket.close();
    }
  });

  it('re-identify with the same JWT sub keeps the session and token', async () => {
    const sub = `customer-${randomUUID()}`;
    const first = await claim(strict, (await startAnonymous(strict)).token, { token: await signIdentity(strict, { sub }) });
    const again = await claim(strict, first.body.token, { token: await signIdentity(strict, { sub, email: 'fresh@example.com' }) });
    expect(again.status).toBe(200);
    expect(again.body.token).toBe(first.body.token);
    expect(again.body.session).toMatchObject({ id: first.body.session.id, user: { email: 'fresh@example.com', verified: true } });
    // Another sub is another user: a new session, the old token revoked.
    const other = await claim(strict, first.body.token, { token: await signIdentity(strict) });
    expect(other.body.token).not.toBe(first.body.token);
    expectError(await strict.api.post('/sessions/refresh', undefined, { token: first.body.token }), 401, 'invalid_token', 'revoked');
  });

  it('a JWT for the id an unverified session claimed upgrades it: a new, verified session', async () => {
    const sub = `customer-${randomUUID()}`;
    const unverified = await claim(open, (await startAnonymous(open)).token, { user: { id: sub } });
    const upgraded = await claim(open, unverified.body.token, { token: await signIdentity(open, { sub }) });
    expect(upgraded.status).toBe(200);
    expect(upgraded.body.token).not.toBe(unverified.body.token);
    expect(upgraded.body.session.user).toMatchObject({ externalId: sub, verified: true });
  });

  it('validates the body: both token and user, a blank id, a bad email, unknown keys', async () => {
    const anon = await startAnonymous(open);
    for (const body of [
      { token: 'x.y.z', user: { id: 'u' } },
      { user: { id: '' } },
      { user: { id: 'u', email: 'not-an-email' } },
      { user: { id: 'u', role: 'admin' } },
      { user: { id: 'u' }, company: { name: 'no id' } },
    ]) {
      expectError(await claim(open, anon.token, body), 400, 'validation_error');
    }
    expectError(await claim(open, anon.token, {}), 400, 'validation_error');
    expectError(await open.api.post('/sessions/identify', { user: { id: 'u' } }, { token: anon.token, origin: 'https://evil.example' }), 403, 'invalid_origin');
  });

  it('without a Bearer session, a widget with anonymousAllowed false takes { user } with workspaceId and widgetId', async () => {
    const closed = await createTestWidget(stack, { identity: { anonymousAllowed: false, jwtRequiredForIdentifiedUsers: false } });
    const res = await closed.api.post('/sessions/identify', { user: { id: 'walk-in' }, workspaceId: closed.workspaceId, widgetId: closed.widgetId });
    expect(res.status).toBe(200);
    expect(res.body.session.user).toMatchObject({ externalId: 'walk-in', verified: false });
  });
});

describe('PATCH /widget/v1/sessions/current (the SDK’s update())', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack, { identity: { jwtRequiredForIdentifiedUsers: false } });
  });

  it('an anonymous session: the visitor profile is stored on the session; no user is created', async () => {
    const anon = await startAnonymous(widget);
    const res = await widget.api.patch('/sessions/current', { user: { traits: { plan: 'pro', seats: 3 }, name: 'Visitor' }, company: { name: 'Acme' } }, { token: anon.token });
    expect(res.status).toBe(200);
    expect(res.body.session).toMatchObject({ id: anon.sessionId, identityType: 'anonymous', user: null });
    expect(res.body.session.visitor).toEqual({ email: null, name: 'Visitor', company: { id: null, name: 'Acme', plan: null }, traits: { plan: 'pro', seats: 3 } });
    const more = await widget.api.patch('/sessions/current', { user: { traits: { seats: 4, beta: true } } }, { token: anon.token });
    expect(more.body.session.visitor).toMatchObject({ name: 'Visitor', traits: { plan: 'pro', seats: 4, beta: true } });
  });

  it('an identified session: the user’s profile and traits (merged key by key)', async () => {
    const who = await widget.api.post('/sessions/identify', { user: { id: `u-${randomUUID()}` } }, { token: (await startAnonymous(widget)).token });
    const token = who.body.token;
    await widget.api.patch('/sessions/current', { user: { traits: { a: 1 } } }, { token });
    const res = await widget.api.patch('/sessions/current', { user: { traits: { b: 2 }, email: 'me@example.com' }, company: { id: 'c-1', plan: 'team' } }, { token });
    expect(res.status).toBe(200);
    expect(res.body.session.user).toMatchObject({ id: who.body.session.user.id, email: 'me@example.com', traits: { a: 1, b: 2 }, companyId: 'c-1', company: { id: 'c-1', plan: 'team' } });
    expect(res.body.session.visitor).toBeNull();
  });

  it('errors: over 4 KB 400, unknown key 400, no token 401, foreign origin 403', async () => {
    const anon = await startAnonymous(widget);
    expectError(await widget.api.patch('/sessions/current', { user: { traits: { blob: 'x'.repeat(4100) } } }, { token: anon.token }), 400, 'validation_error');
    expectError(await widget.api.patch('/sessions/current', { user: { id: 'someone-else' } }, { token: anon.token }), 400, 'validation_error');
    expectError(await widget.api.patch('/sessions/current', { traits: {} }, { token: anon.token }), 400, 'validation_error');
    expectError(await widget.api.patch('/sessions/current', { user: { traits: {} } }), 401, 'auth_required');
    expectError(await widget.api.patch('/sessions/current', { user: { traits: {} } }, { token: anon.token, origin: 'https://evil.example' }), 403, 'invalid_origin');
    // Traits grow by merging, but never past 4 KB in total.
    for (let i = 0; i < 3; i++) {
      const res = await widget.api.patch('/sessions/current', { user: { traits: { [`k${i}`]: 'y'.repeat(1500) } } }, { token: anon.token });
      if (i < 2) expect(res.status).toBe(200);
      else expectError(res, 400, 'validation_error');
    }
  });
});
