import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppError, AuditLog, IdempotencyStore, withinTransaction, newId } from '@widget/common';
import { AuditContext, IdempotencyRequest, Team, TeamCreateBody } from '@widget/contracts';
import { TeamEntity } from '../persistence/entities';

/** Teams of members, for routing (SPEC §14): a widget's `routing.defaultTeamId` names one. */
@Injectable()
export class TeamsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditLog,
  ) {}

  create(req: { workspaceId: string; audit?: AuditContext; idempotency?: IdempotencyRequest } & TeamCreateBody): Promise<Team> {
    return this.idempotency.run(req.idempotency, (m) => withinTransaction(this.db, m, (t) => this.createIn(t, req)));
  }

  private async createIn(m: EntityManager, req: { workspaceId: string; audit?: AuditContext } & TeamCreateBody): Promise<Team> {
    const memberIds = [...new Set(req.memberIds)];
    if (memberIds.length > 0) {
      const found: { operator_id: string }[] = await m.query(
        `SELECT operator_id FROM team.memberships WHERE workspace_id = $1 AND operator_id = ANY($2::text[])`,
        [req.workspaceId, memberIds],
      );
      const known = new Set(found.map((r) => r.operator_id));
      const unknown = memberIds.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new AppError('validation_error', 'Every team member must be a member of the workspace.', {
          reason: 'invalid_fields',
          details: unknown.map(() => ({ field: 'memberIds', reason: 'not a member of this workspace' })),
        });
      }
    }
    const row: TeamEntity = { id: newId('team'), workspaceId: req.workspaceId, name: req.name, memberIds, createdAt: new Date() };
    await m.getRepository(TeamEntity).insert(row);
    await this.audit.append(m, req.audit, { workspaceId: req.workspaceId, action: 'team.created', targetType: 'team', targetId: row.id });
    return toTeam(row);
  }

  async list(workspaceId: string): Promise<Team[]> {
    return (await this.db.getRepository(TeamEntity).find({ where: { workspaceId }, order: { id: 'ASC' } })).map(toTeam);
  }
}

function toTeam(row: TeamEntity): Team {
  return { id: row.id, workspaceId: row.workspaceId, name: row.name, memberIds: row.memberIds, createdAt: row.createdAt.toISOString() };
}
