import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Client } from 'pg';
import { createTestWidget, signIdentity, startAnonymous, testStack, TestWidget } from '@widget/testing';

const stack = testStack();
const now = () => Math.floor(Date.now() / 1000);

/** Builds a JWT by hand, for the algorithms a library refuses to sign with. */
function rawJwt(header: object, payload: object, signature = ''): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part(header)}.${part(payload)}.${signature}`;
}

describe('identity JWT verification (POST /sessions/identify)', () => {
  let widget: TestWidget;
  let other: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
    other = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
  });

  async function identify(jwt: string) {
    const anon = await startAnonymous(widget);
    return widget.api.post('/sessions/identify', { token: jwt }, { token: anon.token });
  }

  function expectRefused(res: { status: number; body: any }, reason: string) {
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'invalid_token', reason, recoverable: false });
  }

  it('accepts a valid token, with aud as a string or a list, and a small clock skew', async () => {
    expect((await identify(await signIdentity(widget, { aud: 'clad_support_chat' }))).status).toBe(200);
    expect((await identify(await signIdentity(widget, { aud: ['other', 'clad_support_chat'] }))).status).toBe(200);
    expect((await identify(await signIdentity(widget, { exp: now() - 10 }))).status).toBe(200);
  });

  it('refuses a signature made with another secret', async () => {
    expectRefused(await identify(await signIdentity(widget, {}, other.secret)), 'signature_invalid');
  });

  it('refuses alg none', async () => {
    const token = rawJwt({ alg: 'none', typ: 'JWT' }, { sub: 'x', workspace_id: widget.workspaceId, widget_id: widget.widgetId, exp: now() + 600 });
    expectRefused(await identify(token), 'algorithm_not_allowed');
  });

  it('refuses every other algorithm, HS512 included', async () => {
    const claims = { sub: 'x', workspace_id: widget.workspaceId, widget_id: widget.widgetId, exp: now() + 600 };
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(new TextEncoder().encode(widget.secret.padEnd(64, 'x')));
    expectRefused(await identify(hs512), 'algorithm_not_allowed');
    expectRefused(await identify(rawJwt({ alg: 'RS256' }, claims, 'c2ln')), 'algorithm_not_allowed');
  });

  it('refuses an expired token beyond the skew', async () => {
    expectRefused(await identify(await signIdentity(widget, { exp: now() - 3600 })), 'token_expired');
  });

  it.each(['sub', 'exp', 'workspace_id', 'widget_id'])('refuses a token without %s', async (claim) => {
    const claims: Record<string, unknown> = { sub: 'u', workspace_id: widget.workspaceId, widget_id: widget.widgetId, exp: now() + 600 };
    delete claims[claim];
    const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(widget.secret));
    const res = await identify(jwt);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('invalid_token');
  });

  it('refuses a wrong audience', async () => {
    expectRefused(await identify(await signIdentity(widget, { aud: 'someone_else' })), 'audience_invalid');
  });

  it('refuses a token for another widget or workspace', async () => {
    expectRefused(await identify(await signIdentity(widget, { widget_id: other.widgetId })), 'widget_mismatch');
    expectRefused(await identify(await signIdentity(widget, { workspace_id: other.workspaceId })), 'widget_mismatch');
  });

  it('refuses a reused jti, also under concurrent replays', async () => {
    const jwt = await signIdentity(widget, { jti: randomUUID() });
    expect((await identify(jwt)).status).toBe(200);
    expectRefused(await identify(jwt), 'jti_reused');

    const raced = await signIdentity(widget, { jti: randomUUID() });
    const results = await Promise.all(Array.from({ length: 6 }, () => identify(raced)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectRefused(r, 'jti_reused');
  });

  it('refuses a signed token whose text claims hold NUL or a lone surrogate (issue 18 #7; was a 500)', async () => {
    for (const [claim, value] of [
      ['sub', 'user\u0000x'],
      ['email', 'a\u0000@example.com'],
      ['name', 'Ada\u0000'],
      ['company_id', 'co\u0000'],
      ['jti', `j\u0000${randomUUID()}`],
      ['sub', 'user\ud800'],
    ] as const) {
      expectRefused(await identify(await signIdentity(widget, { [claim]: value })), `claim_invalid_${claim}`);
    }
  });

  it('refuses a malformed token', async () => {
    expectRefused(await identify('not-a-jwt'), 'malformed');
    expectRefused(await identify('a.b.c'), 'malformed');
  });

  it('refuses an empty or wrong-typed token field with validation_error (a missing one is auth_required: a JWT is required)', async () => {
    const anon = await startAnonymous(widget);
    for (const body of [{ token: '' }, { token: 42 }, { token: 'x'.repeat(9000) }]) {
      const res = await widget.api.post('/sessions/identify', body, { token: anon.token });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_error');
    }
  });

  it('stops verifying with the old secret after rotation', async () => {
    const w = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
    const rotated = await w.admin.post(`/widgets/${w.widgetId}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(w.secret);
    const anon = await startAnonymous(w);
    const old = await w.api.post('/sessions/identify', { token: await signIdentity(w) }, { token: anon.token });
    expectRefused(old, 'signature_invalid');
    const fresh = await w.api.post('/sessions/identify', { token: await signIdentity(w, {}, rotated.body.secret) }, { token: anon.token });
    expect(fresh.status).toBe(200);
  });

  it('the same user on two devices is one end user', async () => {
    const sub = `user-${randomUUID()}`;
    const one = await identify(await signIdentity(widget, { sub, name: 'First' }));
    const two = await identify(await signIdentity(widget, { sub, email: 'later@example.com' }));
    expect(one.body.session.user.id).toBe(two.body.session.user.id);
    expect(two.body.session.user).toMatchObject({ name: 'First', email: 'later@example.com' });
  });
});

describe('widgets that require identification (anonymousAllowed: false)', () => {
  let widget: TestWidget;

  beforeAll(async () => {
    widget = await createTestWidget(stack, { identity: { anonymousAllowed: false } });
  });

  it('refuses anonymous sessions', async () => {
    const res = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'widget_disabled', reason: 'anonymous_not_allowed' });
  });

  it('identifies without a Bearer session, naming the widget in the body', async () => {
    const jwt = await signIdentity(widget);
    const res = await widget.api.post('/sessions/identify', { token: jwt, workspaceId: widget.workspaceId, widgetId: widget.widgetId });
    expect(res.status).toBe(200);
    expect(res.body.session.identityType).toBe('identified');
  });

  it('without a Bearer session nor a widget → auth_required; origin still checked', async () => {
    const jwt = await signIdentity(widget);
    const res = await widget.api.post('/sessions/identify', { token: jwt });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('auth_required');
    const badOrigin = await widget.api.post('/sessions/identify', { token: jwt, workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { origin: 'https://evil.test' });
    expect(badOrigin.status).toBe(403);
    expect(badOrigin.body.error.code).toBe('invalid_origin');
  });

  it('the resumed identified session is accepted by /sessions/anonymous (200)', async () => {
    const identified = await widget.api.post('/sessions/identify', { token: await signIdentity(widget), workspaceId: widget.workspaceId, widgetId: widget.widgetId });
    const resumed = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token: identified.body.token });
    expect(resumed.status).toBe(200);
    expect(resumed.body.session.id).toBe(identified.body.session.id);
  });
});

describe('session lifecycle', () => {
  let widget: TestWidget;
  let db: Client;

  beforeAll(async () => {
    widget = await createTestWidget(stack);
    db = new Client({ connectionString: stack.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await db.end();
  });

  it('refresh slides the expiry forward and keeps the token', async () => {
    const anon = await startAnonymous(widget);
    await db.query(`UPDATE session.sessions SET expires_at = now() + interval '1 hour' WHERE id = $1`, [anon.sessionId]);
    const res = await widget.api.post('/sessions/refresh', undefined, { token: anon.token });
    expect(res.status).toBe(200);
    expect(res.body.token).toBe(anon.token);
    expect(Date.parse(res.body.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
  });

  it('an expired session → 401 auth_expired (recoverable)', async () => {
    const anon = await startAnonymous(widget);
    await db.query(`UPDATE session.sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [anon.sessionId]);
    const res = await widget.api.post('/sessions/refresh', undefined, { token: anon.token });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: 'auth_expired', recoverable: true });
  });

  it('an expired session is not resumed: /sessions/anonymous makes a new one (201)', async () => {
    const anon = await startAnonymous(widget);
    await db.query(`UPDATE session.sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [anon.sessionId]);
    const res = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token: anon.token });
    expect(res.status).toBe(201);
    expect(res.body.session.id).not.toBe(anon.sessionId);
  });

  it('a token of another widget is not resumed', async () => {
    const other = await createTestWidget(stack);
    const theirs = await startAnonymous(other);
    const res = await widget.api.post('/sessions/anonymous', { workspaceId: widget.workspaceId, widgetId: widget.widgetId }, { token: theirs.token });
    expect(res.status).toBe(201);
    expect(res.body.session.widgetId).toBe(widget.widgetId);
  });

  it('shutdown revokes at once (204, then invalid_token)', async () => {
    const anon = await startAnonymous(widget);
    expect((await widget.api.post('/sessions/refresh', undefined, { token: anon.token })).status).toBe(200);
    const res = await widget.api.post('/sessions/shutdown', undefined, { token: anon.token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const after = await widget.api.post('/sessions/refresh', undefined, { token: anon.token });
    expect(after.body.error).toMatchObject({ code: 'invalid_token', reason: 'revoked' });
  });

  it('realtime tokens are short-lived and refused by the HTTP API', async () => {
    const anon = await startAnonymous(widget);
    const res = await widget.api.post('/sessions/realtime-token', undefined, { token: anon.token });
    expect(res.status).toBe(200);
    expect(res.body.token).toMatch(/^wrt_/);
    const ttl = Date.parse(res.body.expiresAt) - Date.now();
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5 * 60_000);
    const misuse = await widget.api.post('/sessions/refresh', undefined, { token: res.body.token });
    expect(misuse.status).toBe(401);
    expect(misuse.body.error).toMatchObject({ code: 'invalid_token', reason: 'realtime_token_not_accepted' });
  });

  it('a disabled widget: config says so, sessions are refused, existing tokens get widget_disabled', async () => {
    const w = await createTestWidget(stack);
    const anon = await startAnonymous(w);
    expect((await w.api.post('/sessions/refresh', undefined, { token: anon.token })).status).toBe(200);
    expect((await w.admin.patch(`/widgets/${w.widgetId}`, { enabled: false })).status).toBe(200);

    const config = await w.api.get(`/config?workspace_id=${w.workspaceId}&widget_id=${w.widgetId}`);
    expect(config.status).toBe(200);
    expect(config.body.enabled).toBe(false);
    const start = await w.api.post('/sessions/anonymous', { workspaceId: w.workspaceId, widgetId: w.widgetId });
    expect(start.status).toBe(403);
    expect(start.body.error.code).toBe('widget_disabled');
    const existing = await w.api.post('/sessions/refresh', undefined, { token: anon.token });
    expect(existing.status).toBe(403);
    expect(existing.body.error).toMatchObject({ code: 'widget_disabled', reason: 'widget_disabled' });
  });

  it('stores only hashes of tokens and only sealed secrets, and never logs them', async () => {
    const w = await createTestWidget(stack, { identity: { allowAnonymousToIdentifiedMerge: false } });
    const anon = await startAnonymous(w);
    const identified = await w.api.post('/sessions/identify', { token: await signIdentity(w) }, { token: anon.token });
    const rt = await w.api.post('/sessions/realtime-token', undefined, { token: identified.body.token });
    const dump = await db.query(
      `SELECT (SELECT json_agg(s) FROM session.sessions s)::text || (SELECT json_agg(w) FROM session.widgets w)::text AS all`,
    );
    const everything: string = dump.rows[0].all;
    for (const secret of [anon.token, identified.body.token, rt.body.token, w.secret]) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(4));
    }
    const { readdirSync, readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const logs = readdirSync(stack.logDir!).filter((f) => f.endsWith('.log')).map((f) => readFileSync(join(stack.logDir!, f), 'utf8')).join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of [anon.token, identified.body.token, rt.body.token, w.secret, stack.adminKey]) {
      expect(logs).not.toContain(secret);
    }
  });
});
