import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, Errors, hashToken, InjectConfig, NatsBus, newOpaqueToken } from '@widget/common';
import { AcceptInviteBody, Caller, LoginBody, LoginReply, OperatorView, TeamEvents } from '@widget/contracts';
import type { TeamConfig } from '../config';
import { ApiKeyEntity, MembershipEntity, OperatorEntity, OperatorTokenEntity } from '../persistence/entities';
import { Passwords } from './passwords';

export const OPERATOR_TOKEN_PREFIX = 'opt';
export const API_KEY_PREFIX = 'wsk';
export const INVITE_TOKEN_PREFIX = 'inv';

const invalidCredentials = () => new AppError('invalid_token', 'The email or the password is not right.', { reason: 'invalid_credentials' });
const operatorTokenExpired = () => new AppError('auth_expired', 'The operator token has expired; sign in again.', { reason: 'operator_token_expired' });
/** A key's last use is written at most this often (a busy integration would otherwise write on every call). */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Sign-in, sign-out and "who is this token" for operators and workspace API keys (SPEC §14). */
@Injectable()
export class AccountsService {
  private readonly passwords = new Passwords();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: TeamConfig,
  ) {}

  async login(body: LoginBody): Promise<LoginReply> {
    const operator = await this.db.getRepository(OperatorEntity).findOneBy({ email: body.email });
    const ok = await this.passwords.verifyOrBurn(operator?.passwordHash ?? null, body.password);
    if (!operator || !ok) throw invalidCredentials();
    return this.issue(operator);
  }

  /** Single sign-on: the provider vouched for this email; the account must exist and belong somewhere. */
  async ssoLogin(email: string): Promise<LoginReply> {
    const operator = await this.db.getRepository(OperatorEntity).findOneBy({ email: email.trim().toLowerCase() });
    if (!operator || (await this.activeMemberships(this.db.manager, operator.id)).length === 0) throw invalidCredentials();
    return this.issue(operator);
  }

  /**
   * An invitation is accepted once, before it expires. A new person sets a
   * password; a person who already has one (a member elsewhere) proves it.
   */
  async acceptInvite(body: AcceptInviteBody): Promise<LoginReply> {
    const operator = await this.db.transaction(async (m) => {
      const membership = await m
        .getRepository(MembershipEntity)
        .createQueryBuilder('ms')
        .setLock('pessimistic_write')
        .where('ms.invite_token_hash = :hash', { hash: hashToken(body.inviteToken) })
        .getOne();
      if (!membership || membership.status !== 'invited') throw Errors.invalidToken('invite_invalid');
      if (!membership.inviteExpiresAt || membership.inviteExpiresAt.getTime() <= Date.now()) throw Errors.invalidToken('invite_expired');
      const operator = await m.getRepository(OperatorEntity).findOneByOrFail({ id: membership.operatorId });
      if (operator.passwordHash === null) {
        operator.passwordHash = await this.passwords.hash(body.password);
      } else if (!(await this.passwords.verifyOrBurn(operator.passwordHash, body.password))) {
        throw invalidCredentials();
      }
      if (body.name) operator.name = body.name;
      await m.getRepository(OperatorEntity).save(operator);
      await m.getRepository(MembershipEntity).update(
        { workspaceId: membership.workspaceId, operatorId: membership.operatorId },
        { status: 'active', inviteTokenHash: null, inviteExpiresAt: null },
      );
      return operator;
    });
    await this.accessChanged({ operatorId: operator.id });
    return this.issue(operator);
  }

  /** Ends one login at once: every gateway replica drops it before this answers. */
  async logout(token: string): Promise<{ revoked: true }> {
    const tokenHash = hashToken(token);
    await this.db.getRepository(OperatorTokenEntity).delete({ tokenHash });
    await this.accessChanged({ tokenHash });
    return { revoked: true };
  }

  async authenticate(token: string): Promise<Exclude<Caller, { kind: 'root' }>> {
    if (token.startsWith(`${OPERATOR_TOKEN_PREFIX}_`)) return this.operatorCaller(token);
    if (token.startsWith(`${API_KEY_PREFIX}_`)) return this.apiKeyCaller(token);
    throw Errors.invalidToken('token_unknown');
  }

  async me(operatorId: string): Promise<OperatorView> {
    const operator = await this.db.getRepository(OperatorEntity).findOneBy({ id: operatorId });
    if (!operator) throw Errors.invalidToken('token_unknown');
    return this.view(this.db.manager, operator);
  }

  /** Tells every gateway replica to forget what it cached, and waits until the broadcast is out. */
  accessChanged(change: { tokenHash?: string; operatorId?: string; apiKeyId?: string }): Promise<void> {
    return this.bus.emit(TeamEvents.accessChanged, change, { confirm: true });
  }

  private async operatorCaller(token: string): Promise<Caller & { kind: 'operator' }> {
    const row = await this.db.getRepository(OperatorTokenEntity).findOneBy({ tokenHash: hashToken(token) });
    if (!row) throw Errors.invalidToken('token_unknown');
    if (row.expiresAt.getTime() <= Date.now()) throw operatorTokenExpired();
    const operator = await this.db.getRepository(OperatorEntity).findOneByOrFail({ id: row.operatorId });
    const roles = Object.fromEntries((await this.activeMemberships(this.db.manager, operator.id)).map((m) => [m.workspaceId, m.role]));
    return { kind: 'operator', id: operator.id, name: operator.name, email: operator.email, roles, expiresAt: row.expiresAt.toISOString() };
  }

  private async apiKeyCaller(token: string): Promise<Caller & { kind: 'api_key' }> {
    const key = await this.db.getRepository(ApiKeyEntity).findOneBy({ secretHash: hashToken(token) });
    if (!key || key.revokedAt) throw Errors.invalidToken('token_unknown');
    const now = Date.now();
    if (!key.lastUsedAt || now - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.db.getRepository(ApiKeyEntity).update({ id: key.id }, { lastUsedAt: new Date(now) });
    }
    return { kind: 'api_key', id: key.id, name: key.name, workspaceId: key.workspaceId, role: key.role };
  }

  private async issue(operator: OperatorEntity): Promise<LoginReply> {
    const token = newOpaqueToken(OPERATOR_TOKEN_PREFIX);
    const expiresAt = new Date(Date.now() + this.config.OPERATOR_TOKEN_TTL_HOURS * 3_600_000);
    await this.db.getRepository(OperatorTokenEntity).insert({ tokenHash: hashToken(token), operatorId: operator.id, expiresAt, createdAt: new Date() });
    return { token, expiresAt: expiresAt.toISOString(), operator: await this.view(this.db.manager, operator) };
  }

  private activeMemberships(m: EntityManager, operatorId: string): Promise<MembershipEntity[]> {
    return m.getRepository(MembershipEntity).find({ where: { operatorId, status: 'active' }, order: { workspaceId: 'ASC' } });
  }

  private async view(m: EntityManager, operator: OperatorEntity): Promise<OperatorView> {
    const memberships = await this.activeMemberships(m, operator.id);
    return { id: operator.id, email: operator.email, name: operator.name, memberships: memberships.map((ms) => ({ workspaceId: ms.workspaceId, role: ms.role })) };
  }

  /** Expired logins are deleted now and then (they are refused anyway). */
  async purgeExpired(): Promise<void> {
    await this.db.query(`DELETE FROM team.operator_tokens WHERE expires_at < now()`);
  }

}
