import { Injectable } from '@nestjs/common';
import type { ArticleStatus } from '@widget/contracts';
import type { Queryable } from '@widget/common';
import { DataSource } from 'typeorm';
import { vocabularyWords } from '../text';
import { VocabularyRepository } from './vocabulary.repository';

export interface ArticleRow {
  id: string;
  workspace_id: string;
  collection_id: string | null;
  title: string;
  body_html: string;
  body_text: string;
  locale: string;
  language: string;
  ts_config: string;
  status: ArticleStatus;
  created_at: Date;
  updated_at: Date;
  published_at: Date | null;
}

export interface ArticleWrite {
  collectionId: string | null;
  title: string;
  bodyHtml: string;
  bodyText: string;
  locale: string;
  language: string;
  tsConfig: string;
  status: ArticleStatus;
}

/** What may be read: one workspace, published, in these collections (null: all), optionally one language. */
export interface ReadScope {
  workspaceId: string;
  collectionIds: string[] | null;
  language: string | null;
}

export interface SearchRow {
  id: string;
  title: string;
  collection_id: string | null;
  locale: string;
  updated_at: Date;
  score: string;
  snippet: string;
}

export interface RetrievedRow {
  id: string;
  title: string;
  body_text: string;
  ts_config: string;
  collection_id: string | null;
  locale: string;
  updated_at: Date;
}

/** The vocabulary words an article version contributes: none unless published. */
function publishedWords(a: { status: ArticleStatus; title: string; bodyText: string }): string[] {
  return a.status === 'published' ? vocabularyWords(`${a.title}\n${a.bodyText}`) : [];
}

/** Private-use characters around matches: the snippet is escaped, then they become <mark>. */
export const MARK_START = '\uE000';
export const MARK_END = '\uE001';
const HEADLINE_OPTIONS = `StartSel=${MARK_START}, StopSel=${MARK_END}, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`;

/**
 * Matches ranked per search, at most (see search()). A query matching more
 * is a word in most articles: it says little about which one is best.
 */
export const SEARCH_CANDIDATES = 500;

const COLUMNS = 'id, workspace_id, collection_id, title, body_html, body_text, locale, language, ts_config::text AS ts_config, status, created_at, updated_at, published_at';
/** Readable rows of alias `a`: $1 workspace, $2 collections (null: all), $3 language (null: all). */
export const SCOPE_SQL = `a.workspace_id = $1 AND a.status = 'published' AND ($2::text[] IS NULL OR a.collection_id = ANY($2)) AND ($3::text IS NULL OR a.language = $3)`;

@Injectable()
export class ArticleRepository {
  constructor(
    private readonly dataSource: DataSource,
    private readonly vocabulary: VocabularyRepository,
  ) {}

  /** Inside `tx` (the create's unit of work, with its audit entry and Idempotency-Key). */
  async insert(id: string, workspaceId: string, a: ArticleWrite, now: Date, tx: Queryable): Promise<ArticleRow> {
    await this.rememberConfig(tx, workspaceId, a.tsConfig);
    const rows: ArticleRow[] = await tx.query(
      `INSERT INTO knowledge.articles (id, workspace_id, collection_id, title, body_html, body_text, locale, language, ts_config, status, created_at, updated_at, published_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::regconfig, $10, $11, $11, CASE WHEN $10 = 'published' THEN $11::timestamptz END)
       RETURNING ${COLUMNS}`,
      [id, workspaceId, a.collectionId, a.title, a.bodyHtml, a.bodyText, a.locale, a.language, a.tsConfig, a.status, now],
    );
    await this.vocabulary.add(tx, workspaceId, publishedWords(a));
    return rows[0];
  }

  /** Locks the row in `tx` (the patch's unit of work), so concurrent patches apply one after the other; null when there is none. */
  async lockById(id: string, tx: Queryable): Promise<ArticleRow | null> {
    const found: ArticleRow[] = await tx.query(`SELECT ${COLUMNS} FROM knowledge.articles WHERE id = $1 FOR UPDATE`, [id]);
    return found[0] ?? null;
  }

  /** Writes `next` over `current` (locked by lockById in the same `tx`) and keeps the vocabulary in step. */
  async update(current: ArticleRow, next: ArticleWrite, now: Date, tx: Queryable): Promise<ArticleRow> {
    await this.rememberConfig(tx, current.workspace_id, next.tsConfig);
    // TypeORM answers an UPDATE with [rows, affectedCount].
    const [rows]: [ArticleRow[], number] = await tx.query(
      `UPDATE knowledge.articles SET collection_id = $2, title = $3, body_html = $4, body_text = $5, locale = $6, language = $7,
         ts_config = $8::regconfig, status = $9, updated_at = $10,
         published_at = CASE WHEN $9 = 'published' THEN COALESCE(published_at, $10::timestamptz) END
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [current.id, next.collectionId, next.title, next.bodyHtml, next.bodyText, next.locale, next.language, next.tsConfig, next.status, now],
    );
    const before = new Set(publishedWords({ status: current.status, title: current.title, bodyText: current.body_text }));
    const after = publishedWords(next);
    await this.vocabulary.add(tx, current.workspace_id, after.filter((w) => !before.has(w)));
    const kept = new Set(after);
    // After the UPDATE: the row's new text counts when deciding which words other articles still have.
    await this.vocabulary.prune(tx, current.workspace_id, [...before].filter((w) => !kept.has(w)));
    return rows[0];
  }

  private async rememberConfig(tx: Queryable, workspaceId: string, tsConfig: string): Promise<void> {
    await tx.query(`INSERT INTO knowledge.workspace_configs (workspace_id, ts_config) VALUES ($1, $2::regconfig) ON CONFLICT DO NOTHING`, [workspaceId, tsConfig]);
  }

  async findById(id: string): Promise<ArticleRow | null> {
    const rows: ArticleRow[] = await this.dataSource.query(`SELECT ${COLUMNS} FROM knowledge.articles WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  async findReadable(scope: ReadScope, id: string): Promise<ArticleRow | null> {
    const rows: ArticleRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM knowledge.articles a WHERE ${SCOPE_SQL} AND a.id = $4`,
      [scope.workspaceId, scope.collectionIds, scope.language, id],
    );
    return rows[0] ?? null;
  }

  /** Oldest first, keyset on the time-ordered id. */
  page(workspaceId: string, filter: { status?: ArticleStatus; collectionId?: string }, after: string | undefined, limit: number): Promise<ArticleRow[]> {
    return this.dataSource.query(
      `SELECT ${COLUMNS} FROM knowledge.articles
       WHERE workspace_id = $1 AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR collection_id = $3) AND ($4::text IS NULL OR id > $4)
       ORDER BY id LIMIT $5`,
      [workspaceId, filter.status ?? null, filter.collectionId ?? null, after ?? null, limit],
    );
  }

  /** The stemming configurations to query with: the scope's language's, or every one the workspace uses (answers; search() reads them itself). */
  async configsFor(workspaceId: string, tsConfig: string | null): Promise<string[]> {
    if (tsConfig) return [tsConfig];
    const rows: { ts_config: string }[] = await this.dataSource.query(
      `SELECT ts_config::text AS ts_config FROM knowledge.workspace_configs WHERE workspace_id = $1`,
      [workspaceId],
    );
    return rows.map((r) => r.ts_config);
  }

  /**
   * Ranked full-text search: title (weight A) over body (B), ts_rank
   * normalised by document length, ties broken by id; keyset after
   * (score, id). The query text is built once per stemming configuration:
   * `tsConfig`, or (null) each one the workspace's articles use.
   *
   * Ranking reads search_vector, stored out of line: each one ranked costs a
   * TOAST fetch, most of a search's time. So at most SEARCH_CANDIDATES
   * matches are ranked. A search matching no more than that ranks all of
   * them, found in one index scan. Past that the candidates are the title
   * matches, then the other matches, each in storage order: found through
   * the title index and the first matches read, without reading the rest.
   * The candidates do not depend on the cursor, so pages stay consistent.
   * The snippet is computed for the returned page only. docs/knowledge.md,
   * "Search cost", has the figures.
   */
  search(
    scope: ReadScope,
    tsConfig: string | null,
    tsquery: string,
    after: { score: string; id: string } | null,
    limit: number,
    /** With query expansion: the visitor's own words (any of them); a match on them ranks above one on alternatives only. */
    exact: string | null = null,
  ): Promise<SearchRow[]> {
    return this.dataSource.query(
      // The article scans are LATERAL subqueries with a LIMIT, so they stay parameterised by the
      // configuration's query (a GIN index scan) however many configurations the planner expects.
      `WITH q AS (
         SELECT c.ts_config AS cfg, t.query, e.query AS exact
         FROM knowledge.workspace_configs c CROSS JOIN LATERAL to_tsquery(c.ts_config, $4) AS t(query)
         CROSS JOIN LATERAL to_tsquery(c.ts_config, COALESCE($11, '')) AS e(query)
         WHERE c.workspace_id = $1 AND ($5::regconfig IS NULL OR c.ts_config = $5::regconfig)
         ORDER BY c.ts_config
       ), matches AS MATERIALIZED (
         -- The first matches in storage order, one more than the cap: enough to tell whether the cap applies.
         -- Only search_vector's TOAST pointer is carried; it is fetched when ranked.
         SELECT m.* FROM q CROSS JOIN LATERAL (
           SELECT a.id, a.search_vector, a.title_vector, q.query, q.exact
           FROM knowledge.articles a
           WHERE a.ts_config = q.cfg AND a.search_vector @@ q.query AND ${SCOPE_SQL}
           LIMIT $10 + 1
         ) AS m
         LIMIT $10 + 1
       ), capped AS (
         SELECT count(*) > $10 AS applies FROM matches
       ), candidates AS (
         -- Under the cap: every match. Over it: the title matches (through the title index; that
         -- scan only runs then), then the other matches read above.
         SELECT id, search_vector, query, exact FROM matches WHERE NOT (SELECT applies FROM capped)
         UNION ALL
         (SELECT t.* FROM q CROSS JOIN LATERAL (
            SELECT a.id, a.search_vector, q.query, q.exact
            FROM knowledge.articles a
            WHERE a.ts_config = q.cfg AND a.title_vector @@ q.query AND ${SCOPE_SQL} AND (SELECT applies FROM capped)
            LIMIT $10
          ) AS t
          LIMIT $10)
         UNION ALL
         SELECT id, search_vector, query, exact FROM matches WHERE (SELECT applies FROM capped) AND NOT title_vector @@ query
         LIMIT $10
       ), ranked AS (
         -- OFFSET 0 keeps this a subquery: ts_rank runs once per candidate, not again in the keyset filter.
         -- With alternatives: (rank on the visitor's words + half the rank on all) / 1.5, so an exact match ranks first.
         SELECT id, query,
                CASE WHEN $11::text IS NULL THEN ts_rank(search_vector, query, 1)
                     ELSE (ts_rank(search_vector, exact, 1) + 0.5 * ts_rank(search_vector, query, 1)) / 1.5 END AS rank
         FROM candidates OFFSET 0
       ), page AS (
         SELECT id, query, rank FROM ranked
         WHERE $6::real IS NULL OR rank < $6::real OR (rank = $6::real AND id > $7)
         ORDER BY rank DESC, id ASC
         LIMIT $8
       )
       SELECT a.id, a.title, a.collection_id, a.locale, a.updated_at, p.rank::text AS score,
              ts_headline(a.ts_config, a.body_text, p.query, $9) AS snippet
       FROM page p JOIN knowledge.articles a ON a.id = p.id
       ORDER BY p.rank DESC, p.id ASC`,
      [scope.workspaceId, scope.collectionIds, scope.language, tsquery, tsConfig, after?.score ?? null, after?.id ?? null, limit, HEADLINE_OPTIONS, SEARCH_CANDIDATES, exact],
    );
  }
}
