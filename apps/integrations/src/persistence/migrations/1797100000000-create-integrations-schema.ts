import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The events each handler recorded as done (redeliveries do nothing twice), the
 * webhooks (SPEC §16: secrets sealed with SECRET_ENCRYPTION_KEY) and their
 * deliveries, which wait here until an endpoint took them.
 */
export class CreateIntegrationsSchema1797100000000 implements MigrationInterface {
  name = 'CreateIntegrationsSchema1797100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integrations.consumed_events (
        handler text NOT NULL,
        event_key text NOT NULL,
        consumed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (handler, event_key)
      );
      CREATE INDEX consumed_events_at_idx ON integrations.consumed_events (consumed_at);
      CREATE TABLE integrations.webhooks (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL,
        description text,
        secret_sealed text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_at timestamptz,
        disabled_reason text,
        -- A replica is delivering to it until then (one attempt at a time per endpoint).
        busy_until timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX webhooks_workspace_idx ON integrations.webhooks (workspace_id, id);
      CREATE TABLE integrations.webhook_deliveries (
        id text PRIMARY KEY,
        webhook_id text NOT NULL REFERENCES integrations.webhooks(id) ON DELETE CASCADE,
        workspace_id text NOT NULL,
        event text NOT NULL,
        -- The domain event it comes from (null for a test): one delivery per webhook and event.
        event_key text,
        -- Whose data the body carries (SPEC §17 erasure and export).
        session_id text,
        user_id text,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_status integer,
        last_error text,
        first_attempt_at timestamptz,
        next_attempt_at timestamptz,
        created_at timestamptz NOT NULL,
        delivered_at timestamptz,
        CONSTRAINT webhook_deliveries_event_uq UNIQUE (webhook_id, event_key)
      );
      CREATE INDEX webhook_deliveries_due_idx ON integrations.webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_log_idx ON integrations.webhook_deliveries (webhook_id, id DESC);
      CREATE INDEX webhook_deliveries_session_idx ON integrations.webhook_deliveries (session_id) WHERE session_id IS NOT NULL;
      CREATE INDEX webhook_deliveries_user_idx ON integrations.webhook_deliveries (user_id) WHERE user_id IS NOT NULL;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE integrations.webhook_deliveries;
      DROP TABLE integrations.webhooks;
      DROP TABLE integrations.consumed_events;
    `);
  }
}
