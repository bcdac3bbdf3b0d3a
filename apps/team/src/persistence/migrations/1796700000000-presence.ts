import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §14 presence: what each realtime replica reports of its operator sockets (expiring unless renewed, so a
 * crashed replica's sockets stop counting), and the status each operator set per workspace.
 */
export class Presence1796700000000 implements MigrationInterface {
  name = 'Presence1796700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE team.presence_replicas (
        replica_id text PRIMARY KEY,
        seq bigint NOT NULL,
        expires_at timestamptz NOT NULL
      );
      CREATE TABLE team.presence_sockets (
        replica_id text NOT NULL REFERENCES team.presence_replicas(replica_id) ON DELETE CASCADE,
        workspace_id text NOT NULL,
        operator_id text NOT NULL,
        PRIMARY KEY (replica_id, workspace_id, operator_id)
      );
      CREATE INDEX presence_sockets_operator_idx ON team.presence_sockets (workspace_id, operator_id);
      CREATE TABLE team.presence_status (
        workspace_id text NOT NULL,
        operator_id text NOT NULL REFERENCES team.operators(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('online', 'away')),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, operator_id)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE team.presence_status, team.presence_sockets, team.presence_replicas;`);
  }
}
