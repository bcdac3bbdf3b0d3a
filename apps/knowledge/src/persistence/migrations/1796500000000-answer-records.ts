import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What an AI answer gave one session, kept for an hour: an escalation names it
 * by id and its note for the agent is made from this row, never from the
 * client's words (issue 18). Rows past their expiry are deleted as new ones come.
 */
export class AnswerRecords1796500000000 implements MigrationInterface {
  name = 'AnswerRecords1796500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge.answer_records (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        session_id text NOT NULL,
        user_id text,
        question text NOT NULL,
        answer_text text,
        citations jsonb NOT NULL DEFAULT '[]'::jsonb,
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX answer_records_expires_at ON knowledge.answer_records (expires_at);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE knowledge.answer_records;`);
  }
}
