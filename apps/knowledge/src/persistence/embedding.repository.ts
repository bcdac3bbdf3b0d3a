import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { cosine } from '../text';
import { ReadScope, SCOPE_SQL } from './article.repository';

/** In the vector write's transaction: its row lock orders the bumps as the writes commit. */
function bumpVersion(m: EntityManager, workspaceId: string, model: string): Promise<unknown> {
  return m.query(
    `INSERT INTO knowledge.embedding_versions AS v (workspace_id, model, version) VALUES ($1, $2, 1)
     ON CONFLICT (workspace_id, model) DO UPDATE SET version = v.version + 1`,
    [workspaceId, model],
  );
}

/**
 * Memory for vectors kept per workspace, least recently used dropped first:
 * 64 MB is ~10,900 vectors of 1,536 dimensions (float32), in any mix of
 * workspaces. A workspace larger than that alone is read every time.
 */
export const VECTOR_CACHE_BYTES = 64 * 1024 * 1024;

/** knowledge.article_embeddings: one vector per published article, for the configured model. */
@Injectable()
export class EmbeddingRepository {
  private readonly cache = new Map<string, { stamp: string; vectors: Map<string, Float32Array>; bytes: number }>();
  private cachedBytes = 0;

  constructor(private readonly dataSource: DataSource) {}

  async put(articleId: string, workspaceId: string, model: string, vector: number[]): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      await m.query(
        `INSERT INTO knowledge.article_embeddings (article_id, workspace_id, model, vector, updated_at) VALUES ($1, $2, $3, $4::real[], now())
         ON CONFLICT (article_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, model = EXCLUDED.model, vector = EXCLUDED.vector, updated_at = now()`,
        [articleId, workspaceId, model, vector],
      );
      await bumpVersion(m, workspaceId, model);
    });
  }

  async remove(articleId: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      // TypeORM answers a DELETE … RETURNING on PostgreSQL with [rows, affected].
      const [removed]: [{ workspace_id: string; model: string }[], number] = await m.query(
        `DELETE FROM knowledge.article_embeddings WHERE article_id = $1 RETURNING workspace_id, model`,
        [articleId],
      );
      for (const r of removed) await bumpVersion(m, r.workspace_id, r.model);
    });
  }

  /**
   * Cosine similarity of every readable article's vector to `vector`, by
   * brute force in the service, over vectors kept in memory per workspace
   * and model. Reading `real[]` costs about 1 ms a vector (PostgreSQL's text
   * form, parsed number by number), so they are read again only when the
   * workspace's version moved (every replica's write bumps it, in the
   * write's transaction): one primary-key read per answer, and another
   * statement lists the article ids in scope.
   * docs/knowledge.md, "Semantic retrieval", says where this stops.
   */
  async similarities(scope: ReadScope, model: string, vector: number[]): Promise<Map<string, number>> {
    const [vectors, inScope] = await Promise.all([
      this.workspaceVectors(scope.workspaceId, model),
      this.dataSource.query(
        `SELECT e.article_id FROM knowledge.article_embeddings e JOIN knowledge.articles a ON a.id = e.article_id
         WHERE e.workspace_id = $1 AND e.model = $4 AND ${SCOPE_SQL}`,
        [scope.workspaceId, scope.collectionIds, scope.language, model],
      ) as Promise<{ article_id: string }[]>,
    ]);
    const out = new Map<string, number>();
    for (const { article_id } of inScope) {
      const v = vectors.get(article_id);
      if (v) out.set(article_id, cosine(vector, v));
    }
    return out;
  }

  private async workspaceVectors(workspaceId: string, model: string): Promise<Map<string, Float32Array>> {
    const key = `${workspaceId}\u0000${model}`;
    const versions: { version: string }[] = await this.dataSource.query(
      `SELECT version::text AS version FROM knowledge.embedding_versions WHERE workspace_id = $1 AND model = $2`,
      [workspaceId, model],
    );
    const stamp = versions[0]?.version ?? '0';
    const cached = this.cache.get(key);
    if (cached && cached.stamp === stamp) {
      // Most recently used last: the least recently used workspace is the one dropped.
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached.vectors;
    }
    const rows: { article_id: string; vector: number[] }[] = await this.dataSource.query(
      `SELECT article_id, vector FROM knowledge.article_embeddings WHERE workspace_id = $1 AND model = $2`,
      [workspaceId, model],
    );
    const vectors = new Map(rows.map((r) => [r.article_id, Float32Array.from(r.vector)]));
    let bytes = 0;
    for (const v of vectors.values()) bytes += v.byteLength;
    this.drop(key);
    this.cache.set(key, { stamp, vectors, bytes });
    this.cachedBytes += bytes;
    for (const oldest of this.cache.keys()) {
      if (this.cachedBytes <= VECTOR_CACHE_BYTES) break;
      this.drop(oldest);
    }
    return vectors;
  }

  private drop(key: string): void {
    const entry = this.cache.get(key);
    if (!entry) return;
    this.cache.delete(key);
    this.cachedBytes -= entry.bytes;
  }
}
