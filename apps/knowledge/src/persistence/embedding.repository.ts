import { Injectable } from '@nestjs/common';
import type { Queryable } from '@widget/common';
import { DataSource } from 'typeorm';
import { squaredNorm } from '../text';
import { ReadScope } from './article.repository';

/** A published article's vector, with what the scope filter needs and its squared norm (computed once). */
export interface ArticleVector {
  id: string;
  collectionId: string | null;
  language: string;
  vector: Float32Array;
  squaredNorm: number;
}

export function articleVector(id: string, collectionId: string | null, language: string, vector: Float32Array): ArticleVector {
  return { id, collectionId, language, vector, squaredNorm: squaredNorm(vector) };
}

/**
 * Cosine similarity of every vector in scope to `question`: the same sums in
 * the same order as cosine() (text.ts), with the articles' norms computed
 * once, so the figures are cosine()'s exactly.
 */
export function similaritiesInScope(vectors: ArticleVector[], scope: ReadScope, question: ArrayLike<number>): Map<string, number> {
  const out = new Map<string, number>();
  const qn = squaredNorm(question);
  const collections = scope.collectionIds ? new Set(scope.collectionIds) : null;
  for (const v of vectors) {
    if (collections && (v.collectionId === null || !collections.has(v.collectionId))) continue;
    if (scope.language !== null && v.language !== scope.language) continue;
    const b = v.vector;
    if (b.length !== question.length) {
      out.set(v.id, 0);
      continue;
    }
    let dot = 0;
    for (let i = 0; i < b.length; i++) dot += question[i] * b[i];
    out.set(v.id, qn === 0 || v.squaredNorm === 0 ? 0 : dot / Math.sqrt(qn * v.squaredNorm));
  }
  return out;
}

/** In the vector write's transaction: its row lock orders the bumps as the writes commit. */
function bumpVersion(m: Queryable, workspaceId: string, model: string): Promise<unknown> {
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
  private readonly cache = new Map<string, { stamp: string; vectors: ArticleVector[]; bytes: number }>();
  private cachedBytes = 0;

  constructor(private readonly dataSource: DataSource) {}

  /** Inside `tx` (a unit of work of its own, after the article's committed: the vector comes from a network call). */
  async put(articleId: string, workspaceId: string, model: string, vector: number[], at: Date, tx: Queryable): Promise<void> {
    await tx.query(
      `INSERT INTO knowledge.article_embeddings (article_id, workspace_id, model, vector, updated_at) VALUES ($1, $2, $3, $4::real[], $5)
       ON CONFLICT (article_id) DO UPDATE SET workspace_id = EXCLUDED.workspace_id, model = EXCLUDED.model, vector = EXCLUDED.vector, updated_at = EXCLUDED.updated_at`,
      [articleId, workspaceId, model, vector, at],
    );
    await bumpVersion(tx, workspaceId, model);
  }

  async remove(articleId: string, tx: Queryable): Promise<void> {
    // TypeORM answers a DELETE … RETURNING on PostgreSQL with [rows, affected].
    const [removed]: [{ workspace_id: string; model: string }[], number] = await tx.query(
      `DELETE FROM knowledge.article_embeddings WHERE article_id = $1 RETURNING workspace_id, model`,
      [articleId],
    );
    for (const r of removed) await bumpVersion(tx, r.workspace_id, r.model);
  }

  /**
   * The workspace's vectors for `model`, kept in memory per workspace and
   * model with each article's collection and language (the scope filter
   * runs in memory; the answer's statement checks the scope again). Reading
   * `real[]` costs about 1 ms a vector (PostgreSQL's text form, parsed number
   * by number), so they are read again only when the workspace's version
   * moved (every replica's write bumps it, in the write's transaction, and
   * every published write of an article writes its vector): one primary-key
   * read per answer. docs/knowledge.md, "Semantic retrieval", says where this stops.
   */
  async vectorsFor(workspaceId: string, model: string): Promise<ArticleVector[]> {
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
    const rows: { article_id: string; vector: number[]; collection_id: string | null; language: string }[] = await this.dataSource.query(
      `SELECT e.article_id, e.vector, a.collection_id, a.language FROM knowledge.article_embeddings e
       JOIN knowledge.articles a ON a.id = e.article_id AND a.status = 'published'
       WHERE e.workspace_id = $1 AND e.model = $2`,
      [workspaceId, model],
    );
    const vectors = rows.map((r) => articleVector(r.article_id, r.collection_id, r.language, Float32Array.from(r.vector)));
    let bytes = 0;
    for (const v of vectors) bytes += v.vector.byteLength;
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
