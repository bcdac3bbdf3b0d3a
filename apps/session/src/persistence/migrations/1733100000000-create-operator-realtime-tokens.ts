import { MigrationInterface, QueryRunner } from 'typeorm';

/** The operator feed's short-lived tokens: one workspace each, stored as a SHA-256 like visitors' realtime tokens. */
export class CreateOperatorRealtimeTokens1733100000000 implements MigrationInterface {
  name = 'CreateOperatorRealtimeTokens1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE session.operator_realtime_tokens (
        token_hash text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES session.workspaces(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX operator_realtime_tokens_expiry_idx ON session.operator_realtime_tokens (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE session.operator_realtime_tokens;`);
  }
}
