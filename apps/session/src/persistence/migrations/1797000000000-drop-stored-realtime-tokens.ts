import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 26: realtime tokens verify themselves (signed, libs/common realtime-token.ts), so nothing is stored for
 * them any more. The two tables held only SHA-256 hashes of tokens that lived five minutes; dropping them
 * loses nothing a client still holds (a token minted before the upgrade is refused and the SDK mints another).
 */
export class DropStoredRealtimeTokens1797000000000 implements MigrationInterface {
  name = 'DropStoredRealtimeTokens1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE session.realtime_tokens;
      DROP TABLE session.operator_realtime_tokens;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE session.realtime_tokens (
        token_hash text PRIMARY KEY,
        session_id text NOT NULL REFERENCES session.sessions(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX realtime_tokens_expiry_idx ON session.realtime_tokens (expires_at);
      CREATE TABLE session.operator_realtime_tokens (
        token_hash text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES session.workspaces(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        principal_kind text NOT NULL DEFAULT 'root' CHECK (principal_kind IN ('root', 'operator', 'api_key')),
        principal_id text,
        principal_name text
      );
      CREATE INDEX operator_realtime_tokens_expiry_idx ON session.operator_realtime_tokens (expires_at);
    `);
  }
}
