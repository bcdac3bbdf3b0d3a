import { MigrationInterface, QueryRunner } from 'typeorm';

/** Messages carry the sender's metadata (SPEC §5: the SDK's setContext values, ≤ 2 KB). */
export class MessageMetadata1733000000000 implements MigrationInterface {
  name = 'MessageMetadata1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation.messages ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation.messages DROP COLUMN metadata`);
  }
}
