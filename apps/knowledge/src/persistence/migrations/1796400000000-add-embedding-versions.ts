import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A version per workspace and model, bumped in the same transaction as every
 * vector write: services keep the vectors in memory and read them again only
 * when the version moved. The row lock orders the bumps as the writes commit,
 * which timestamps would not (a transaction's now() is its start).
 */
export class AddEmbeddingVersions1796400000000 implements MigrationInterface {
  name = 'AddEmbeddingVersions1796400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE knowledge.embedding_versions (
        workspace_id text NOT NULL,
        model text NOT NULL,
        version bigint NOT NULL,
        PRIMARY KEY (workspace_id, model)
      );
      INSERT INTO knowledge.embedding_versions (workspace_id, model, version)
        SELECT workspace_id, model, 1 FROM knowledge.article_embeddings GROUP BY workspace_id, model;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE knowledge.embedding_versions;`);
  }
}
