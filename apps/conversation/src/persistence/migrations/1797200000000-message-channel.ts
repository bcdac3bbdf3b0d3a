import { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 22: how a message arrived, `web` (every API) or `email` (a visitor's reply by email). */
export class MessageChannel1797200000000 implements MigrationInterface {
  name = 'MessageChannel1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation.messages ADD COLUMN channel text NOT NULL DEFAULT 'web' CHECK (channel IN ('web', 'email'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation.messages DROP COLUMN channel`);
  }
}
