import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The title's own tsvector and its index, so a search matching thousands of
 * articles can pick its title matches without reading search_vector, which
 * lives out of line in the TOAST table (docs/knowledge.md, "Search cost").
 */
export class AddTitleVector1795600000000 implements MigrationInterface {
  name = 'AddTitleVector1795600000000';

  async up(q: QueryRunner): Promise<void> {
    // MAIN: kept in the row (a title is short), never pushed out to TOAST before the bodies are.
    // fastupdate off, as for articles_search_idx: no pending list for every search to scan.
    await q.query(`
      ALTER TABLE knowledge.articles
        ADD COLUMN title_vector tsvector GENERATED ALWAYS AS (to_tsvector(ts_config, title)) STORED,
        ALTER COLUMN title_vector SET STORAGE MAIN;
      CREATE INDEX articles_title_search_idx ON knowledge.articles USING GIN (title_vector) WITH (fastupdate = off);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX knowledge.articles_title_search_idx;
      ALTER TABLE knowledge.articles DROP COLUMN title_vector;
    `);
  }
}
