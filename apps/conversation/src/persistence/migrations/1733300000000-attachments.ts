import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Attachments (SPEC §13): one row per upload, its bytes in 512 KiB chunks
 * (attachment_chunks here, or objects in S3 when configured), and on each
 * message what it carried (id, name, type, size), so reading a thread needs no join.
 */
export class Attachments1733300000000 implements MigrationInterface {
  name = 'Attachments1733300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.attachments (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        conversation_id text NOT NULL REFERENCES conversation.conversations (id) ON DELETE CASCADE,
        -- 'visitor' (uploader_session_id set) or 'operator'
        uploader_kind text NOT NULL CHECK (uploader_kind IN ('visitor', 'operator')),
        uploader_session_id text,
        name text NOT NULL,
        content_type text NOT NULL,
        size bigint,
        chunks integer,
        inline boolean NOT NULL DEFAULT false,
        -- 'uploading' until every chunk is stored, then 'ready'; message_id once sent (once only)
        status text NOT NULL CHECK (status IN ('uploading', 'ready')),
        storage text NOT NULL CHECK (storage IN ('postgres', 's3')),
        message_id text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz
      );
      CREATE INDEX attachments_unsent ON conversation.attachments (created_at) WHERE message_id IS NULL;
      CREATE TABLE conversation.attachment_chunks (
        attachment_id text NOT NULL,
        seq integer NOT NULL,
        data bytea NOT NULL,
        PRIMARY KEY (attachment_id, seq)
      );
      ALTER TABLE conversation.messages ADD COLUMN attachments jsonb NOT NULL DEFAULT '[]'::jsonb;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE conversation.messages DROP COLUMN attachments;
      DROP TABLE conversation.attachment_chunks;
      DROP TABLE conversation.attachments;
    `);
  }
}
