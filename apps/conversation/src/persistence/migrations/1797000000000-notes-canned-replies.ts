import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 21: internal notes are messages whose author type is `note` (never shown to the visitor), and a
 * workspace's canned replies, one per shortcut.
 */
export class NotesCannedReplies1797000000000 implements MigrationInterface {
  name = 'NotesCannedReplies1797000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation.messages DROP CONSTRAINT messages_author_type_check;
      ALTER TABLE conversation.messages ADD CONSTRAINT messages_author_type_check CHECK (author_type IN ('user', 'agent', 'bot', 'system', 'note'));
      CREATE TABLE conversation.canned_replies (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        shortcut text NOT NULL,
        text text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT canned_replies_shortcut_uq UNIQUE (workspace_id, shortcut)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE conversation.canned_replies;
      DELETE FROM conversation.messages WHERE author_type = 'note';
      ALTER TABLE conversation.messages DROP CONSTRAINT messages_author_type_check;
      ALTER TABLE conversation.messages ADD CONSTRAINT messages_author_type_check CHECK (author_type IN ('user', 'agent', 'bot', 'system'));
    `);
  }
}
