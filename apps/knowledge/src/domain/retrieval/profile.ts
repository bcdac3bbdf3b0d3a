/**
 * Every tuning number of retrieval, scoring, fusion and the answer decision
 * in one typed profile (docs/knowledge.md, "Retrieval profile"). The default
 * is what ships; `RETRIEVAL_PROFILE` (JSON, any subset of the keys) overrides
 * it, for the evaluation's `--profile` and `--sweep` (eval/run-eval.js). A
 * change to a number here comes with its figures on every evaluation set.
 */
export interface RetrievalProfile {
  scoring: {
    /** A question word no article has weighs this share of its idf. */
    absentWord: number;
    /** An everyday word no article has. */
    commonAbsent: number;
    /** An everyday word some articles have. */
    commonWord: number;
    /** Confidence × this when the article shares one of several words and another is a word no article has. */
    loneWord: number;
    /** Confidence × this when the question names another company's product no article names. */
    otherProduct: number;
    /** From this alternative weight on, a match counts its weight's square root. */
    sureAlternative: number;
    /** confidence = passage · window + article · whole article + title · title coverage. */
    passageWeight: number;
    articleWeight: number;
    titleWeight: number;
    /** Each extra sentence of a window costs this much coverage. */
    extraSentence: number;
    maxWindowSentences: number;
    maxAnswerChars: number;
  };
  answer: {
    /** Lexical candidates retrieved per question. */
    retrieveArticles: number;
    /** The most similar articles added to them when the lexical retrieval lacks them (each costs scoring time). */
    semanticArticles: number;
    /** An article is suggested from this article coverage on … */
    suggestionMinCoverage: number;
    /** … or from this calibrated similarity on (semantic rank 1 or 2 only). */
    semanticSuggestionMin: number;
    maxSuggestions: number;
    /** Passages given to a chat-completions provider. */
    providerPassages: number;
  };
  fusion: {
    /** Reciprocal-rank fusion: score = lexical / (k + lexical rank) + semantic / (k + semantic rank). */
    k: number;
    lexical: number;
    semantic: number;
  };
  decision: {
    /** The decision's score = lexical confidence of the fused best + agreement · [lexical and semantic best agree] + similarity · calibrated similarity, compared with the widget's minConfidence. */
    agreement: number;
    similarity: number;
    /** Score × this when the fused best is neither the lexical best nor the semantic best. */
    disagreement: number;
  };
  /** The local word-vector model's cosine scale (EMBEDDINGS_SIMILARITY_* replace it for an endpoint's model). */
  wordVectors: { floor: number; ceil: number };
}

export const DEFAULT_PROFILE: RetrievalProfile = {
  scoring: {
    absentWord: 0.5,
    commonAbsent: 0.25,
    commonWord: 0.75,
    loneWord: 0.6,
    otherProduct: 0.4,
    sureAlternative: 0.7,
    passageWeight: 0.45,
    articleWeight: 0.4,
    titleWeight: 0.15,
    extraSentence: 0.04,
    maxWindowSentences: 3,
    maxAnswerChars: 480,
  },
  answer: {
    retrieveArticles: 8,
    semanticArticles: 3,
    suggestionMinCoverage: 0.3,
    semanticSuggestionMin: 0.5,
    maxSuggestions: 3,
    providerPassages: 3,
  },
  fusion: { k: 2, lexical: 1, semantic: 0.3 },
  decision: { agreement: 0, similarity: 0, disagreement: 1 },
  wordVectors: { floor: 0.5, ceil: 0.9 },
};

/** The default with `overrides` (a JSON object of any subset of its keys) applied; an unknown key or a non-number is an error. */
export function retrievalProfile(overrides?: string | null): RetrievalProfile {
  if (!overrides) return DEFAULT_PROFILE;
  const given = JSON.parse(overrides) as Record<string, Record<string, unknown>>;
  const out = JSON.parse(JSON.stringify(DEFAULT_PROFILE)) as Record<string, Record<string, number>>;
  for (const [section, values] of Object.entries(given)) {
    if (!out[section] || typeof values !== 'object' || values === null) throw new Error(`RETRIEVAL_PROFILE: unknown section ${section}`);
    for (const [key, value] of Object.entries(values)) {
      if (!(key in out[section])) throw new Error(`RETRIEVAL_PROFILE: unknown key ${section}.${key}`);
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`RETRIEVAL_PROFILE: ${section}.${key} is not a number`);
      out[section][key] = value;
    }
  }
  return out as unknown as RetrievalProfile;
}
