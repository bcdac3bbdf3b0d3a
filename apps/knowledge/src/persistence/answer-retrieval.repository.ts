import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ReadScope, RetrievedRow, SCOPE_SQL } from './article.repository';

/** One concept of a question, as retrieval queries it: its to_tsquery texts and its idf factor (an everyday word's). */
export interface RetrievalConcept {
  /** The visitor's own word. */
  exact: string;
  /** Any of its alternatives. */
  expanded: string;
  factor: number;
}

export interface AnswerRetrievalInput {
  configs: string[];
  concepts: RetrievalConcept[];
  /** to_tsquery text matching any concept (recall). */
  any: string;
  /** Lexical candidates kept. */
  limit: number;
  /** Texts (every concept's alternatives) to stem under each configuration, and whose lexemes' document frequencies to count. */
  alternatives: string[];
  /** Semantic candidates, most similar first: the first `extra` readable ones that the lexical ones lack are added. */
  nearest: string[];
  extra: number;
}

export interface AnswerRetrieval {
  /** The lexical candidates, best first, then the added semantic ones (by id). */
  rows: RetrievedRow[];
  /** Readable articles per configuration. */
  sizes: Map<string, number>;
  /** Per configuration, each alternative's distinct lexemes (input order). */
  lexemes: Map<string, string[][]>;
  /** Readable articles containing each lexeme, by `${config}\u0000${lexeme}`. */
  df: Map<string, number>;
}

interface Row {
  kind: 'article' | 'size' | 'alternative' | 'df';
  id: string | null;
  title: string | null;
  body_text: string | null;
  ts_config: string;
  collection_id: string | null;
  locale: string | null;
  updated_at: Date | null;
  terms: string[] | null;
  n: string | null;
}

/**
 * The answer path's reads (answer.service.ts), in as few round trips as
 * retrieval allows: one statement stems the question's alternatives, counts
 * the scope and each concept's and lexeme's articles (idf), ranks the
 * articles and adds the semantic candidates; scoring then only needs the
 * candidates' own lexemes (cached by the service, read on a miss).
 */
@Injectable()
export class AnswerRetrievalRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Ranked BM25-like: the sum over concepts of the concept's idf (ln(1 +
   * (N − n + ½) / (n + ½)) in its configuration's scope, × its factor; a
   * concept no article has weighs nothing) times ts_rank on the visitor's own
   * word plus half of that on all its alternatives. So a rare concept
   * ("language") outranks a common one ("settings") however often the latter
   * is repeated, and an exact match counts more. Passage scoring then orders
   * them (answer/scoring.ts).
   */
  async retrieve(scope: ReadScope, input: AnswerRetrievalInput): Promise<AnswerRetrieval> {
    const rows: Row[] = await this.dataSource.query(
      `WITH cfgs AS MATERIALIZED (
         SELECT c.cfg FROM unnest($4::regconfig[]) AS c(cfg)
       ), size AS MATERIALIZED (
         SELECT c.cfg, (SELECT count(*) FROM knowledge.articles a WHERE ${SCOPE_SQL} AND a.ts_config = c.cfg) AS n FROM cfgs c
       ), alt AS MATERIALIZED (
         SELECT c.cfg, t.ord, tsvector_to_array(to_tsvector(c.cfg, t.txt)) AS terms
         FROM cfgs c CROSS JOIN unnest($10::text[]) WITH ORDINALITY AS t(txt, ord)
       ), term AS MATERIALIZED (
         SELECT DISTINCT alt.cfg, u.term FROM alt CROSS JOIN unnest(alt.terms) AS u(term)
       ), concept AS MATERIALIZED (
         SELECT c.cfg, e.query AS exact, x.query AS expanded, t.factor, (
           SELECT count(*) FROM knowledge.articles a WHERE ${SCOPE_SQL} AND a.ts_config = c.cfg AND a.search_vector @@ x.query
         ) AS n
         FROM cfgs c CROSS JOIN unnest($6::text[], $7::text[], $8::float8[]) AS t(exact_text, expanded_text, factor)
         CROSS JOIN LATERAL to_tsquery(c.cfg, t.exact_text) AS e(query)
         CROSS JOIN LATERAL to_tsquery(c.cfg, t.expanded_text) AS x(query)
       ), w AS MATERIALIZED (
         SELECT k.cfg, k.exact, k.expanded, ln(1 + (s.n - k.n + 0.5)::float8 / (k.n + 0.5)::float8) * k.factor AS idf
         FROM concept k JOIN size s ON s.cfg = k.cfg WHERE k.n > 0
       ), q AS (
         SELECT c.cfg, x.query FROM cfgs c CROSS JOIN LATERAL to_tsquery(c.cfg, $9) AS x(query)
       ), matched AS MATERIALIZED (
         -- search_vector is stored out of line (TOAST): fetched once per matching article here, not once per
         -- ts_rank call below (two per concept). The concatenation makes the in-memory copy.
         SELECT a.id, a.ts_config, a.search_vector || ''::tsvector AS sv
         FROM q JOIN knowledge.articles a ON a.ts_config = q.cfg AND a.search_vector @@ q.query
         WHERE ${SCOPE_SQL} AND EXISTS (SELECT 1 FROM w)
       ), ranked AS MATERIALIZED (
         SELECT m.id, row_number() OVER (ORDER BY r.rank DESC, m.id ASC) AS pos
         FROM matched m CROSS JOIN LATERAL (
           -- A concept the article lacks adds nothing (ts_rank is 0 for it, or ~1e-20 for a phrase): not ranked.
           SELECT coalesce(sum(CASE WHEN m.sv @@ w.expanded THEN w.idf * (ts_rank(m.sv, w.exact, 1) + 0.5 * ts_rank(m.sv, w.expanded, 1)) ELSE 0 END), 0) AS rank
           FROM w WHERE w.cfg = m.ts_config
         ) AS r
         ORDER BY r.rank DESC, m.id ASC
         LIMIT $5
       ), near AS (
         SELECT n.id FROM unnest($11::text[]) WITH ORDINALITY AS n(id, ord)
         JOIN knowledge.articles a ON a.id = n.id
         WHERE ${SCOPE_SQL} AND n.id NOT IN (SELECT id FROM ranked)
         ORDER BY n.ord LIMIT $12
       ), picked AS (
         SELECT id, pos FROM ranked
         UNION ALL
         SELECT id, $5 + row_number() OVER (ORDER BY id) FROM near
       )
       SELECT * FROM (
         SELECT 'article' AS kind, a.id, a.title, a.body_text, a.ts_config::text AS ts_config, a.collection_id, a.locale, a.updated_at,
                NULL::text[] AS terms, p.pos AS n
         FROM picked p JOIN knowledge.articles a ON a.id = p.id
         UNION ALL
         SELECT 'size', NULL, NULL, NULL, cfg::text, NULL, NULL, NULL, NULL, n FROM size
         UNION ALL
         SELECT 'alternative', NULL, NULL, NULL, cfg::text, NULL, NULL, NULL, terms, ord FROM alt
         UNION ALL
         SELECT 'df', NULL, NULL, NULL, t.cfg::text, NULL, NULL, NULL, ARRAY[t.term], (
           SELECT count(*) FROM knowledge.articles a
           WHERE ${SCOPE_SQL} AND a.ts_config = t.cfg AND a.search_vector @@ quote_literal(t.term)::tsquery
         ) FROM term t
       ) AS out ORDER BY kind, n`,
      [
        scope.workspaceId,
        scope.collectionIds,
        scope.language,
        input.configs,
        input.limit,
        input.concepts.map((c) => c.exact),
        input.concepts.map((c) => c.expanded),
        input.concepts.map((c) => c.factor),
        input.any,
        input.alternatives,
        input.nearest,
        input.extra,
      ],
    );
    const out: AnswerRetrieval = { rows: [], sizes: new Map(), lexemes: new Map(input.configs.map((c) => [c, input.alternatives.map(() => [])])), df: new Map() };
    for (const r of rows) {
      if (r.kind === 'article') {
        out.rows.push({ id: r.id!, title: r.title!, body_text: r.body_text!, ts_config: r.ts_config, collection_id: r.collection_id, locale: r.locale!, updated_at: r.updated_at! });
      } else if (r.kind === 'size') out.sizes.set(r.ts_config, Number(r.n));
      else if (r.kind === 'alternative') out.lexemes.get(r.ts_config)![Number(r.n) - 1] = r.terms ?? [];
      else out.df.set(`${r.ts_config}\u0000${r.terms![0]}`, Number(r.n));
    }
    return out;
  }

  /** Each text's distinct lexemes under its configuration: stemming and stop words exactly as the index does it. */
  async lexemes(configs: string[], texts: string[]): Promise<string[][]> {
    if (texts.length === 0) return [];
    const rows: { ord: string; terms: string[] }[] = await this.dataSource.query(
      `SELECT x.ord, tsvector_to_array(to_tsvector(x.cfg, x.txt)) AS terms
       FROM unnest($1::regconfig[], $2::text[]) WITH ORDINALITY AS x(cfg, txt, ord)`,
      [configs, texts],
    );
    const out: string[][] = texts.map(() => []);
    for (const r of rows) out[Number(r.ord) - 1] = r.terms;
    return out;
  }
}
