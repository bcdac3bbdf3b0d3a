import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Typo and synonym tolerance (docs/knowledge.md, "Retrieval"):
 * - pg_trgm (trigram similarity, in PostgreSQL's contrib) and btree_gin (a GIN
 *   index over the workspace id and the word's trigrams together). Both are
 *   trusted extensions: a database owner may create them without superuser.
 * - vocabulary: the distinct words of each workspace's published articles,
 *   kept on article write; a query word that is not one of them is matched
 *   against them by trigram similarity.
 * - synonyms: the operator's synonym groups, one row per workspace.
 */
export class AddVocabularyAndSynonyms1796100000000 implements MigrationInterface {
  name = 'AddVocabularyAndSynonyms1796100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
      CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;

      -- COLLATE "C": byte order, so the primary key also answers prefix lookups (word LIKE 'pass%').
      CREATE TABLE knowledge.vocabulary (
        workspace_id text NOT NULL,
        word text COLLATE "C" NOT NULL,
        PRIMARY KEY (workspace_id, word)
      );
      CREATE INDEX vocabulary_trgm_idx ON knowledge.vocabulary USING GIN (workspace_id, word public.gin_trgm_ops) WITH (fastupdate = off);

      CREATE TABLE knowledge.synonyms (
        workspace_id text PRIMARY KEY,
        groups jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      INSERT INTO knowledge.vocabulary (workspace_id, word)
      SELECT DISTINCT a.workspace_id, w.word
      FROM knowledge.articles a
      CROSS JOIN LATERAL regexp_split_to_table(lower(a.title || ' ' || a.body_text), '[^[:alnum:]]+') AS w(word)
      WHERE a.status = 'published' AND length(w.word) BETWEEN 2 AND 40 AND w.word ~ '[[:alpha:]]'
      ON CONFLICT DO NOTHING;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    // The extensions stay: other schemas of the database may use them.
    await q.query(`
      DROP TABLE knowledge.synonyms;
      DROP TABLE knowledge.vocabulary;
    `);
  }
}
