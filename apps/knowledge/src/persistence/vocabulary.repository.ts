import { Injectable } from '@nestjs/common';
import { preparedQuery, Queryable } from '@widget/common';
import { DataSource } from 'typeorm';

/** What the vocabulary says about a query's words, read in one round trip. */
export interface VocabularyFacts {
  /** Query words that are words of the workspace's articles (the unfinished last word of a search: a prefix of one). */
  known: Set<string>;
  /** Query words that are English stop words. */
  stop: Set<string>;
  /** For each unknown query word of 4+ letters: vocabulary words with a trigram similarity of 0.3 or more, most similar first. */
  similar: Map<string, Array<{ word: string; similarity: number }>>;
  /** Which of the candidate words (synonyms' words) the vocabulary has. */
  present: Set<string>;
  /** The operator's synonym groups. */
  groups: string[][];
}

/** Trigram candidates read per unknown word; the expansion keeps at most two. */
const SIMILAR_CANDIDATES = 5;
const FUZZY_MIN_LENGTH = 4;

/**
 * knowledge.vocabulary: the distinct words (queryWords() form) of each
 * workspace's published articles, kept by ArticleRepository on every write,
 * and what query expansion reads from it (trigram similarity, pg_trgm).
 */
@Injectable()
export class VocabularyRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Inside the article write's transaction. No row locks on words already there (DO NOTHING). */
  async add(m: Queryable, workspaceId: string, words: string[]): Promise<void> {
    if (words.length === 0) return;
    await m.query(`INSERT INTO knowledge.vocabulary (workspace_id, word) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING`, [workspaceId, words]);
  }

  /**
   * Words an article no longer has (edited, unpublished) leave the vocabulary
   * unless another published article of the workspace has them. "Has" is by
   * the same lexeme, so "passwords" stays while any article says "password":
   * harmless, the search index treats them as one word. Stop words always
   * leave (the index has no lexeme for them): expansion never corrects them.
   */
  async prune(m: Queryable, workspaceId: string, words: string[]): Promise<void> {
    if (words.length === 0) return;
    await m.query(
      `DELETE FROM knowledge.vocabulary v
       WHERE v.workspace_id = $1 AND v.word = ANY($2::text[])
         AND NOT EXISTS (
           SELECT 1 FROM knowledge.workspace_configs c
           WHERE c.workspace_id = $1 AND EXISTS (
             SELECT 1 FROM knowledge.articles a
             WHERE a.workspace_id = $1 AND a.status = 'published' AND a.ts_config = c.ts_config
               AND a.search_vector @@ plainto_tsquery(c.ts_config, v.word)
           )
         )`,
      [workspaceId, words],
    );
  }

  async facts(workspaceId: string, words: string[], unfinished: string | null, candidates: string[]): Promise<VocabularyFacts> {
    const rows = await preparedQuery<{ kind: string; word: string; alt: string | null; sim: number | null }>(
      this.dataSource,
      'knowledge_vocabulary_facts',
      `WITH w AS (SELECT DISTINCT unnest($2::text[]) AS word),
       k AS (
         SELECT w.word FROM w
         WHERE EXISTS (SELECT 1 FROM knowledge.vocabulary v WHERE v.workspace_id = $1 AND v.word = w.word)
            OR (w.word = $3 AND (SELECT starts_with(v.word, w.word) FROM knowledge.vocabulary v
                                 WHERE v.workspace_id = $1 AND v.word >= w.word ORDER BY v.word LIMIT 1))
       ), s AS (
         SELECT w.word FROM w WHERE numnode(plainto_tsquery('english', w.word)) = 0
       )
       SELECT 'known' AS kind, word, NULL AS alt, NULL::real AS sim FROM k
       UNION ALL
       SELECT 'stop', word, NULL, NULL FROM s
       UNION ALL
       SELECT 'similar', w.word, t.word, t.sim FROM w CROSS JOIN LATERAL (
         SELECT v.word::text AS word, public.similarity(v.word, w.word) AS sim FROM knowledge.vocabulary v
         WHERE v.workspace_id = $1 AND v.word OPERATOR(public.%) w.word
         ORDER BY sim DESC, v.word LIMIT $5
       ) AS t
       WHERE length(w.word) >= $6 AND w.word NOT IN (SELECT word FROM k) AND w.word NOT IN (SELECT word FROM s)
       UNION ALL
       SELECT 'present', v.word, NULL, NULL FROM knowledge.vocabulary v WHERE v.workspace_id = $1 AND v.word = ANY($4::text[])
       UNION ALL
       SELECT 'groups', '', g.groups::text, NULL FROM knowledge.synonyms g WHERE g.workspace_id = $1`,
      [workspaceId, words, unfinished, candidates, SIMILAR_CANDIDATES, FUZZY_MIN_LENGTH],
    );
    const facts: VocabularyFacts = { known: new Set(), stop: new Set(), similar: new Map(), present: new Set(), groups: [] };
    for (const r of rows) {
      if (r.kind === 'known') facts.known.add(r.word);
      else if (r.kind === 'stop') facts.stop.add(r.word);
      else if (r.kind === 'present') facts.present.add(r.word);
      else if (r.kind === 'groups') facts.groups = JSON.parse(r.alt!) as string[][];
      else {
        const list = facts.similar.get(r.word) ?? [];
        list.push({ word: r.alt!, similarity: Number(r.sim) });
        facts.similar.set(r.word, list);
      }
    }
    return facts;
  }
}
