import { MigrationInterface, QueryRunner } from 'typeorm';

/** SPEC §14: operator accounts, their memberships and logins, workspace API keys and teams. */
export class CreateTeamSchema1796600000000 implements MigrationInterface {
  name = 'CreateTeamSchema1796600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE team.operators (
        id text PRIMARY KEY,
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL,
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE team.memberships (
        workspace_id text NOT NULL,
        operator_id text NOT NULL REFERENCES team.operators(id) ON DELETE CASCADE,
        role text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
        status text NOT NULL CHECK (status IN ('invited', 'active')),
        invite_token_hash text UNIQUE,
        invite_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, operator_id)
      );
      CREATE INDEX memberships_operator_idx ON team.memberships (operator_id);
      CREATE TABLE team.operator_tokens (
        token_hash text PRIMARY KEY,
        operator_id text NOT NULL REFERENCES team.operators(id) ON DELETE CASCADE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX operator_tokens_expiry_idx ON team.operator_tokens (expires_at);
      CREATE TABLE team.api_keys (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        name text NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'agent')),
        secret_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_workspace_idx ON team.api_keys (workspace_id, id);
      CREATE TABLE team.teams (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        name text NOT NULL,
        member_ids text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX teams_workspace_idx ON team.teams (workspace_id, id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE team.teams, team.api_keys, team.operator_tokens, team.memberships, team.operators;`);
  }
}
