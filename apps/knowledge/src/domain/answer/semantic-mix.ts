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

/** The share of the ranking that similarity decides. */
export const SEMANTIC_WEIGHT = 0.5;

export interface Judged {
  articleId: string;
  confidence: number;
  articleCoverage: number;
}

export function calibrated(similarity: number, c: SimilarityCalibration): number {
  return Math.min(1, Math.max(0, (similarity - c.floor) / (c.ceil - c.floor)));
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** Ranked by (1 − w) · lexical confidence + w · calibrated similarity; confidence lexical, or the similarity from `answer` on. */
export function mixSimilarity<T extends Judged>(scored: T[], similarity: Map<string, number> | null, c: SimilarityCalibration): T[] {
  if (!similarity) return scored;
  return scored
    .map((s) => {
      const sim = similarity.get(s.articleId) ?? 0;
      const rank = (1 - SEMANTIC_WEIGHT) * s.confidence + SEMANTIC_WEIGHT * calibrated(sim, c);
      return { s: { ...s, confidence: sim >= c.answer ? Math.max(s.confidence, round(Math.min(1, sim))) : s.confidence }, rank };
    })
    .sort((a, b) => b.rank - a.rank || b.s.articleCoverage - a.s.articleCoverage)
    .map(({ s }) => s);
}
