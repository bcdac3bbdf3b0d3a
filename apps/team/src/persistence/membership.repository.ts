import { Injectable } from '@nestjs/common';
import { entityManagerOf, Queryable } from '@widget/common';
import type { Member, NotifiedMember, Role } from '@widget/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { MembershipEntity } from './entities';

/** Rows of UPDATE/DELETE … RETURNING (the ORM answers [rows, count] for those, the rows alone for the others). */
export function rowsOf<T>(result: unknown): T[] {
  const array = result as unknown[];
  return (Array.isArray(array[0]) ? array[0] : array) as T[];
}

/** A person's memberships of workspaces. With `tx`: in that unit of work's transaction, else on the pool. */
@Injectable()
export class MembershipRepository {
  constructor(private readonly dataSource: DataSource) {}

  private manager(tx?: Queryable): EntityManager {
    return entityManagerOf(tx) ?? this.dataSource.manager;
  }

  /** The workspaces the person belongs to (invitations not counted), in workspace order. */
  active(operatorId: string, tx?: Queryable): Promise<MembershipEntity[]> {
    return this.manager(tx).getRepository(MembershipEntity).find({ where: { operatorId, status: 'active' }, order: { workspaceId: 'ASC' } });
  }

  find(workspaceId: string, operatorId: string, tx: Queryable): Promise<MembershipEntity | null> {
    return this.manager(tx).getRepository(MembershipEntity).findOneBy({ workspaceId, operatorId });
  }

  /** The invitation's row, locked: two accepts of one token run one after the other. */
  lockByInviteHash(inviteTokenHash: string, tx: Queryable): Promise<MembershipEntity | null> {
    return this.manager(tx)
      .getRepository(MembershipEntity)
      .createQueryBuilder('ms')
      .setLock('pessimistic_write')
      .where('ms.invite_token_hash = :hash', { hash: inviteTokenHash })
      .getOne();
  }

  /** The member's row, locked. */
  lock(workspaceId: string, operatorId: string, tx: Queryable): Promise<MembershipEntity | null> {
    return this.manager(tx)
      .getRepository(MembershipEntity)
      .createQueryBuilder('ms')
      .setLock('pessimistic_write')
      .where('ms.workspace_id = :workspaceId AND ms.operator_id = :operatorId', { workspaceId, operatorId })
      .getOne();
  }

  /** Every active owner row of the workspace, locked in one order (two demotions cannot both pass); their count. */
  async lockOwners(workspaceId: string, tx: Queryable): Promise<number> {
    const owners: { operator_id: string }[] = await tx.query(
      `SELECT operator_id FROM team.memberships WHERE workspace_id = $1 AND role = 'owner' AND status = 'active' ORDER BY operator_id FOR UPDATE`,
      [workspaceId],
    );
    return owners.length;
  }

  /** Writes the invitation (a new one, or one sent again); the member's notification setting stays. */
  async saveInvitation(row: MembershipEntity, tx: Queryable): Promise<void> {
    await tx.query(
      `INSERT INTO team.memberships (workspace_id, operator_id, role, status, invite_token_hash, invite_expires_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (workspace_id, operator_id) DO UPDATE SET role = EXCLUDED.role, status = EXCLUDED.status,
         invite_token_hash = EXCLUDED.invite_token_hash, invite_expires_at = EXCLUDED.invite_expires_at, created_at = EXCLUDED.created_at`,
      [row.workspaceId, row.operatorId, row.role, row.status, row.inviteTokenHash, row.inviteExpiresAt, row.createdAt],
    );
  }

  /** The invitation is used up: the person is a member. */
  async activate(workspaceId: string, operatorId: string, tx: Queryable): Promise<void> {
    await this.manager(tx).getRepository(MembershipEntity).update({ workspaceId, operatorId }, { status: 'active', inviteTokenHash: null, inviteExpiresAt: null });
  }

  async setRole(workspaceId: string, operatorId: string, role: Role, tx: Queryable): Promise<void> {
    await this.manager(tx).getRepository(MembershipEntity).update({ workspaceId, operatorId }, { role });
  }

  async delete(workspaceId: string, operatorId: string, tx: Queryable): Promise<void> {
    await this.manager(tx).getRepository(MembershipEntity).delete({ workspaceId, operatorId });
  }

  /** Of `operatorIds`, those with a membership of the workspace (active or invited). */
  async knownIn(workspaceId: string, operatorIds: string[], tx: Queryable): Promise<Set<string>> {
    const found: { operator_id: string }[] = await tx.query(`SELECT operator_id FROM team.memberships WHERE workspace_id = $1 AND operator_id = ANY($2::text[])`, [
      workspaceId,
      operatorIds,
    ]);
    return new Set(found.map((r) => r.operator_id));
  }

  /** The workspace's members and invitations, oldest first. */
  async list(workspaceId: string): Promise<Member[]> {
    const rows: { id: string; email: string; name: string; role: Role; status: Member['status']; joinedAt: Date }[] = await this.dataSource.query(
      `SELECT o.id, o.email, o.name, ms.role, ms.status, ms.created_at AS "joinedAt"
         FROM team.memberships ms JOIN team.operators o ON o.id = ms.operator_id
        WHERE ms.workspace_id = $1 ORDER BY ms.created_at, o.id`,
      [workspaceId],
    );
    return rows.map((r) => ({ id: r.id, email: r.email, name: r.name, role: r.role, status: r.status, createdAt: new Date(r.joinedAt).toISOString() }));
  }

  /** false when the person is no active member of the workspace (nothing written). */
  async setNotifyNewConversation(workspaceId: string, operatorId: string, on: boolean, tx: Queryable): Promise<boolean> {
    const rows = rowsOf(
      await tx.query(
        `UPDATE team.memberships SET notify_new_conversation = $3 WHERE workspace_id = $1 AND operator_id = $2 AND status = 'active' RETURNING operator_id`,
        [workspaceId, operatorId, on],
      ),
    );
    return rows.length > 0;
  }

  /** The active members who asked to be mailed a new conversation. */
  notifiedOfNewConversations(workspaceId: string): Promise<NotifiedMember[]> {
    return this.dataSource.query(
      `SELECT o.id, o.email, o.name FROM team.memberships ms JOIN team.operators o ON o.id = ms.operator_id
        WHERE ms.workspace_id = $1 AND ms.status = 'active' AND ms.notify_new_conversation ORDER BY o.id`,
      [workspaceId],
    );
  }
}
