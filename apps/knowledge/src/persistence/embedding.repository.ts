import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { cosine } from '../domain/retrieval/embeddings';
import { ReadScope, SCOPE_SQL } from './article.repository';

/** knowledge.article_embeddings: one vector per published article, for the configured model. */
@Injectable()
export class EmbeddingRepository {
  constructor(private readonly dataSource: DataSource) {}

  async put(articleId: string, workspaceId: string, model: string, vector: number[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO knowledge.article_embeddings (article_id, workspace_id, model, vector, updated_at) VALUES ($1, $2, $3, $4::real[], now())
       ON CONFLICT (article_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, model = EXCLUDED.model, vector = EXCLUDED.vector, updated_at = now()`,
      [articleId, workspaceId, model, vector],
    );
  }

  async remove(articleId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM knowledge.article_embeddings WHERE article_id = $1`, [articleId]);
  }

  /**
   * Cosine similarity of every readable article's vector to `vector`, by
   * brute force in the service: every vector in scope travels and is
   * compared. Fine for a help center's hundreds of articles; see
   * docs/knowledge.md, "Semantic retrieval", for where it stops.
   */
  async similarities(scope: ReadScope, model: string, vector: number[]): Promise<Map<string, number>> {
    const rows: { article_id: string; vector: number[] }[] = await this.dataSource.query(
      `SELECT e.article_id, e.vector FROM knowledge.article_embeddings e JOIN knowledge.articles a ON a.id = e.article_id
       WHERE e.workspace_id = $1 AND e.model = $4 AND ${SCOPE_SQL}`,
      [scope.workspaceId, scope.collectionIds, scope.language, model],
    );
    return new Map(rows.map((r) => [r.article_id, cosine(vector, r.vector)]));
  }
}
