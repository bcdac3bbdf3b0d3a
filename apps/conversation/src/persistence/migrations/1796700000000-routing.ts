import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §14 routing: round robin's position per team (the member last given a conversation), whose row lock also
 * serializes the choices of least_busy for that team; and the index least_busy counts open assignments with.
 */
export class Routing1796700000000 implements MigrationInterface {
  name = 'Routing1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.routing_state (
        workspace_id text NOT NULL,
        team_id text NOT NULL,
        last_assignee_id text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, team_id)
      );
      CREATE INDEX conversations_open_assignee_idx ON conversation.conversations (workspace_id, assignee_id) WHERE status = 'open' AND assignee_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX conversation.conversations_open_assignee_idx; DROP TABLE conversation.routing_state;`);
  }
}
