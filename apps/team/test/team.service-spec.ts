import { AppError, loadConfig } from '@widget/common';
import { AuditContext, EmailRpc, Role, SessionRpc, TeamEvents } from '@widget/contracts';
import { newTestService, TestService } from '@widget/testing';
import { TeamConfig, teamEnv } from '../src/config';
import { AccountsService } from '../src/domain/accounts.service';
import { ApiKeysService } from '../src/domain/api-keys.service';
import { MembersService } from '../src/domain/members.service';
import { TeamsService } from '../src/domain/teams.service';
import { TEAM_ENTITIES } from '../src/persistence/entities';
import { TEAM_MIGRATIONS } from '../src/persistence/migrations';
import { TeamModule } from '../src/team.module';

let svc: TestService<TeamConfig>;
let accounts: AccountsService;
let members: MembersService;
let keys: ApiKeysService;
let teams: TeamsService;

const WORKSPACE = 'ws_00000000000000000000000001';
const root: AuditContext = { actor: { kind: 'root', id: null }, requestId: 'req-team-spec', address: null };

/** The error's reason (its code when it has none), or 'no error'. */
const reasonOf = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof AppError ? (e.reason ?? e.code) : String(e)),
  );

const accessChanges = () => svc.bus.emitted.filter((e) => e.subject === TeamEvents.accessChanged.subject).map((e) => e.payload);

/** A member who accepted the invitation: their id and an operator token. */
async function member(email: string, role: Role, callerRole: Role | 'root' = 'root'): Promise<{ id: string; token: string }> {
  const { member: invited, inviteToken } = await members.invite({ workspaceId: WORKSPACE, callerRole, audit: root, email, name: email.split('@')[0], role });
  const login = await accounts.acceptInvite({ inviteToken, password: 'correct horse battery staple' });
  return { id: invited.id, token: login.token };
}

beforeAll(async () => {
  svc = await newTestService({
    name: 'team',
    module: TeamModule,
    database: { schema: 'team', entities: TEAM_ENTITIES, migrations: TEAM_MIGRATIONS },
    config: (env) => loadConfig(teamEnv, { ...env, OPERATOR_TOKEN_TTL_HOURS: '12', INVITE_TTL_HOURS: '72' }),
  });
  // The other services the team service asks: the session service knows the workspace, integrations queues mails.
  svc.bus.answer(SessionRpc.getWorkspace, ({ workspaceId }) => ({ id: workspaceId, name: 'Team spec', createdAt: '2026-01-01T00:00:00.000Z' }));
  svc.bus.answer(EmailRpc.invitation, () => ({ queued: true }));
  accounts = svc.get(AccountsService);
  members = svc.get(MembersService);
  keys = svc.get(ApiKeysService);
  teams = svc.get(TeamsService);
});

afterAll(() => svc?.close());

it('an invitation made at the clock’s time is mailed, expires INVITE_TTL_HOURS later, and is accepted once; the login lasts OPERATOR_TOKEN_TTL_HOURS', async () => {
  svc.clock.set('2026-03-01T08:00:00.000Z');
  const { member: invited, inviteToken } = await members.invite({ workspaceId: WORKSPACE, callerRole: 'root', audit: root, email: 'ada@team.example', name: 'Ada', role: 'owner' });
  expect(invited).toMatchObject({ id: expect.stringMatching(/^op_/), status: 'invited', role: 'owner', createdAt: '2026-03-01T08:00:00.000Z' });
  const [row] = await svc.query(`SELECT status, invite_expires_at FROM team.memberships WHERE operator_id = $1`, [invited.id]);
  expect(row.status).toBe('invited');
  expect(new Date(row.invite_expires_at).toISOString()).toBe('2026-03-04T08:00:00.000Z');
  expect(svc.bus.sent).toContainEqual({
    subject: EmailRpc.invitation.subject,
    request: expect.objectContaining({ operatorId: invited.id, inviteToken, expiresAt: '2026-03-04T08:00:00.000Z' }),
  });

  svc.clock.advance(60_000);
  const login = await accounts.acceptInvite({ inviteToken, password: 'correct horse battery staple', name: 'Ada L.' });
  expect(login.expiresAt).toBe('2026-03-01T20:01:00.000Z');
  expect(login.operator).toEqual({ id: invited.id, email: 'ada@team.example', name: 'Ada L.', memberships: [{ workspaceId: WORKSPACE, role: 'owner' }] });
  // The broadcast is out before acceptInvite answered (it awaits the confirmed emit).
  expect(accessChanges()).toContainEqual({ operatorId: invited.id });
  expect(await accounts.authenticate(login.token)).toMatchObject({ kind: 'operator', id: invited.id, roles: { [WORKSPACE]: 'owner' } });
  expect(await reasonOf(accounts.acceptInvite({ inviteToken, password: 'correct horse battery staple' }))).toBe('invite_invalid');

  svc.clock.advance(12 * 3_600_000);
  expect(await reasonOf(accounts.authenticate(login.token))).toBe('operator_token_expired');
});

it('an invitation accepted after it expired is refused, and nothing of it changes', async () => {
  svc.clock.set('2026-03-10T08:00:00.000Z');
  const { member: invited, inviteToken } = await members.invite({ workspaceId: WORKSPACE, callerRole: 'root', email: 'late@team.example', name: 'Late', role: 'agent' });
  svc.clock.advance(72 * 3_600_000);
  expect(await reasonOf(accounts.acceptInvite({ inviteToken, password: 'correct horse battery staple' }))).toBe('invite_expired');
  const [row] = await svc.query(`SELECT m.status, o.password_hash FROM team.memberships m JOIN team.operators o ON o.id = m.operator_id WHERE o.id = $1`, [invited.id]);
  expect(row).toEqual({ status: 'invited', password_hash: null });
});

it('a role change is audited and broadcast; the last owner cannot be demoted, and only an owner makes one', async () => {
  svc.clock.set('2026-03-20T08:00:00.000Z');
  const workspace = 'ws_00000000000000000000000002';
  const invite = async (email: string, role: Role) => {
    const { member: m, inviteToken } = await members.invite({ workspaceId: workspace, callerRole: 'root', email, name: 'x', role });
    await accounts.acceptInvite({ inviteToken, password: 'correct horse battery staple' });
    return m.id;
  };
  const owner = await invite('owner@roles.example', 'owner');
  const admin = await invite('admin@roles.example', 'admin');

  expect(await reasonOf(members.patch({ workspaceId: workspace, memberId: owner, role: 'admin', callerRole: 'owner' }))).toBe('last_owner');
  expect(await reasonOf(members.patch({ workspaceId: workspace, memberId: admin, role: 'owner', callerRole: 'admin' }))).toBe('role_required');

  const changed = await members.patch({ workspaceId: workspace, memberId: admin, role: 'agent', callerRole: 'owner', audit: root });
  expect(changed).toMatchObject({ id: admin, role: 'agent', status: 'active' });
  expect(accessChanges()).toContainEqual({ operatorId: admin });
  const audit = await svc.query(`SELECT action, target_id FROM team.audit_log WHERE workspace_id = $1`, [workspace]);
  expect(audit).toEqual([{ action: 'member.role_changed', target_id: admin }]);
  expect((await members.list(workspace)).map((m) => [m.id, m.role])).toEqual([
    [owner, 'owner'],
    [admin, 'agent'],
  ]);
});

it('an API key is made with the test’s id and time, authenticates (its use recorded), and is refused once revoked', async () => {
  svc.clock.set('2026-04-01T08:00:00.000Z');
  const { key, secret } = await keys.create({ workspaceId: WORKSPACE, audit: root, name: 'CRM', role: 'agent' });
  expect(key).toEqual({ id: expect.stringMatching(/^key_/), name: 'CRM', role: 'agent', createdAt: '2026-04-01T08:00:00.000Z', lastUsedAt: null });
  expect(secret).toMatch(/^wsk_/);

  svc.clock.advance(5 * 60_000);
  expect(await accounts.authenticate(secret)).toEqual({ kind: 'api_key', id: key.id, name: 'CRM', workspaceId: WORKSPACE, role: 'agent' });
  expect((await keys.list(WORKSPACE)).find((k) => k.id === key.id)?.lastUsedAt).toBe('2026-04-01T08:05:00.000Z');

  await keys.revoke({ workspaceId: WORKSPACE, keyId: key.id, audit: root });
  expect(accessChanges()).toContainEqual({ apiKeyId: key.id });
  expect(await reasonOf(accounts.authenticate(secret))).toBe('token_unknown');
  expect(await reasonOf(keys.revoke({ workspaceId: WORKSPACE, keyId: key.id }))).toBe('api_key_not_found');
  const [revoked] = await svc.query(`SELECT revoked_at FROM team.api_keys WHERE id = $1`, [key.id]);
  expect(new Date(revoked.revoked_at).toISOString()).toBe('2026-04-01T08:05:00.000Z');
  const audit = await svc.query(`SELECT action FROM team.audit_log WHERE target_id = $1 ORDER BY id`, [key.id]);
  expect(audit.map((a) => a.action)).toEqual(['api_key.created', 'api_key.revoked']);
});

it('a retry with the same Idempotency-Key answers the stored reply (the secret opened, kept only sealed); another request under it is 409', async () => {
  svc.clock.set('2026-04-02T08:00:00.000Z');
  const idempotency = { key: 'idem-team-spec-key', requestHash: 'hash-a' };
  const first = await keys.create({ workspaceId: WORKSPACE, name: 'Once', role: 'admin', idempotency });
  svc.clock.advance(1_000);
  const retry = await keys.create({ workspaceId: WORKSPACE, name: 'Once', role: 'admin', idempotency });
  expect(retry).toEqual(first);
  const rows = await svc.query(`SELECT id FROM team.api_keys WHERE name = 'Once'`);
  expect(rows).toHaveLength(1);
  const [stored] = await svc.query(`SELECT reply::text AS reply FROM team.idempotency_keys WHERE key = $1`, [idempotency.key]);
  expect(stored.reply).not.toContain(first.secret);
  expect(await reasonOf(keys.create({ workspaceId: WORKSPACE, name: 'Other', role: 'admin', idempotency: { ...idempotency, requestHash: 'hash-b' } }))).toBe(
    'idempotency_key_reused',
  );

  const invitation = { key: 'idem-team-spec-invite', requestHash: 'hash-i' };
  const body = { workspaceId: WORKSPACE, callerRole: 'root' as const, email: 'twice@team.example', name: 'Twice', role: 'agent' as const, idempotency: invitation };
  const invited = await members.invite(body);
  expect(await members.invite(body)).toEqual(invited);
  const mails = svc.bus.sent.filter((s) => s.subject === EmailRpc.invitation.subject && (s.request as { operatorId: string }).operatorId === invited.member.id);
  // Each answer asks integrations to mail (it sends once per token).
  expect(mails.map((m) => (m.request as { inviteToken: string }).inviteToken)).toEqual([invited.inviteToken, invited.inviteToken]);
});

it('a team is made of workspace members only, and a failed create writes nothing', async () => {
  svc.clock.set('2026-04-03T08:00:00.000Z');
  const agent = await member('routing@team.example', 'agent');
  const team = await teams.create({ workspaceId: WORKSPACE, audit: root, name: 'Support', memberIds: [agent.id, agent.id] });
  expect(team).toEqual({ id: expect.stringMatching(/^team_/), workspaceId: WORKSPACE, name: 'Support', memberIds: [agent.id], createdAt: '2026-04-03T08:00:00.000Z' });
  expect(await reasonOf(teams.create({ workspaceId: WORKSPACE, audit: root, name: 'Ghosts', memberIds: ['op_00000000000000000000000000'] }))).toBe('invalid_fields');
  expect((await teams.list(WORKSPACE)).map((t) => t.name)).toEqual(['Support']);
});
