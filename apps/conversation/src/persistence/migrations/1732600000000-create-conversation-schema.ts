import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateConversationSchema1732600000000 implements MigrationInterface {
  name = 'CreateConversationSchema1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversation.conversations (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        widget_id text NOT NULL,
        session_id text NOT NULL,
        user_id text,
        subject text,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'pending', 'resolved', 'closed')),
        tags text[] NOT NULL DEFAULT '{}',
        custom_fields jsonb NOT NULL DEFAULT '{}',
        metadata jsonb NOT NULL DEFAULT '{}',
        assignee_id text,
        assignee_name text,
        last_message_id text,
        last_read_message_id text,
        unread_count integer NOT NULL DEFAULT 0 CHECK (unread_count >= 0),
        idempotency_key text,
        request_hash text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT conversations_idempotency_uq UNIQUE (idempotency_key)
      );
      CREATE INDEX conversations_session_activity_idx
        ON conversation.conversations (session_id, updated_at DESC, id DESC) WHERE user_id IS NULL;
      CREATE INDEX conversations_user_activity_idx
        ON conversation.conversations (user_id, updated_at DESC, id DESC) WHERE user_id IS NOT NULL;
      CREATE INDEX conversations_workspace_activity_idx
        ON conversation.conversations (workspace_id, updated_at DESC, id DESC);
      CREATE INDEX conversations_workspace_status_activity_idx
        ON conversation.conversations (workspace_id, status, updated_at DESC, id DESC);

      CREATE TABLE conversation.messages (
        id text PRIMARY KEY,
        conversation_id text NOT NULL REFERENCES conversation.conversations(id) ON DELETE CASCADE,
        author_type text NOT NULL CHECK (author_type IN ('user', 'agent', 'bot', 'system')),
        author_id text,
        author_name text,
        text text NOT NULL,
        client_message_id text,
        created_at timestamptz NOT NULL,
        CONSTRAINT messages_client_message_uq UNIQUE (conversation_id, client_message_id)
      );
      CREATE INDEX messages_conversation_idx ON conversation.messages (conversation_id, id);

      CREATE TABLE conversation.outbox (
        id text PRIMARY KEY,
        event text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz
      );
      CREATE INDEX outbox_pending_idx ON conversation.outbox (id) WHERE sent_at IS NULL;
      CREATE INDEX outbox_sent_idx ON conversation.outbox (sent_at) WHERE sent_at IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE conversation.outbox;
      DROP TABLE conversation.messages;
      DROP TABLE conversation.conversations;
    `);
  }
}
