import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, AuditLog, Errors, hashToken, IdempotencyStore, InjectConfig, InjectLogger, NatsBus, newId, newOpaqueToken, SecretBox, withinTransaction } from '@widget/common';
import type { Logger } from 'pino';
import { AuditContext, EmailRpc, IdempotencyRequest, Member, MemberCreateBody, Role, SessionRpc } from '@widget/contracts';
import type { TeamConfig } from '../config';
import { MembershipEntity, OperatorEntity } from '../persistence/entities';
import { AccountsService, INVITE_TOKEN_PREFIX } from './accounts.service';

type CallerRole = Role | 'root';

const lastOwner = () =>
  new AppError('validation_error', 'A workspace keeps at least one owner.', { reason: 'last_owner', details: [{ field: 'role', reason: 'the last owner cannot be removed or demoted' }] });
const alreadyMember = () =>
  new AppError('validation_error', 'This person is already a member of the workspace.', { reason: 'already_member', details: [{ field: 'email', reason: 'already a member' }] });

/** Only an owner (or the root key) makes, changes or removes an owner. */
function checkOwnerRule(callerRole: CallerRole, ...roles: Role[]): void {
  if (callerRole !== 'root' && callerRole !== 'owner' && roles.includes('owner')) throw Errors.forbidden();
}

/** A workspace's members: invitations, role changes and removals (SPEC §14). */
@Injectable()
export class MembersService {
  private readonly logger: Logger;
  private readonly box: SecretBox;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly bus: NatsBus,
    private readonly accounts: AccountsService,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditLog,
    @InjectConfig() private readonly config: TeamConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'MembersService' });
    this.box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
  }

  /** The invitation token is shown once; an idempotent retry gets it back from the sealed stored reply. */
  async invite(
    req: { workspaceId: string; callerRole: CallerRole; audit?: AuditContext; idempotency?: IdempotencyRequest } & MemberCreateBody,
  ): Promise<{ member: Member; inviteToken: string }> {
    checkOwnerRule(req.callerRole, req.role);
    await this.bus.send(SessionRpc.getWorkspace, { workspaceId: req.workspaceId });
    const stored = await this.idempotency.run(req.idempotency, (m) => withinTransaction(this.db, m, (t) => this.inviteIn(t, req)));
    const inviteToken = this.box.open(stored.inviteSealed);
    this.mailInvitation(req.workspaceId, stored.member, inviteToken);
    return { member: stored.member, inviteToken };
  }

  /**
   * Issue 22: the integrations service mails the invitation when SMTP is set (once per token, however often
   * a retry asks). Never awaited: the invite does not wait for it, and when it fails the token the reply
   * shows still works. The log names the member, never the token.
   */
  private mailInvitation(workspaceId: string, member: Member, inviteToken: string): void {
    const expiresAt = new Date(Date.now() + this.config.INVITE_TTL_HOURS * 3_600_000).toISOString();
    this.bus
      .send(EmailRpc.invitation, { workspaceId, operatorId: member.id, email: member.email, role: member.role, inviteToken, expiresAt })
      .catch((err: Error) => this.logger.warn(`invitation mail for member ${member.id} not queued: ${err.message}`));
  }

  private async inviteIn(m: EntityManager, req: { workspaceId: string; audit?: AuditContext } & MemberCreateBody): Promise<{ member: Member; inviteSealed: string }> {
    await m.query(`INSERT INTO team.operators (id, email, name, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT (email) DO NOTHING`, [newId('operator'), req.email, req.name]);
    const operator = await m.getRepository(OperatorEntity).findOneByOrFail({ email: req.email });
    const existing = await m.getRepository(MembershipEntity).findOneBy({ workspaceId: req.workspaceId, operatorId: operator.id });
    if (existing?.status === 'active') throw alreadyMember();
    const inviteToken = newOpaqueToken(INVITE_TOKEN_PREFIX);
    const membership: MembershipEntity = {
      workspaceId: req.workspaceId,
      operatorId: operator.id,
      role: req.role,
      status: 'invited',
      inviteTokenHash: hashToken(inviteToken),
      inviteExpiresAt: new Date(Date.now() + this.config.INVITE_TTL_HOURS * 3_600_000),
      createdAt: existing?.createdAt ?? new Date(),
    };
    await m.getRepository(MembershipEntity).save(membership);
    await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'member.invited', targetType: 'member', targetId: operator.id });
    return { member: toMember(operator, membership), inviteSealed: this.box.seal(inviteToken) };
  }

  async list(workspaceId: string): Promise<Member[]> {
    const rows: (OperatorEntity & { role: Role; status: Member['status']; joinedAt: Date })[] = await this.db.query(
      `SELECT o.id, o.email, o.name, ms.role, ms.status, ms.created_at AS "joinedAt"
         FROM team.memberships ms JOIN team.operators o ON o.id = ms.operator_id
        WHERE ms.workspace_id = $1 ORDER BY ms.created_at, o.id`,
      [workspaceId],
    );
    return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, role: r.role, status: r.status, createdAt: new Date(r.joinedAt).toISOString() }));
  }

  async patch(req: { workspaceId: string; memberId: string; role: Role; callerRole: CallerRole; audit?: AuditContext }): Promise<Member> {
    const member = await this.db.transaction(async (m) => {
      const { membership, owners } = await this.lockMember(m, req.workspaceId, req.memberId);
      checkOwnerRule(req.callerRole, membership.role, req.role);
      if (membership.role === 'owner' && req.role !== 'owner' && owners <= 1 && membership.status === 'active') throw lastOwner();
      membership.role = req.role;
      await m.getRepository(MembershipEntity).update({ workspaceId: req.workspaceId, operatorId: req.memberId }, { role: req.role });
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'member.role_changed', targetType: 'member', targetId: req.memberId });
      return toMember(await m.getRepository(OperatorEntity).findOneByOrFail({ id: req.memberId }), membership);
    });
    await this.accounts.accessChanged({ operatorId: req.memberId });
    return member;
  }

  async remove(req: { workspaceId: string; memberId: string; callerRole: CallerRole; audit?: AuditContext }): Promise<{ removed: true }> {
    await this.db.transaction(async (m) => {
      const { membership, owners } = await this.lockMember(m, req.workspaceId, req.memberId);
      checkOwnerRule(req.callerRole, membership.role);
      if (membership.role === 'owner' && owners <= 1 && membership.status === 'active') throw lastOwner();
      await m.getRepository(MembershipEntity).delete({ workspaceId: req.workspaceId, operatorId: req.memberId });
      await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'member.removed', targetType: 'member', targetId: req.memberId });
    });
    await this.accounts.accessChanged({ operatorId: req.memberId });
    return { removed: true };
  }

  /** The member's row and the count of active owners, with every owner row of the workspace locked (two demotions cannot both pass). */
  private async lockMember(m: EntityManager, workspaceId: string, memberId: string): Promise<{ membership: MembershipEntity; owners: number }> {
    const owners: { operator_id: string }[] = await m.query(
      `SELECT operator_id FROM team.memberships WHERE workspace_id = $1 AND role = 'owner' AND status = 'active' ORDER BY operator_id FOR UPDATE`,
      [workspaceId],
    );
    const membership = await m
      .getRepository(MembershipEntity)
      .createQueryBuilder('ms')
      .setLock('pessimistic_write')
      .where('ms.workspace_id = :workspaceId AND ms.operator_id = :memberId', { workspaceId, memberId })
      .getOne();
    if (!membership) throw Errors.notFound('operator');
    return { membership, owners: owners.length };
  }
}

function toMember(operator: OperatorEntity, membership: MembershipEntity): Member {
  return { id: operator.id, email: operator.email, name: operator.name, role: membership.role, status: membership.status, createdAt: membership.createdAt.toISOString() };
}
