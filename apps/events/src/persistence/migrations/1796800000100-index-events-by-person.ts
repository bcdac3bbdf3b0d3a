import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What a person's events are filed under (SPEC §17; `PERSON_KEY` in
 * events.repository.ts, which must stay this very expression for the index to
 * serve it): the session, or, for the lifecycle facts of an identified user's
 * conversations (which carry no session), the end user in
 * `properties.userId`. Erasure and export read the rows of a few keys among a
 * workspace's millions, so the key is indexed.
 *
 * A plain CREATE INDEX holds off inserts into each partition while it is
 * built (CONCURRENTLY cannot run here: under the migration lock it deadlocks
 * with a replica waiting for that lock). On a large table, build it
 * beforehand per partition with CONCURRENTLY (docs/forms-events.md,
 * "Upgrading a large events table"): this statement then only attaches those.
 */
export class IndexEventsByPerson1796800000100 implements MigrationInterface {
  name = 'IndexEventsByPerson1796800000100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX IF NOT EXISTS events_person_idx ON events.events ((coalesce(session_id, properties->>'userId')))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX events.events_person_idx`);
  }
}
