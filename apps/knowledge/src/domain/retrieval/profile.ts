/**
 * Every tuning number of retrieval, scoring, fusion and the answer decision
 * in one typed profile (docs/knowledge.md, "Retrieval profile"). The default
 * is what ships; `RETRIEVAL_PROFILE` (JSON, any subset of the keys) overrides
 * it, for the evaluation's `--profile` and `--sweep` (eval/run-eval.js). A
 * change to a number here comes with its figures on every evaluation set.
 */
export interface RetrievalProfile {
  /** Query expansion's weights and limits (expansion.ts, docs/knowledge.md "Retrieval"). */
  expansion: {
    /** An operator's synonym. */
    operator: number;
    /** Another form of the same word (irregular verb, spelling variant, joined pair). */
    form: number;
    /** A curated support-domain equivalence. */
    support: number;
    /** A derivationally related word. */
    derived: number;
    /** A WordNet synonym. */
    wordnet: number;
    derivedPerWord: number;
    wordnetPerWord: number;
    typosPerWord: number;
    /** A correction is accepted from this trigram similarity (or one edit, two from 8 letters). */
    typoMinSimilarity: number;
    /** A rare WordNet word is corrected only from this similarity and one edit. */
    rareTypoMinSimilarity: number;
    /** A correction weighs 0.5 + similarity / 2, at most this. */
    typoMax: number;
    /** A misspelt word this long or longer may be read as a group member … */
    memberTypoMinLength: number;
    /** … at this weight. */
    memberTypo: number;
  };
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
  wordVectors: {
    floor: number;
    ceil: number;
    /** A question's sure alternatives (forms, groups, derived words) join its vector at this share of their weight; 0: the typed words (or corrections) only. */
    alternatives: number;
  };
}

export const DEFAULT_PROFILE: RetrievalProfile = {
  expansion: {
    operator: 0.9,
    form: 0.95,
    support: 0.8,
    derived: 0.7,
    wordnet: 0.5,
    derivedPerWord: 3,
    wordnetPerWord: 3,
    typosPerWord: 2,
    typoMinSimilarity: 0.45,
    rareTypoMinSimilarity: 0.5,
    typoMax: 0.9,
    memberTypoMinLength: 5,
    memberTypo: 0.75,
  },
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
  wordVectors: { floor: 0.5, ceil: 0.9, alternatives: 0 },
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
