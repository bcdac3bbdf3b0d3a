import { Injectable } from '@nestjs/common';
import { AppError, Errors, hashToken, InjectConfig, NatsBus, newOpaqueToken, Queryable, UnitOfWork } from '@widget/common';
import { AcceptInviteBody, Caller, LoginBody, LoginReply, OperatorView, TeamEvents } from '@widget/contracts';
import type { TeamConfig } from '../config';
import { OperatorEntity } from '../persistence/entities';
import { MembershipRepository } from '../persistence/membership.repository';
import { ApiKeyRepository } from '../persistence/api-key.repository';
import { OperatorRepository } from '../persistence/operator.repository';
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
    private readonly operators: OperatorRepository,
    private readonly memberships: MembershipRepository,
    private readonly keys: ApiKeyRepository,
    private readonly uow: UnitOfWork,
    private readonly bus: NatsBus,
    @InjectConfig() private readonly config: TeamConfig,
  ) {}

  async login(body: LoginBody): Promise<LoginReply> {
    const operator = await this.operators.findByEmail(body.email);
    const ok = await this.passwords.verifyOrBurn(operator?.passwordHash ?? null, body.password);
    if (!operator || !ok) throw invalidCredentials();
    return this.issue(operator);
  }

  /** Single sign-on: the provider vouched for this email; the account must exist and belong somewhere. */
  async ssoLogin(email: string): Promise<LoginReply> {
    const operator = await this.operators.findByEmail(email.trim().toLowerCase());
    if (!operator || (await this.memberships.active(operator.id)).length === 0) throw invalidCredentials();
    return this.issue(operator);
  }

  /**
   * An invitation is accepted once, before it expires. A new person sets a
   * password; a person who already has one (a member elsewhere) proves it.
   */
  async acceptInvite(body: AcceptInviteBody): Promise<LoginReply> {
    const operator = await this.uow.run({}, async (tx) => {
      const membership = await this.memberships.lockByInviteHash(hashToken(body.inviteToken), tx);
      if (!membership || membership.status !== 'invited') throw Errors.invalidToken('invite_invalid');
      if (!membership.inviteExpiresAt || membership.inviteExpiresAt.getTime() <= tx.now().getTime()) throw Errors.invalidToken('invite_expired');
      const operator = await this.operators.find(membership.operatorId, tx);
      if (!operator) throw new Error(`The invitation's operator ${membership.operatorId} is missing.`);
      const changes: Partial<Pick<OperatorEntity, 'name' | 'passwordHash'>> = {};
      if (operator.passwordHash === null) {
        changes.passwordHash = await this.passwords.hash(body.password);
      } else if (!(await this.passwords.verifyOrBurn(operator.passwordHash, body.password))) {
        throw invalidCredentials();
      }
      if (body.name) changes.name = body.name;
      if (Object.keys(changes).length > 0) await this.operators.update(operator.id, changes, tx);
      await this.memberships.activate(membership.workspaceId, membership.operatorId, tx);
      return { ...operator, ...changes };
    });
    await this.accessChanged({ operatorId: operator.id });
    return this.issue(operator);
  }

  /** Ends one login at once: every gateway replica drops it before this answers. */
  async logout(token: string): Promise<{ revoked: true }> {
    const tokenHash = hashToken(token);
    await this.uow.run({}, (tx) => this.operators.deleteToken(tokenHash, tx));
    await this.accessChanged({ tokenHash });
    return { revoked: true };
  }

  async authenticate(token: string): Promise<Exclude<Caller, { kind: 'root' }>> {
    if (token.startsWith(`${OPERATOR_TOKEN_PREFIX}_`)) return this.operatorCaller(token);
    if (token.startsWith(`${API_KEY_PREFIX}_`)) return this.apiKeyCaller(token);
    throw Errors.invalidToken('token_unknown');
  }

  async me(operatorId: string): Promise<OperatorView> {
    const operator = await this.operators.find(operatorId);
    if (!operator) throw Errors.invalidToken('token_unknown');
    return this.view(operator);
  }

  /**
   * Tells every gateway replica to forget what it cached, and waits until the broadcast is out: called after
   * the write committed and before the RPC answers (so not through an outbox, which publishes later).
   */
  accessChanged(change: { tokenHash?: string; operatorId?: string; apiKeyId?: string }): Promise<void> {
    return this.bus.emit(TeamEvents.accessChanged, change, { confirm: true });
  }

  private async operatorCaller(token: string): Promise<Caller & { kind: 'operator' }> {
    const row = await this.operators.findToken(hashToken(token));
    if (!row) throw Errors.invalidToken('token_unknown');
    if (row.expiresAt.getTime() <= this.uow.now().getTime()) throw operatorTokenExpired();
    const operator = await this.operators.find(row.operatorId);
    if (!operator) throw new Error(`The token's operator ${row.operatorId} is missing.`);
    const roles = Object.fromEntries((await this.memberships.active(operator.id)).map((m) => [m.workspaceId, m.role]));
    return { kind: 'operator', id: operator.id, name: operator.name, email: operator.email, roles, expiresAt: row.expiresAt.toISOString() };
  }

  private async apiKeyCaller(token: string): Promise<Caller & { kind: 'api_key' }> {
    const key = await this.keys.findBySecretHash(hashToken(token));
    if (!key || key.revokedAt) throw Errors.invalidToken('token_unknown');
    const now = this.uow.now();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.uow.run({}, (tx) => this.keys.touch(key.id, now, tx));
    }
    return { kind: 'api_key', id: key.id, name: key.name, workspaceId: key.workspaceId, role: key.role };
  }

  private issue(operator: OperatorEntity): Promise<LoginReply> {
    const token = newOpaqueToken(OPERATOR_TOKEN_PREFIX);
    return this.uow.run({}, async (tx) => {
      const now = tx.now();
      const expiresAt = new Date(now.getTime() + this.config.OPERATOR_TOKEN_TTL_HOURS * 3_600_000);
      await this.operators.insertToken({ tokenHash: hashToken(token), operatorId: operator.id, expiresAt, createdAt: now }, tx);
      return { token, expiresAt: expiresAt.toISOString(), operator: await this.view(operator, tx) };
    });
  }

  private async view(operator: OperatorEntity, tx?: Queryable): Promise<OperatorView> {
    const memberships = await this.memberships.active(operator.id, tx);
    return { id: operator.id, email: operator.email, name: operator.name, memberships: memberships.map((ms) => ({ workspaceId: ms.workspaceId, role: ms.role })) };
  }

  /** Expired logins are deleted now and then (they are refused anyway). */
  async purgeExpired(): Promise<void> {
    await this.uow.run({}, (tx) => this.operators.deleteTokensExpiredBy(tx.now(), tx));
  }
}
