import { Injectable } from '@nestjs/common';
import { AppError, AuditLog, UnitOfWork } from '@widget/common';
import { AuditContext, IdempotencyRequest, Team, TeamCreateBody } from '@widget/contracts';
import { TeamEntity } from '../persistence/entities';
import { MembershipRepository } from '../persistence/membership.repository';
import { TeamRepository } from '../persistence/team.repository';

/** Teams of members, for routing (SPEC §14): a widget's `routing.defaultTeamId` names one. */
@Injectable()
export class TeamsService {
  constructor(
    private readonly repo: TeamRepository,
    private readonly memberships: MembershipRepository,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
  ) {}

  create(req: { workspaceId: string; audit?: AuditContext; idempotency?: IdempotencyRequest } & TeamCreateBody): Promise<Team> {
    return this.uow.run({ idempotency: req.idempotency }, async (tx) => {
      const memberIds = [...new Set(req.memberIds)];
      if (memberIds.length > 0) {
        const known = await this.memberships.knownIn(req.workspaceId, memberIds, tx);
        const unknown = memberIds.filter((id) => !known.has(id));
        if (unknown.length > 0) {
          throw new AppError('validation_error', 'Every team member must be a member of the workspace.', {
            reason: 'invalid_fields',
            details: unknown.map(() => ({ field: 'memberIds', reason: 'not a member of this workspace' })),
          });
        }
      }
      const row: TeamEntity = { id: tx.newId('team'), workspaceId: req.workspaceId, name: req.name, memberIds, createdAt: tx.now() };
      await this.repo.insert(row, tx);
      await this.audit.append(tx, req.audit, { workspaceId: req.workspaceId, action: 'team.created', targetType: 'team', targetId: row.id });
      return toTeam(row);
    });
  }

  async list(workspaceId: string): Promise<Team[]> {
    return (await this.repo.list(workspaceId)).map(toTeam);
  }
}

function toTeam(row: TeamEntity): Team {
  return { id: row.id, workspaceId: row.workspaceId, name: row.name, memberIds: row.memberIds, createdAt: row.createdAt.toISOString() };
}
