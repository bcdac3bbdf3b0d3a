import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email (SPEC §15, docs/email.md): the mail queue (content sealed with
 * SECRET_ENCRYPTION_KEY: it holds messages and invitation links), the unread
 * bursts per conversation, the reply and unsubscribe tokens (SHA-256 only) and
 * the conversations whose visitor unsubscribed. Visitor rows carry the
 * person's keys (session, user) for erasure and export (SPEC §17).
 */
export class Email1797200000000 implements MigrationInterface {
  name = 'Email1797200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integrations.mail_queue (
        id text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('unread', 'transcript', 'invitation', 'new_conversation', 'webhook_disabled')),
        workspace_id text NOT NULL,
        conversation_id text,
        -- The visitor a mail is about (null for mail to members).
        session_id text,
        user_id text,
        recipient text NOT NULL,
        -- One mail per burst, per resolve, per invitation token, per member and conversation.
        dedupe_key text NOT NULL UNIQUE,
        content_sealed text NOT NULL,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        -- A replica is sending it until then; after that another may (it died mid-send).
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );
      CREATE INDEX mail_queue_due_idx ON integrations.mail_queue (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX mail_queue_session_idx ON integrations.mail_queue (workspace_id, session_id);
      CREATE INDEX mail_queue_user_idx ON integrations.mail_queue (workspace_id, user_id);

      CREATE TABLE integrations.email_bursts (
        conversation_id text PRIMARY KEY,
        workspace_id text NOT NULL,
        -- The owner as its events name it: the user once identified, else the session.
        session_id text,
        user_id text,
        -- When the open burst is looked at: its first agent message + EMAIL_UNREAD_DELAY; null while none is open.
        due_at timestamptz,
        -- The newest agent message a mail carried: the next burst starts after it.
        last_mailed_message_id text,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX email_bursts_due_idx ON integrations.email_bursts (due_at) WHERE due_at IS NOT NULL;
      CREATE INDEX email_bursts_session_idx ON integrations.email_bursts (workspace_id, session_id);
      CREATE INDEX email_bursts_user_idx ON integrations.email_bursts (workspace_id, user_id);

      CREATE TABLE integrations.email_tokens (
        token_hash text PRIMARY KEY,
        purpose text NOT NULL CHECK (purpose IN ('reply', 'unsubscribe')),
        conversation_id text NOT NULL,
        workspace_id text NOT NULL,
        session_id text NOT NULL,
        user_id text,
        -- The address the mail went to: a reply must come from it.
        email text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      );
      CREATE INDEX email_tokens_session_idx ON integrations.email_tokens (workspace_id, session_id);
      CREATE INDEX email_tokens_user_idx ON integrations.email_tokens (workspace_id, user_id);
      CREATE INDEX email_tokens_conversation_idx ON integrations.email_tokens (conversation_id);

      CREATE TABLE integrations.email_unsubscribes (
        conversation_id text PRIMARY KEY,
        workspace_id text NOT NULL,
        session_id text NOT NULL,
        user_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX email_unsubscribes_session_idx ON integrations.email_unsubscribes (workspace_id, session_id);
      CREATE INDEX email_unsubscribes_user_idx ON integrations.email_unsubscribes (workspace_id, user_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE integrations.email_unsubscribes;
      DROP TABLE integrations.email_tokens;
      DROP TABLE integrations.email_bursts;
      DROP TABLE integrations.mail_queue;
    `);
  }
}
