import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateFormsSchema1732600000000 implements MigrationInterface {
  name = 'CreateFormsSchema1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE forms.forms (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        name text NOT NULL,
        description text,
        fields jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX forms_workspace_idx ON forms.forms (workspace_id, id);
      CREATE TABLE forms.submissions (
        id text PRIMARY KEY,
        form_id text NOT NULL REFERENCES forms.forms(id),
        workspace_id text NOT NULL,
        widget_id text NOT NULL,
        session_id text NOT NULL,
        user_id text,
        client_submission_id text,
        field_values jsonb NOT NULL,
        values_hash text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'completed')),
        conversation_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CHECK ((status = 'completed') = (conversation_id IS NOT NULL)),
        CONSTRAINT submissions_client_id_uq UNIQUE (session_id, form_id, client_submission_id)
      );
      CREATE INDEX submissions_pending_idx ON forms.submissions (session_id, form_id, values_hash) WHERE status = 'pending';
      CREATE INDEX submissions_form_idx ON forms.submissions (form_id, created_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE forms.submissions;
      DROP TABLE forms.forms;
    `);
  }
}
