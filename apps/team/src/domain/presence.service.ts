import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Errors } from '@widget/common';
import { Member, Presence, PresenceReport, PresenceStatus, PresentMember } from '@widget/contracts';

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
 * SPEC §14 presence. An account is present in a workspace when it has an operator socket open there (as the
 * realtime replicas report) and has not set itself away. The realtime replicas report their sockets whole, on
 * every change and on a heartbeat; a report expires unless renewed, so a crashed replica's sockets stop counting.
 */
@Injectable()
export class PresenceService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Replaces what the replica reported before; an older report (a retry that lost the race) is ignored. */
  report(report: PresenceReport): Promise<{ accepted: boolean }> {
    return this.db.transaction(async (m) => {
      // The upsert takes the replica's row lock: reports of one replica apply one at a time, in `seq` order.
      const renewed: unknown[] = await m.query(
        `INSERT INTO team.presence_replicas AS r (replica_id, seq, expires_at) VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond')
         ON CONFLICT (replica_id) DO UPDATE SET seq = EXCLUDED.seq, expires_at = EXCLUDED.expires_at WHERE r.seq < EXCLUDED.seq
         RETURNING r.replica_id`,
        [report.replicaId, report.seq, report.ttlMs],
      );
      if (renewed.length === 0) return { accepted: false };
      await m.query(`DELETE FROM team.presence_sockets WHERE replica_id = $1`, [report.replicaId]);
      if (report.sockets.length > 0) {
        await m.query(
          `INSERT INTO team.presence_sockets (replica_id, workspace_id, operator_id)
           SELECT $1, s.w, s.o FROM unnest($2::text[], $3::text[]) AS s(w, o) ON CONFLICT DO NOTHING`,
          [report.replicaId, report.sockets.map((s) => s.workspaceId), report.sockets.map((s) => s.operatorId)],
        );
      }
      await m.query(`DELETE FROM team.presence_replicas WHERE expires_at < now() - ${FORGET_AFTER}`);
      return { accepted: true };
    });
  }

  /** Only a member of the workspace has a presence there (a removed one: member_not_found). */
  async set(workspaceId: string, operatorId: string, status: PresenceStatus): Promise<Presence> {
    const stored: unknown[] = await this.db.query(
      `INSERT INTO team.presence_status (workspace_id, operator_id, status, updated_at)
       SELECT ms.workspace_id, ms.operator_id, $3, now() FROM team.memberships ms
        WHERE ms.workspace_id = $1 AND ms.operator_id = $2 AND ms.status = 'active'
       ON CONFLICT (workspace_id, operator_id) DO UPDATE SET status = EXCLUDED.status, updated_at = now()
       RETURNING operator_id`,
      [workspaceId, operatorId, status],
    );
    if (stored.length === 0) throw Errors.notFound('operator');
    const [row]: { connected: boolean }[] = await this.db.query(`SELECT ${connected('$2')} AS connected`, [workspaceId, operatorId]);
    return { workspaceId, operatorId, status, connected: row.connected, present: row.connected && status === 'online' };
  }

  /**
   * The active members of one of the workspace's teams who are present, by id: routing's candidates.
   * A team of another workspace has none.
   */
  presentMembers(workspaceId: string, teamId: string): Promise<PresentMember[]> {
    return this.db.query(
      `SELECT o.id, o.name
         FROM team.teams t
         JOIN team.memberships ms ON ms.workspace_id = t.workspace_id AND ms.operator_id = ANY(t.member_ids) AND ms.status = 'active'
         JOIN team.operators o ON o.id = ms.operator_id
        WHERE t.workspace_id = $1 AND t.id = $2 AND ${statusOf('o.id')} = 'online' AND ${connected('o.id')}
        ORDER BY o.id`,
      [workspaceId, teamId],
    );
  }

  /** SPEC §15 availability: at least one active member of the workspace, of any role, is present. */
  async workspacePresent(workspaceId: string): Promise<{ present: boolean }> {
    const [row]: { present: boolean }[] = await this.db.query(
      `SELECT EXISTS (
         SELECT 1 FROM team.memberships ms
          WHERE ms.workspace_id = $1 AND ms.status = 'active' AND ${statusOf('ms.operator_id')} = 'online' AND ${connected('ms.operator_id')}
       ) AS present`,
      [workspaceId],
    );
    return { present: row.present };
  }

  /** The member list with each one's presence: `offline` without an open socket, else the status it set. */
  async withPresence(workspaceId: string, members: Member[]): Promise<Member[]> {
    if (members.length === 0) return members;
    const rows: { id: string; status: PresenceStatus; connected: boolean }[] = await this.db.query(
      `SELECT m.id, ${statusOf('m.id')} AS status, ${connected('m.id')} AS connected FROM unnest($2::text[]) AS m(id)`,
      [workspaceId, members.map((m) => m.id)],
    );
    const presence = new Map(rows.map((r) => [r.id, r.connected ? r.status : ('offline' as const)]));
    return members.map((m) => ({ ...m, presence: presence.get(m.id) ?? 'offline' }));
  }
}
