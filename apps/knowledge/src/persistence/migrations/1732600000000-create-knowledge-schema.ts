import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateKnowledgeSchema1732600000000 implements MigrationInterface {
  name = 'CreateKnowledgeSchema1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge.collections (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX collections_workspace_idx ON knowledge.collections (workspace_id, id);

      CREATE TABLE knowledge.articles (
        id text PRIMARY KEY,
        workspace_id text NOT NULL,
        collection_id text REFERENCES knowledge.collections(id),
        title text NOT NULL,
        body_html text NOT NULL,
        -- The sanitized body as plain text: what search, snippets and answers read.
        body_text text NOT NULL,
        locale text NOT NULL,
        -- Primary language subtag of locale (en for en-GB): the search filter.
        language text NOT NULL,
        -- Stemming configuration picked from the language; simple when PostgreSQL has none.
        ts_config regconfig NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'published')),
        search_vector tsvector GENERATED ALWAYS AS (
          setweight(to_tsvector(ts_config, title), 'A') || setweight(to_tsvector(ts_config, body_text), 'B')
        ) STORED,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz
      );
      -- fastupdate off: new entries go straight into the index instead of a pending
      -- list that every search must scan until vacuum merges it (after a burst of
      -- writes that list made searches 5-10x slower). Help centers read far more than they write.
      CREATE INDEX articles_search_idx ON knowledge.articles USING GIN (search_vector) WITH (fastupdate = off);
      CREATE INDEX articles_workspace_idx ON knowledge.articles (workspace_id, id);

      -- The stemming configurations a workspace's articles use: a search without a
      -- locale builds one query per configuration instead of scanning for them.
      CREATE TABLE knowledge.workspace_configs (
        workspace_id text NOT NULL,
        ts_config regconfig NOT NULL,
        PRIMARY KEY (workspace_id, ts_config)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP TABLE knowledge.workspace_configs;
      DROP TABLE knowledge.articles;
      DROP TABLE knowledge.collections;
    `);
  }
}
