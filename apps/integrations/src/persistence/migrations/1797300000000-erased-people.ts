import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The keys (session and end-user ids, never a name or an email) of people this
 * service erased (SPEC §17): an event about them still in the stream when the
 * erasure ran must not write their data again (webhook deliveries, mail).
 */
export class ErasedPeople1797300000000 implements MigrationInterface {
  name = 'ErasedPeople1797300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE integrations.erased_people (
        person_key text PRIMARY KEY,
        erasure_id text NOT NULL,
        erased_at timestamptz NOT NULL DEFAULT now()
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE integrations.erased_people;`);
  }
}
