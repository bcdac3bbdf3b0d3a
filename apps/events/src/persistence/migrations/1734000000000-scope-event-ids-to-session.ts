import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Event ids are de-duplicated per session (client events) instead of per
 * workspace, so one session can neither tell whether another used an id nor
 * claim ids first. Lifecycle facts keep one workspace-wide scope, 'system'.
 * Rows stored before keep scope '' (their ids simply no longer collide).
 */
export class ScopeEventIdsToSession1734000000000 implements MigrationInterface {
  name = 'ScopeEventIdsToSession1734000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE events.event_ids ADD COLUMN scope text NOT NULL DEFAULT '';
      ALTER TABLE events.event_ids DROP CONSTRAINT event_ids_pkey;
      ALTER TABLE events.event_ids ADD CONSTRAINT event_ids_pkey PRIMARY KEY (workspace_id, scope, event_id);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM events.event_ids a USING events.event_ids b
        WHERE a.workspace_id = b.workspace_id AND a.event_id = b.event_id AND a.ctid > b.ctid;
      ALTER TABLE events.event_ids DROP CONSTRAINT event_ids_pkey;
      ALTER TABLE events.event_ids ADD CONSTRAINT event_ids_pkey PRIMARY KEY (workspace_id, event_id);
      ALTER TABLE events.event_ids DROP COLUMN scope;
    `);
  }
}
