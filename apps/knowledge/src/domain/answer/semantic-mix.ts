/**
 * How an embedding model's similarity joins the lexical judgement
 * (docs/knowledge.md, "Semantic retrieval"). Measured with a real sentence
 * encoder on the tuned evaluation sets: similarity is good at telling which
 * article a question is about, and poor at telling whether the help center
 * covers it at all (an unrelated question near the domain, "sync my google
 * calendar with my iphone", is as similar to an article as a real one). So
 * it ranks, and confidence (the decline decision) stays lexical, unless the
 * similarity alone is high enough to answer on.
 */
export interface SimilarityCalibration {
  /** At or below: counts 0 in the ranking. */
  floor: number;
  /** At or above: counts fully. */
  ceil: number;
  /** From here on, the similarity itself is the confidence when higher than the lexical one. */
  answer: number;
}

import type { RetrievalProfile } from '../retrieval/profile';

export interface Judged {
  articleId: string;
  confidence: number;
  articleCoverage: number;
}

export function calibrated(similarity: number, c: SimilarityCalibration): number {
  return Math.min(1, Math.max(0, (similarity - c.floor) / (c.ceil - c.floor)));
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** A candidate after fusion: where each ranking put it, for the decision. */
export interface FusedFacts {
  lexicalRank: number;
  semanticRank: number;
  similarity: number;
}

/**
 * Reciprocal-rank fusion of the lexical ranking (confidence) and the
 * semantic one (similarity): score = lexical / (k + lexical rank) +
 * semantic / (k + semantic rank), ranks from 1. Rank-based, so the two
 * scales need no calibration against each other. Then the decision's
 * confidence (docs/knowledge.md, "The decision"): the lexical confidence,
 * plus `decision.agreement` when both rankings put the article first, plus
 * `decision.similarity` · calibrated similarity, × `decision.disagreement`
 * when neither ranking put it first; from the model's `answer` similarity
 * on, at least the similarity itself (an endpoint's model; off for the
 * word vectors).
 */
export function fuseRankings<T extends Judged>(
  scored: T[],
  similarity: Map<string, number> | null,
  c: SimilarityCalibration,
  p: Pick<RetrievalProfile, 'fusion' | 'decision'>,
): Array<T & FusedFacts> {
  const lexical = [...scored].sort((a, b) => b.confidence - a.confidence || b.articleCoverage - a.articleCoverage);
  const simOf = (s: T) => similarity?.get(s.articleId) ?? -1;
  const semantic = similarity ? [...lexical].sort((a, b) => simOf(b) - simOf(a)) : lexical;
  const lexRank = new Map(lexical.map((s, i) => [s.articleId, i + 1]));
  const semRank = new Map(semantic.map((s, i) => [s.articleId, i + 1]));
  const fused = lexical.map((s) => {
    const lexicalRank = lexRank.get(s.articleId)!;
    const semanticRank = semRank.get(s.articleId)!;
    const sim = Math.max(0, simOf(s));
    const score = p.fusion.lexical / (p.fusion.k + lexicalRank) + (similarity ? p.fusion.semantic / (p.fusion.k + semanticRank) : 0);
    if (!similarity) return { s: { ...s, lexicalRank, semanticRank, similarity: 0 }, score };
    const agree = lexicalRank === 1 && semanticRank === 1 ? p.decision.agreement : 0;
    let confidence = (s.confidence + agree + p.decision.similarity * calibrated(sim, c)) * (lexicalRank > 1 && semanticRank > 1 ? p.decision.disagreement : 1);
    if (sim >= c.answer) confidence = Math.max(confidence, sim);
    return { s: { ...s, confidence: round(Math.min(1, Math.max(0, confidence))), lexicalRank, semanticRank, similarity: sim }, score };
  });
  return fused.sort((a, b) => b.score - a.score || b.s.confidence - a.s.confidence).map(({ s }) => s);
}

/**
 * The `n` most similar articles (similarity > 0), most similar first, ties by
 * id: a sort of every entry cut to `n`, without sorting them all.
 */
export function mostSimilar(similarity: Map<string, number>, n: number): string[] {
  if (n <= 0) return [];
  const top: Array<[string, number]> = [];
  const before = (a: [string, number], b: [string, number]) => a[1] > b[1] || (a[1] === b[1] && a[0] < b[0]);
  for (const entry of similarity) {
    if (entry[1] <= 0) continue;
    if (top.length === n) {
      if (!before(entry, top[n - 1])) continue;
      top.pop();
    }
    let i = top.length;
    top.push(entry);
    while (i > 0 && before(entry, top[i - 1])) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = entry;
  }
  return top.map(([id]) => id);
}
