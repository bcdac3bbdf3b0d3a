import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Optional semantic retrieval (EMBEDDINGS_BASE_URL): one vector per published
 * article, as a plain real[] (no pgvector on this stack), scored in the
 * service. docs/knowledge.md, "Semantic retrieval", says where that stops
 * scaling.
 */
export class AddArticleEmbeddings1796300000000 implements MigrationInterface {
  name = 'AddArticleEmbeddings1796300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge.article_embeddings (
        article_id text PRIMARY KEY REFERENCES knowledge.articles(id) ON DELETE CASCADE,
        workspace_id text NOT NULL,
        -- Vectors of different models do not compare: only the configured model's are read.
        model text NOT NULL,
        vector real[] NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX article_embeddings_workspace_idx ON knowledge.article_embeddings (workspace_id, model);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE knowledge.article_embeddings;`);
  }
}
