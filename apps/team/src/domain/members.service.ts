import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, Errors, hashToken, InjectConfig, InjectLogger, NatsBus, newOpaqueToken, SecretBox, StoredReply, Tx, UnitOfWork } from '@widget/common';
import type { Logger } from 'pino';
import { AuditContext, EmailRpc, IdempotencyRequest, Member, MemberCreateBody, Role, SessionRpc } from '@widget/contracts';
import type { TeamConfig } from '../config';
import { MembershipEntity, OperatorEntity } from '../persistence/entities';
import { MembershipRepository } from '../persistence/membership.repository';
import { OperatorRepository } from '../persistence/operator.repository';
import { AccountsService, INVITE_TOKEN_PREFIX } from './accounts.service';

type CallerRole = Role | 'root';
type Invited = { member: Member; inviteToken: string };

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
  /** The invitation token is shown once; the reply kept under an Idempotency-Key holds it sealed, and a retry gets it back opened. */
  private readonly storedReply: StoredReply<Invited>;

  constructor(
    private readonly operators: OperatorRepository,
    private readonly memberships: MembershipRepository,
    private readonly bus: NatsBus,
    private readonly accounts: AccountsService,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
    @InjectConfig() private readonly config: TeamConfig,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'MembersService' });
    const box = new SecretBox(config.SECRET_ENCRYPTION_KEY);
    this.storedReply = {
      save: (r) => ({ member: r.member, inviteSealed: box.seal(r.inviteToken) }),
      load: (s) => {
        const stored = s as { member: Member; inviteSealed: string };
        return { member: stored.member, inviteToken: box.open(stored.inviteSealed) };
      },
    };
  }

  async invite(req: { workspaceId: string; callerRole: CallerRole; audit?: AuditContext; idempotency?: IdempotencyRequest } & MemberCreateBody): Promise<Invited> {
    checkOwnerRule(req.callerRole, req.role);
    await this.bus.send(SessionRpc.getWorkspace, { workspaceId: req.workspaceId });
    const invited = await this.uow.run({ idempotency: req.idempotency, storedReply: this.storedReply }, (tx) => this.inviteIn(tx, req));
    this.mailInvitation(req.workspaceId, invited.member, invited.inviteToken);
    return invited;
  }

  /**
   * Issue 22: the integrations service mails the invitation when SMTP is set (once per token, however often
   * a retry asks). Never awaited: the invite does not wait for it, and when it fails the token the reply
   * shows still works. The log names the member, never the token.
   */
  private mailInvitation(workspaceId: string, member: Member, inviteToken: string): void {
    const expiresAt = new Date(this.uow.now().getTime() + this.config.INVITE_TTL_HOURS * 3_600_000).toISOString();
    this.bus
      .send(EmailRpc.invitation, { workspaceId, operatorId: member.id, email: member.email, role: member.role, inviteToken, expiresAt })
      .catch((err: Error) => this.logger.warn(`invitation mail for member ${member.id} not queued: ${err.message}`));
  }

  private async inviteIn(tx: Tx, req: { workspaceId: string; audit?: AuditContext } & MemberCreateBody): Promise<Invited> {
    const now = tx.now();
    await this.operators.insertIfAbsent({ id: tx.newId('operator'), email: req.email, name: req.name, createdAt: now }, tx);
    const operator = await this.operators.findByEmail(req.email, tx);
    if (!operator) throw new Error('The invited operator is missing after its insert.');
    const existing = await this.memberships.find(req.workspaceId, operator.id, tx);
    if (existing?.status === 'active') throw alreadyMember();
    const inviteToken = newOpaqueToken(INVITE_TOKEN_PREFIX);
    const membership: MembershipEntity = {
      workspaceId: req.workspaceId,
      operatorId: operator.id,
      role: req.role,
      status: 'invited',
      inviteTokenHash: hashToken(inviteToken),
      inviteExpiresAt: new Date(now.getTime() + this.config.INVITE_TTL_HOURS * 3_600_000),
      createdAt: existing?.createdAt ?? now,
    };
    await this.memberships.saveInvitation(membership, tx);
    await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'member.invited', targetType: 'member', targetId: operator.id });
    return { member: toMember(operator, membership), inviteToken };
  }

  list(workspaceId: string): Promise<Member[]> {
    return this.memberships.list(workspaceId);
  }

  async patch(req: { workspaceId: string; memberId: string; role: Role; callerRole: CallerRole; audit?: AuditContext }): Promise<Member> {
    const member = await this.uow.run({}, async (tx) => {
      const { membership, owners } = await this.lockMember(tx, req.workspaceId, req.memberId);
      checkOwnerRule(req.callerRole, membership.role, req.role);
      if (membership.role === 'owner' && req.role !== 'owner' && owners <= 1 && membership.status === 'active') throw lastOwner();
      membership.role = req.role;
      await this.memberships.setRole(req.workspaceId, req.memberId, req.role, tx);
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'member.role_changed', targetType: 'member', targetId: req.memberId });
      const operator = await this.operators.find(req.memberId, tx);
      if (!operator) throw new Error(`The member's operator ${req.memberId} is missing.`);
      return toMember(operator, membership);
    });
    await this.accounts.accessChanged({ operatorId: req.memberId });
    return member;
  }

  async remove(req: { workspaceId: string; memberId: string; callerRole: CallerRole; audit?: AuditContext }): Promise<{ removed: true }> {
    await this.uow.run({}, async (tx) => {
      const { membership, owners } = await this.lockMember(tx, req.workspaceId, req.memberId);
      checkOwnerRule(req.callerRole, membership.role);
      if (membership.role === 'owner' && owners <= 1 && membership.status === 'active') throw lastOwner();
      await this.memberships.delete(req.workspaceId, req.memberId, tx);
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'member.removed', targetType: 'member', targetId: req.memberId });
    });
    await this.accounts.accessChanged({ operatorId: req.memberId });
    return { removed: true };
  }

  /** The member's row and the count of active owners, with every owner row of the workspace locked first (two demotions cannot both pass). */
  private async lockMember(tx: Tx, workspaceId: string, memberId: string): Promise<{ membership: MembershipEntity; owners: number }> {
    const owners = await this.memberships.lockOwners(workspaceId, tx);
    const membership = await this.memberships.lock(workspaceId, memberId, tx);
    if (!membership) throw Errors.notFound('operator');
    return { membership, owners };
  }
}

function toMember(operator: OperatorEntity, membership: MembershipEntity): Member {
  return { id: operator.id, email: operator.email, name: operator.name, role: membership.role, status: membership.status, createdAt: membership.createdAt.toISOString() };
}
