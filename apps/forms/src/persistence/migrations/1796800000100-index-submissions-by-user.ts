import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §17: a person's submissions are found by session or by end user; the
 * sessions are the unique key's first column, the user had no index. Only
 * identified submissions carry one, so the index holds only those.
 */
export class IndexSubmissionsByUser1796800000100 implements MigrationInterface {
  name = 'IndexSubmissionsByUser1796800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX submissions_user_idx ON forms.submissions (user_id) WHERE user_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX forms.submissions_user_idx`);
  }
}
