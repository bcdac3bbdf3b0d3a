import type { Queryable } from '@widget/common';
import { Injectable } from '@nestjs/common';

/** Routing's own state (SPEC §14): round robin's position per team, and the open assignments least_busy counts. */
@Injectable()
export class RoutingRepository {
  /**
   * Takes the team's routing row lock (made on first use) and answers who was given the last conversation.
   * Held until the creating transaction ends, it serializes the choices for one team: round robin never gives
   * two conversations the same turn, and least_busy counts after the previous choice committed.
   */
  async lockTeam(workspaceId: string, teamId: string, manager: Queryable): Promise<string | null> {
    await manager.query(`INSERT INTO conversation.routing_state (workspace_id, team_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [workspaceId, teamId]);
    const rows: { last: string | null }[] = await manager.query(
      `SELECT last_assignee_id AS last FROM conversation.routing_state WHERE workspace_id = $1 AND team_id = $2 FOR UPDATE`,
      [workspaceId, teamId],
    );
    return rows[0]?.last ?? null;
  }

  async saveTurn(workspaceId: string, teamId: string, assigneeId: string, manager: Queryable): Promise<void> {
    await manager.query(`UPDATE conversation.routing_state SET last_assignee_id = $3, updated_at = now() WHERE workspace_id = $1 AND team_id = $2`, [
      workspaceId,
      teamId,
      assigneeId,
    ]);
  }

  /** Open conversations of the workspace assigned to each of `ids` (absent: none). */
  async openAssigned(workspaceId: string, ids: string[], manager: Queryable): Promise<Map<string, number>> {
    const rows: { id: string; n: number }[] = await manager.query(
      `SELECT assignee_id AS id, count(*)::int AS n FROM conversation.conversations
        WHERE workspace_id = $1 AND status = 'open' AND assignee_id = ANY($2::text[]) GROUP BY assignee_id`,
      [workspaceId, ids],
    );
    return new Map(rows.map((r) => [r.id, r.n]));
  }
}
