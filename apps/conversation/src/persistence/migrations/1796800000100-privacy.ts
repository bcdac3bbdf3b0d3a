import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC §17. `attachment_purges`: attachments whose rows are gone but whose S3 objects may not be, written in the
 * deleting transaction (an erasure, retention, the unsent sweep) and worked off after commit by every replica, so a
 * crash between the commit and the S3 call never leaves bytes behind for good (PostgreSQL chunks are deleted in the
 * transaction itself). Ids only, never names or bytes. The indexes serve retention (attachments by workspace and
 * age), a conversation's attachments (erasure, export), and a person's conversations by any session of theirs
 * (the existing session index covers anonymous ones only).
 */
export class ConversationPrivacy1796800000100 implements MigrationInterface {
  name = 'ConversationPrivacy1796800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.attachment_purges (
        attachment_id text PRIMARY KEY,
        storage text NOT NULL CHECK (storage IN ('postgres', 's3')),
        created_at timestamptz NOT NULL DEFAULT now(),
        -- when a replica may take it next: now for a new row, later while one works on it or after a failure
        next_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0
      );
      CREATE INDEX attachment_purges_next_idx ON conversation.attachment_purges (next_at);
      CREATE INDEX attachments_workspace_created_idx ON conversation.attachments (workspace_id, created_at);
      CREATE INDEX attachments_conversation_idx ON conversation.attachments (conversation_id, id);
      CREATE INDEX conversations_session_idx ON conversation.conversations (session_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX conversation.conversations_session_idx;
      DROP INDEX conversation.attachments_conversation_idx;
      DROP INDEX conversation.attachments_workspace_created_idx;
      DROP TABLE conversation.attachment_purges;
    `);
  }
}
