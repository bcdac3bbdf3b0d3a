import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * events.events is range-partitioned by month of occurred_at (see
 * docs/forms-events.md): counts read one workspace over a few days, and old
 * months are dropped whole. A unique index on a partitioned table must hold
 * the partition key, so de-duplication by id lives in events.event_ids.
 */
export class CreateEventsSchema1732600000000 implements MigrationInterface {
  name = 'CreateEventsSchema1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE events.events (
        workspace_id text NOT NULL,
        event_id text NOT NULL,
        type text NOT NULL,
        occurred_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        widget_id text,
        session_id text,
        source text NOT NULL CHECK (source IN ('client', 'system')),
        properties jsonb
      ) PARTITION BY RANGE (occurred_at);
      CREATE INDEX events_workspace_time_type_idx ON events.events (workspace_id, occurred_at, type);
      CREATE TABLE events.events_default PARTITION OF events.events DEFAULT;

      CREATE TABLE events.event_ids (
        workspace_id text NOT NULL,
        event_id text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (workspace_id, event_id)
      );
      CREATE INDEX event_ids_received_idx ON events.event_ids USING brin (received_at);

      -- Creates the monthly partitions covering [from_day, to_day]; replicas may race, the lock serializes them.
      CREATE FUNCTION events.ensure_partitions(from_day date, to_day date) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE
        month date := date_trunc('month', from_day)::date;
        made integer := 0;
        part text;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('events.ensure_partitions'));
        WHILE month <= to_day LOOP
          part := 'events_' || to_char(month, 'YYYYMM');
          IF to_regclass('events.' || part) IS NULL THEN
            EXECUTE format(
              'CREATE TABLE events.%I PARTITION OF events.events FOR VALUES FROM (%L) TO (%L)',
              part, month::timestamp AT TIME ZONE 'UTC', (month + interval '1 month')::timestamp AT TIME ZONE 'UTC'
            );
            made := made + 1;
          END IF;
          month := (month + interval '1 month')::date;
        END LOOP;
        RETURN made;
      END $$;
      SELECT events.ensure_partitions((now() AT TIME ZONE 'UTC')::date - 62, (now() AT TIME ZONE 'UTC')::date + 62);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP FUNCTION events.ensure_partitions(date, date);
      DROP TABLE events.event_ids;
      DROP TABLE events.events;
    `);
  }
}
