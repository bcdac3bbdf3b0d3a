import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 22: a member may ask to be emailed a new conversation that starts while nobody is present (off by default). */
export class MemberNotifications1797200000000 implements MigrationInterface {
  name = 'MemberNotifications1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE team.memberships ADD COLUMN notify_new_conversation boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE team.memberships DROP COLUMN notify_new_conversation`);
  }
}
