import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateSessionSchema1732500000000 implements MigrationInterface {
  name = 'CreateSessionSchema1732500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE session.workspaces (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE session.widgets (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES session.workspaces(id),
        config jsonb NOT NULL,
        secret_sealed text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX widgets_workspace_idx ON session.widgets (workspace_id);
      CREATE TABLE session.end_users (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES session.workspaces(id),
        external_id text NOT NULL,
        email text,
        name text,
        company_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT end_users_external_uq UNIQUE (workspace_id, external_id)
      );
      CREATE TABLE session.sessions (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        widget_id text NOT NULL REFERENCES session.widgets(id),
        user_id text REFERENCES session.end_users(id),
        identity_type text NOT NULL CHECK (identity_type IN ('anonymous', 'identified')),
        token_hash text NOT NULL,
        locale text,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT sessions_token_hash_uq UNIQUE (token_hash)
      );
      CREATE INDEX sessions_user_idx ON session.sessions (user_id) WHERE user_id IS NOT NULL;
      CREATE TABLE session.realtime_tokens (
        token_hash text PRIMARY KEY,
        session_id text NOT NULL REFERENCES session.sessions(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX realtime_tokens_expiry_idx ON session.realtime_tokens (expires_at);
      CREATE TABLE session.used_jtis (
        widget_id text NOT NULL,
        jti text NOT NULL,
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (widget_id, jti)
      );
      CREATE INDEX used_jtis_expiry_idx ON session.used_jtis (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE session.used_jtis;
      DROP TABLE session.realtime_tokens;
      DROP TABLE session.sessions;
      DROP TABLE session.end_users;
      DROP TABLE session.widgets;
      DROP TABLE session.workspaces;
    `);
  }
}
