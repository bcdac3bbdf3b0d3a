import {
  addOperator,
  Api,
  createTeamWorkspace,
  createTestWidget,
  expectEnvelope,
  OperatorApi,
  queryDatabase,
  RunningApp,
  spawnApp,
  startAnonymous,
  TeamWorkspace,
  testEmail,
  testPassword,
  testStack,
} from '@widget/testing';

const stack = testStack();
const admin = (token?: string) => new OperatorApi(stack.baseUrl, token);
const root = () => admin(stack.adminKey);

/** SPEC §14: accounts, invitations, logins, roles, keys, authorship and the audit log, through the real gateway. */
describe('Team accounts (SPEC §14)', () => {
  let team: TeamWorkspace;
  let other: TeamWorkspace;

  beforeAll(async () => {
    [team, other] = await Promise.all([createTeamWorkspace(stack), createTeamWorkspace(stack)]);
  });

  describe('invitations and sign-in', () => {
    it('invite → accept with a password → an opt_ token; /me names the account and its role', async () => {
      const email = testEmail('new');
      const invited = await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/members`, { email: email.toUpperCase(), name: 'Ada Lovelace', role: 'agent' });
      expect(invited.status).toBe(201);
      expect(invited.body.member).toEqual({ id: expect.stringMatching(/^op_/), email, name: 'Ada Lovelace', role: 'agent', status: 'invited', createdAt: expect.any(String) });
      expect(invited.body.inviteToken).toMatch(/^inv_/);

      const accepted = await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: 'correct horse battery' });
      expect(accepted.status).toBe(200);
      expect(accepted.body.token).toMatch(/^opt_/);
      expect(Date.parse(accepted.body.expiresAt) - Date.now()).toBeGreaterThan(11 * 3_600_000);
      expect(accepted.body.operator).toEqual({ id: invited.body.member.id, email, name: 'Ada Lovelace', memberships: [{ workspaceId: team.workspaceId, role: 'agent' }] });

      const me = await admin(accepted.body.token).get('/me');
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ kind: 'operator', operator: accepted.body.operator });
      const members = await admin(team.agent.token).get(`/workspaces/${team.workspaceId}/members`);
      expect(members.body.data.find((m: { id: string }) => m.id === invited.body.member.id)).toMatchObject({ status: 'active', role: 'agent' });

      // The token is stored as a hash only; the password as argon2id.
      const stored = await queryDatabase(stack.databaseUrl, `SELECT o.password_hash, t.token_hash FROM team.operators o JOIN team.operator_tokens t ON t.operator_id = o.id WHERE o.email = $1`, [email]);
      expect(stored[0].password_hash).toMatch(/^\$argon2id\$/);
      expect(stored[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored)).not.toContain('correct horse');
    });

    it('an invitation works once, and not after it expires; weak, huge and malformed input changes nothing', async () => {
      const email = testEmail('once');
      const invited = await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/members`, { email, name: 'Once', role: 'agent' });
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: 'short' }), 400, 'validation_error');
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: 'x'.repeat(257) }), 400, 'validation_error');
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken }), 400, 'validation_error');
      expect((await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: testPassword() })).status).toBe(200);
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: testPassword() }), 401, 'invalid_token', 'invite_invalid');
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: 'inv_made-up', password: testPassword() }), 401, 'invalid_token', 'invite_invalid');

      const late = await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/members`, { email: testEmail('late'), name: 'Late', role: 'agent' });
      await queryDatabase(stack.databaseUrl, `UPDATE team.memberships SET invite_expires_at = now() - interval '1 second' WHERE operator_id = $1`, [late.body.member.id]);
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: late.body.inviteToken, password: testPassword() }), 401, 'invalid_token', 'invite_expired');

      for (const body of [{ email: 'not-an-email', name: 'X', role: 'agent' }, { email: testEmail(), name: 'X', role: 'superuser' }, { email: testEmail(), name: '', role: 'agent' }, { email: testEmail(), role: 'agent' }, { email: testEmail(), name: 'X', role: 'agent', extra: 1 }]) {
        expectEnvelope(await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/members`, body), 400, 'validation_error');
      }
      expectEnvelope(await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/members`, { email: team.agent.email, name: 'Again', role: 'agent' }), 400, 'validation_error', 'already_member');
    });

    it('a wrong password and an unknown email get the same answer; logout ends the token at once', async () => {
      const ok = await admin().post('/auth/login', { email: team.agent.email.toUpperCase(), password: team.agent.password });
      expect(ok.status).toBe(200);
      expect(ok.body.operator.id).toBe(team.agent.id);
      const wrong = await admin().post('/auth/login', { email: team.agent.email, password: 'not the password' });
      const unknown = await admin().post('/auth/login', { email: testEmail('nobody'), password: 'not the password' });
      expectEnvelope(wrong, 401, 'invalid_token', 'invalid_credentials');
      expectEnvelope(unknown, 401, 'invalid_token', 'invalid_credentials');
      expect(unknown.body.error.message).toBe(wrong.body.error.message);
      expectEnvelope(await admin().post('/auth/login', { email: team.agent.email }), 400, 'validation_error');
      expectEnvelope(await admin().post('/auth/login', { email: team.agent.email, password: 'p'.repeat(10_000) }), 400, 'validation_error');

      expect((await admin(ok.body.token).get('/me')).status).toBe(200);
      expect((await admin(ok.body.token).post('/auth/logout')).status).toBe(204);
      expectEnvelope(await admin(ok.body.token).get('/me'), 401, 'invalid_token');
      expectEnvelope(await admin(ok.body.token).get(`/workspaces/${team.workspaceId}/conversations`), 401, 'invalid_token');
      // The agent's other login is untouched.
      expect((await admin(team.agent.token).get('/me')).status).toBe(200);
    });

    it('logout, a removal and a key revocation hold at once on another gateway replica that had them cached', async () => {
      const replica = await spawnApp(stack, 'gateway', { SESSION_CACHE_TTL_MS: '300000' });
      try {
        const there = (token: string) => new OperatorApi(replica.url, token);
        const login = await admin().post('/auth/login', { email: team.admin.email, password: team.admin.password });
        const removed = await addOperator(stack, team.owner.token, team.workspaceId, 'agent');
        const key = await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/api-keys`, { name: 'replicated', role: 'agent' });
        for (const token of [login.body.token, removed.token, key.body.secret]) expect((await there(token).get(`/workspaces/${team.workspaceId}/conversations`)).status).toBe(200);

        expect((await admin(login.body.token).post('/auth/logout')).status).toBe(204);
        expect((await admin(team.owner.token).delete(`/workspaces/${team.workspaceId}/members/${removed.id}`)).status).toBe(204);
        expect((await admin(team.owner.token).delete(`/workspaces/${team.workspaceId}/api-keys/${key.body.key.id}`)).status).toBe(204);

        expectEnvelope(await there(login.body.token).get(`/workspaces/${team.workspaceId}/conversations`), 401, 'invalid_token');
        expectEnvelope(await there(removed.token).get(`/workspaces/${team.workspaceId}/conversations`), 404, 'not_found', 'workspace_not_found');
        expectEnvelope(await there(key.body.secret).get(`/workspaces/${team.workspaceId}/conversations`), 401, 'invalid_token');
      } finally {
        await replica.stop();
      }
    });

    it('an expired operator token → 401 auth_expired', async () => {
      const login = await admin().post('/auth/login', { email: team.admin.email, password: team.admin.password });
      await queryDatabase(stack.databaseUrl, `UPDATE team.operator_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = encode(sha256($1::bytea), 'hex')`, [login.body.token]);
      // A fresh replica would ask the team service; this one may still hold it for SESSION_CACHE_TTL_MS, so ask one that never saw it.
      const fresh = await spawnApp(stack, 'gateway');
      try {
        expectEnvelope(await new OperatorApi(fresh.url, login.body.token).get('/me'), 401, 'auth_expired', 'operator_token_expired');
      } finally {
        await fresh.stop();
      }
    });

    it('one person in two workspaces: the second invitation asks for the existing password', async () => {
      const invited = await admin(other.owner.token).post(`/workspaces/${other.workspaceId}/members`, { email: team.agent.email, name: 'ignored', role: 'admin' });
      expect(invited.status).toBe(201);
      expect(invited.body.member.id).toBe(team.agent.id);
      expectEnvelope(await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: 'a different password' }), 401, 'invalid_token', 'invalid_credentials');
      const accepted = await admin().post('/auth/accept-invite', { inviteToken: invited.body.inviteToken, password: team.agent.password });
      expect(accepted.status).toBe(200);
      expect(accepted.body.operator.memberships).toEqual(
        expect.arrayContaining([
          { workspaceId: team.workspaceId, role: 'agent' },
          { workspaceId: other.workspaceId, role: 'admin' },
        ]),
      );
      // The token issued before the second membership sees it too, at once.
      const widgetBody = { name: 'second home' };
      expect((await admin(team.agent.token).post(`/workspaces/${other.workspaceId}/widgets`, widgetBody)).status).toBe(201);
      expectEnvelope(await admin(team.agent.token).post(`/workspaces/${team.workspaceId}/widgets`, widgetBody), 403, 'forbidden', 'role_required');
      await admin(other.owner.token).delete(`/workspaces/${other.workspaceId}/members/${team.agent.id}`);
    });
  });

  describe('roles', () => {
    it('an agent answers conversations but may not change settings; another workspace is 404', async () => {
      const agent = admin(team.agent.token);
      expect((await agent.get(`/workspaces/${team.workspaceId}/conversations`)).status).toBe(200);
      expectEnvelope(await agent.post(`/workspaces/${team.workspaceId}/widgets`, { name: 'nope' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await agent.post(`/workspaces/${team.workspaceId}/api-keys`, { name: 'nope', role: 'agent' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await agent.get(`/workspaces/${team.workspaceId}/audit-log`), 403, 'forbidden', 'role_required');
      expectEnvelope(await agent.get(`/workspaces/${other.workspaceId}/conversations`), 404, 'not_found', 'workspace_not_found');
      expectEnvelope(await agent.post('/workspaces', { name: 'mine' }), 403, 'forbidden', 'role_required');
    });

    it("ids of another workspace's widget, article, form and conversation are 404 as if absent", async () => {
      const widget = await createTestWidget(stack);
      const visitor = await startAnonymous(widget);
      const conversation = await widget.api.post('/conversations', { message: 'hello there' }, { token: visitor.token });
      const article = await root().post(`/workspaces/${widget.workspaceId}/articles`, { title: 'A', body: 'B', status: 'published' });
      const form = await root().post(`/workspaces/${widget.workspaceId}/forms`, { name: 'F', fields: [{ key: 'x', type: 'text', label: 'X' }] });
      expect([conversation.status, article.status, form.status]).toEqual([201, 201, 201]);
      const owner = admin(team.owner.token);
      expectEnvelope(await owner.get(`/widgets/${widget.widgetId}`), 404, 'not_found', 'widget_not_found');
      expectEnvelope(await owner.patch(`/widgets/${widget.widgetId}`, { name: 'stolen' }), 404, 'not_found', 'widget_not_found');
      expectEnvelope(await owner.get(`/articles/${article.body.id}`), 404, 'article_not_found');
      expectEnvelope(await owner.get(`/forms/${form.body.id}`), 404, 'form_not_found');
      expectEnvelope(await owner.get(`/conversations/${conversation.body.id}`), 404, 'conversation_not_found');
      expectEnvelope(await owner.post(`/conversations/${conversation.body.id}/messages`, { text: 'hi' }), 404, 'conversation_not_found');
      expect((await root().get(`/widgets/${widget.widgetId}`)).body.name).not.toBe('stolen');
    });

    it('an admin may not make, change or remove an owner; the last owner stays; a role change applies to issued tokens at once', async () => {
      const byAdmin = admin(team.admin.token);
      expectEnvelope(await byAdmin.post(`/workspaces/${team.workspaceId}/members`, { email: testEmail(), name: 'Boss', role: 'owner' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await byAdmin.patch(`/workspaces/${team.workspaceId}/members/${team.admin.id}`, { role: 'owner' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await byAdmin.patch(`/workspaces/${team.workspaceId}/members/${team.owner.id}`, { role: 'agent' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await byAdmin.delete(`/workspaces/${team.workspaceId}/members/${team.owner.id}`), 403, 'forbidden', 'role_required');
      expectEnvelope(await admin(team.owner.token).delete(`/workspaces/${team.workspaceId}/members/${team.owner.id}`), 400, 'validation_error', 'last_owner');
      expectEnvelope(await admin(team.owner.token).patch(`/workspaces/${team.workspaceId}/members/${team.owner.id}`, { role: 'admin' }), 400, 'validation_error', 'last_owner');
      expectEnvelope(await admin(team.owner.token).patch(`/workspaces/${team.workspaceId}/members/op_01ARZ3NDEKTSV4RRFFQ69G5FAV`, { role: 'admin' }), 404, 'not_found', 'member_not_found');
      expectEnvelope(await admin(team.owner.token).patch(`/workspaces/${team.workspaceId}/members/${other.agent.id}`, { role: 'admin' }), 404, 'not_found', 'member_not_found');
      expect(await roles()).toMatchObject({ [team.owner.id]: 'owner', [team.admin.id]: 'admin' });

      const demoted = await addOperator(stack, team.owner.token, team.workspaceId, 'admin');
      expect((await admin(demoted.token).get(`/workspaces/${team.workspaceId}/api-keys`)).status).toBe(200);
      expect((await admin(team.owner.token).patch(`/workspaces/${team.workspaceId}/members/${demoted.id}`, { role: 'agent' })).body.role).toBe('agent');
      expectEnvelope(await admin(demoted.token).get(`/workspaces/${team.workspaceId}/api-keys`), 403, 'forbidden', 'role_required');
      expect((await admin(team.owner.token).delete(`/workspaces/${team.workspaceId}/members/${demoted.id}`)).status).toBe(204);
      expectEnvelope(await admin(demoted.token).get(`/workspaces/${team.workspaceId}/conversations`), 404, 'not_found', 'workspace_not_found');
    });

    async function roles(): Promise<Record<string, string>> {
      const list = await admin(team.owner.token).get(`/workspaces/${team.workspaceId}/members`);
      return Object.fromEntries(list.body.data.map((m: { id: string; role: string }) => [m.id, m.role]));
    }
  });

  describe('workspace API keys', () => {
    it('shown once, hashed, scoped to the workspace and its role, revoked at once', async () => {
      const created = await admin(team.admin.token).post(`/workspaces/${team.workspaceId}/api-keys`, { name: 'CRM sync', role: 'agent' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ key: { id: expect.stringMatching(/^key_/), name: 'CRM sync', role: 'agent', createdAt: expect.any(String), lastUsedAt: null }, secret: expect.stringMatching(/^wsk_/) });
      const key = admin(created.body.secret);
      expect((await key.get(`/workspaces/${team.workspaceId}/conversations`)).status).toBe(200);
      expect((await key.get('/me')).body).toMatchObject({ kind: 'api_key', key: { id: created.body.key.id, workspaceId: team.workspaceId, role: 'agent' } });
      expectEnvelope(await key.post(`/workspaces/${team.workspaceId}/articles`, { title: 'T', body: 'B', status: 'draft' }), 403, 'forbidden', 'role_required');
      expectEnvelope(await key.get(`/workspaces/${other.workspaceId}/conversations`), 404, 'not_found');
      expectEnvelope(await key.post('/auth/logout'), 400, 'validation_error', 'not_an_operator_token');

      const listed = await admin(team.owner.token).get(`/workspaces/${team.workspaceId}/api-keys`);
      expect(JSON.stringify(listed.body)).not.toContain(created.body.secret);
      expect(listed.body.data.find((k: { id: string }) => k.id === created.body.key.id).lastUsedAt).not.toBeNull();
      const stored = await queryDatabase(stack.databaseUrl, `SELECT secret_hash FROM team.api_keys WHERE id = $1`, [created.body.key.id]);
      expect(stored[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);

      expect((await admin(team.admin.token).delete(`/workspaces/${team.workspaceId}/api-keys/${created.body.key.id}`)).status).toBe(204);
      expectEnvelope(await key.get(`/workspaces/${team.workspaceId}/conversations`), 401, 'invalid_token');
      expectEnvelope(await admin(team.admin.token).delete(`/workspaces/${team.workspaceId}/api-keys/${created.body.key.id}`), 404, 'not_found', 'api_key_not_found');
      expectEnvelope(await admin(team.admin.token).post(`/workspaces/${team.workspaceId}/api-keys`, { name: 'boss', role: 'owner' }), 400, 'validation_error');
    });
  });

  describe('tokens in the wrong place', () => {
    it('a visitor token on /admin/v1 and an operator token or key on /widget/v1 are refused', async () => {
      const widget = await createTestWidget(stack);
      const visitor = await startAnonymous(widget);
      expectEnvelope(await admin(visitor.token).get(`/workspaces/${widget.workspaceId}/conversations`), 401, 'invalid_token');
      expectEnvelope(await admin().get(`/workspaces/${widget.workspaceId}/conversations`), 401, 'auth_required');
      expectEnvelope(await widget.api.get('/conversations', { token: team.owner.token }), 401, 'invalid_token');
      expectEnvelope(await admin('opt_forged').get('/me'), 401, 'invalid_token');
      expectEnvelope(await admin('wsk_forged').get('/me'), 401, 'invalid_token');
    });
  });

  describe('authorship', () => {
    it("an operator's reply is authored by the account; a body author is refused there and required with the root key", async () => {
      const widget = await createTestWidget(stack);
      const ws = await addOperator(stack, stack.adminKey, widget.workspaceId, 'agent');
      const visitor = await startAnonymous(widget);
      const conversation = (await widget.api.post('/conversations', { message: 'who answers?' }, { token: visitor.token })).body;
      const posted = await admin(ws.token).post(`/conversations/${conversation.id}/messages`, { text: 'It is me' });
      expect(posted.status).toBe(201);
      expect(posted.body.author).toMatchObject({ id: ws.id, name: ws.name });
      expectEnvelope(await admin(ws.token).post(`/conversations/${conversation.id}/messages`, { text: 'forged', author: { id: 'someone-else', name: 'CEO' } }), 400, 'validation_error');
      expectEnvelope(await root().post(`/conversations/${conversation.id}/messages`, { text: 'who am I' }), 400, 'validation_error');
      expect((await root().post(`/conversations/${conversation.id}/messages`, { text: 'bot here', author: { id: 'bot-1', name: 'Bot' }, type: 'bot' })).status).toBe(201);
      expect((await admin(ws.token).post(`/conversations/${conversation.id}/typing`, { typing: true })).status).toBe(204);
      const thread = await widget.api.get(`/conversations/${conversation.id}/messages`, { token: visitor.token });
      expect(thread.body.data.map((m: { text: string }) => m.text)).not.toContain('forged');
    });
  });

  describe('audit log', () => {
    it('records operator writes with actor, action, target, request id and address — never a secret; owners and admins read it', async () => {
      const key = await admin(team.owner.token).post(`/workspaces/${team.workspaceId}/api-keys`, { name: 'audited', role: 'admin' });
      await admin(team.owner.token).delete(`/workspaces/${team.workspaceId}/api-keys/${key.body.key.id}`);
      const log = await admin(team.admin.token).get(`/workspaces/${team.workspaceId}/audit-log?limit=100`);
      expect(log.status).toBe(200);
      const [revoked, created] = log.body.data.filter((e: { targetId: string }) => e.targetId === key.body.key.id);
      expect(revoked).toMatchObject({ action: 'api_key.revoked', targetType: 'api_key', actor: { kind: 'operator', id: team.owner.id }, requestId: expect.stringMatching(/^req_/) });
      expect(created).toMatchObject({ action: 'api_key.created', actor: { kind: 'operator', id: team.owner.id } });
      expect(typeof created.address).toBe('string');
      expect(log.body.data.some((e: { action: string; actor: { kind: string } }) => e.action === 'member.invited' && e.actor.kind === 'root')).toBe(true);
      const ids = log.body.data.map((e: { id: string }) => e.id);
      expect([...ids].sort().reverse()).toEqual(ids);
      const text = JSON.stringify(log.body);
      for (const secret of [key.body.secret, team.owner.token, team.owner.password]) expect(text).not.toContain(secret);
      expect(log.body.data.every((e: { id: string }) => !JSON.stringify(e).includes(other.workspaceId))).toBe(true);

      const page1 = await admin(team.owner.token).get(`/workspaces/${team.workspaceId}/audit-log?limit=2`);
      const page2 = await admin(team.owner.token).get(`/workspaces/${team.workspaceId}/audit-log?limit=2&cursor=${page1.body.nextCursor}`);
      expect(page1.body.data).toHaveLength(2);
      expect(page2.body.data[0].id < page1.body.data[1].id).toBe(true);
    });
  });

  describe('login limits (docs/limits.md)', () => {
    let gateway: RunningApp;
    beforeAll(async () => {
      gateway = await spawnApp(stack, 'gateway', { RATE_LIMIT_LOGIN_FAILURES_ADDRESS: '4/15m', RATE_LIMIT_LOGIN_FAILURES_EMAIL: '3/15m', TRUST_PROXY: 'true' });
    });
    afterAll(() => gateway?.stop());

    const login = (email: string, password: string, address: string) =>
      new Api(`${gateway.url}/admin/v1`).post('/auth/login', { email, password }, { headers: { 'x-forwarded-for': address } });

    it('failures per email, from any address, then 429 with Retry-After even for the right password', async () => {
      const person = await addOperator(stack, team.owner.token, team.workspaceId, 'agent');
      for (let i = 0; i < 3; i++) expectEnvelope(await login(person.email, 'wrong password', `198.51.100.${10 + i}`), 401, 'invalid_token', 'invalid_credentials');
      const refused = await login(person.email, person.password, '198.51.100.50');
      expectEnvelope(refused, 429, 'rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    });

    it('failures per address, whatever the email; a success costs nothing', async () => {
      const address = '203.0.113.77';
      for (let i = 0; i < 3; i++) expect((await login(team.admin.email, team.admin.password, address)).status).toBe(200);
      for (let i = 0; i < 4; i++) expectEnvelope(await login(testEmail('guess'), 'wrong password', address), 401, 'invalid_token', 'invalid_credentials');
      expectEnvelope(await login(team.admin.email, team.admin.password, address), 429, 'rate_limited');
      expect((await login(team.admin.email, team.admin.password, '203.0.113.78')).status).toBe(200);
    });
  });
});
