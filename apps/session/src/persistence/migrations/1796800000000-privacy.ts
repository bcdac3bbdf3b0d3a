import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §17: which user an anonymous session was merged into (so erasing the
 * user finds it), each workspace's retention settings, and the erasures this
 * service coordinates with the state of every part.
 */
export class SessionPrivacy1796800000000 implements MigrationInterface {
  name = 'SessionPrivacy1796800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE session.sessions ADD COLUMN merged_into_user_id text;
      CREATE INDEX sessions_merged_into_idx ON session.sessions (merged_into_user_id) WHERE merged_into_user_id IS NOT NULL;
      CREATE INDEX end_users_external_idx ON session.end_users (workspace_id, external_id);
      CREATE INDEX end_users_email_idx ON session.end_users (workspace_id, lower(email)) WHERE email IS NOT NULL;
      ALTER TABLE session.workspaces ADD COLUMN retention jsonb NOT NULL DEFAULT '{}'::jsonb;
      CREATE TABLE session.erasures (
        id text PRIMARY KEY,
        workspace_id text NOT NULL REFERENCES session.workspaces(id),
        selector text NOT NULL CHECK (selector IN ('userId', 'sessionId', 'email')),
        person jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'done')),
        created_at timestamptz NOT NULL DEFAULT now(),
        done_at timestamptz
      );
      CREATE INDEX erasures_workspace_idx ON session.erasures (workspace_id, id);
      CREATE TABLE session.erasure_parts (
        erasure_id text NOT NULL REFERENCES session.erasures(id),
        part text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'done')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        erased jsonb,
        done_at timestamptz,
        PRIMARY KEY (erasure_id, part)
      );
      CREATE INDEX erasure_parts_due_idx ON session.erasure_parts (next_attempt_at) WHERE status = 'pending';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE session.erasure_parts, session.erasures;
      ALTER TABLE session.workspaces DROP COLUMN retention;
      DROP INDEX session.end_users_email_idx;
      DROP INDEX session.end_users_external_idx;
      ALTER TABLE session.sessions DROP COLUMN merged_into_user_id;
    `);
  }
}
