import { Injectable } from '@nestjs/common';
import type { Queryable } from '@widget/common';
import type { PresenceReport, PresenceStatus, PresentMember } from '@widget/contracts';
import { DataSource } from 'typeorm';

/**
 * `$1` workspace, `<operator>` an operator id column: at least one operator socket of that account is open in the
 * workspace on a realtime replica whose last report has not expired.
 */
const connected = (operator: string) => `EXISTS (
  SELECT 1 FROM team.presence_sockets s JOIN team.presence_replicas r ON r.replica_id = s.replica_id
   WHERE s.workspace_id = $1 AND s.operator_id = ${operator} AND r.expires_at > now())`;

/** `$1` workspace: the status the operator set, `online` when it never did. */
const statusOf = (operator: string) =>
  `coalesce((SELECT st.status FROM team.presence_status st WHERE st.workspace_id = $1 AND st.operator_id = ${operator}), 'online')`;

/** A replica that has not reported for this long is forgotten with its sockets (it stopped counting at its expiry). */
const FORGET_AFTER = `interval '10 minutes'`;

/**
 * The realtime replicas' reports and the operators' statuses. A report's expiry is on the database's clock
 * (`now()`), not the service's: it is written and compared in SQL only, by every team replica alike, so one
 * clock decides whether a replica's sockets still count.
 */
@Injectable()
export class PresenceRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** false when the replica reported a later `seq` already (nothing written). */
  async replaceReport(report: PresenceReport, tx: Queryable): Promise<boolean> {
    // The upsert takes the replica's row lock: reports of one replica apply one at a time, in `seq` order.
    const renewed: unknown[] = await tx.query(
      `INSERT INTO team.presence_replicas AS r (replica_id, seq, expires_at) VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond')
       ON CONFLICT (replica_id) DO UPDATE SET seq = EXCLUDED.seq, expires_at = EXCLUDED.expires_at WHERE r.seq < EXCLUDED.seq
       RETURNING r.replica_id`,
      [report.replicaId, report.seq, report.ttlMs],
    );
    if (renewed.length === 0) return false;
    await tx.query(`DELETE FROM team.presence_sockets WHERE replica_id = $1`, [report.replicaId]);
    if (report.sockets.length > 0) {
      await tx.query(
        `INSERT INTO team.presence_sockets (replica_id, workspace_id, operator_id)
         SELECT $1, s.w, s.o FROM unnest($2::text[], $3::text[]) AS s(w, o) ON CONFLICT DO NOTHING`,
        [report.replicaId, report.sockets.map((s) => s.workspaceId), report.sockets.map((s) => s.operatorId)],
      );
    }
    await tx.query(`DELETE FROM team.presence_replicas WHERE expires_at < now() - ${FORGET_AFTER}`);
    return true;
  }

  /** false when the operator is no active member of the workspace (nothing written). */
  async setStatus(workspaceId: string, operatorId: string, status: PresenceStatus, at: Date, tx: Queryable): Promise<boolean> {
    const stored: unknown[] = await tx.query(
      `INSERT INTO team.presence_status (workspace_id, operator_id, status, updated_at)
       SELECT ms.workspace_id, ms.operator_id, $3, $4 FROM team.memberships ms
        WHERE ms.workspace_id = $1 AND ms.operator_id = $2 AND ms.status = 'active'
       ON CONFLICT (workspace_id, operator_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
       RETURNING operator_id`,
      [workspaceId, operatorId, status, at],
    );
    return stored.length > 0;
  }

  async isConnected(workspaceId: string, operatorId: string): Promise<boolean> {
    const [row]: { connected: boolean }[] = await this.dataSource.query(`SELECT ${connected('$2')} AS connected`, [workspaceId, operatorId]);
    return row.connected;
  }

  /** The active members of one of the workspace's teams who are present, by id; none for a team of another workspace. */
  presentMembers(workspaceId: string, teamId: string): Promise<PresentMember[]> {
    return this.dataSource.query(
      `SELECT o.id, o.name
         FROM team.teams t
         JOIN team.memberships ms ON ms.workspace_id = t.workspace_id AND ms.operator_id = ANY(t.member_ids) AND ms.status = 'active'
         JOIN team.operators o ON o.id = ms.operator_id
        WHERE t.workspace_id = $1 AND t.id = $2 AND ${statusOf('o.id')} = 'online' AND ${connected('o.id')}
        ORDER BY o.id`,
      [workspaceId, teamId],
    );
  }

  /** At least one active member of the workspace, of any role, is present. */
  async workspacePresent(workspaceId: string): Promise<boolean> {
    const [row]: { present: boolean }[] = await this.dataSource.query(
      `SELECT EXISTS (
         SELECT 1 FROM team.memberships ms
          WHERE ms.workspace_id = $1 AND ms.status = 'active' AND ${statusOf('ms.operator_id')} = 'online' AND ${connected('ms.operator_id')}
       ) AS present`,
      [workspaceId],
    );
    return row.present;
  }

  /** Each operator's status and whether a socket of theirs is open in the workspace. */
  statuses(workspaceId: string, operatorIds: string[]): Promise<{ id: string; status: PresenceStatus; connected: boolean }[]> {
    return this.dataSource.query(`SELECT m.id, ${statusOf('m.id')} AS status, ${connected('m.id')} AS connected FROM unnest($2::text[]) AS m(id)`, [
      workspaceId,
      operatorIds,
    ]);
  }
}
