import { DEFAULT_PROFILE, RetrievalProfile } from '../retrieval/profile';

/**
 * The default answerer's judgement, as pure functions over stemmed terms:
 * which passage of which retrieved article answers the question, and how
 * sure we are. Terms are lexemes from the article's text search
 * configuration, so stemming and stop words match the search index.
 */

export interface PassageInput {
  text: string;
  /** Block (line) of the article it came from: windows never span a heading and an unrelated list. */
  block: number;
  terms: string[];
}

export interface CandidateInput {
  articleId: string;
  title: string;
  titleTerms: string[];
  passages: PassageInput[];
  /** The question's terms under this article's stemming configuration. */
  questionTerms: string[];
  /**
   * The question's concepts (query expansion) under this configuration: a
   * concept counts when any alternative has all its terms, by the heaviest
   * such alternative's weight. Without them, each question term is a concept.
   */
  concepts?: ScoringConcept[];
  /** Published articles in scope with that configuration, and how many contain each question term. */
  corpusSize: number;
  documentFrequency: Record<string, number>;
}

export interface ScoringConcept {
  alternatives: Array<{ terms: string[]; weight: number }>;
  /** An everyday word: when no article has it, it weighs COMMON_ABSENT_FACTOR of its idf, not ABSENT_WORD_FACTOR. */
  common?: boolean;
  /** Another company's product (retrieval/other-products.ts): when no article has it, confidence is scaled by OTHER_PRODUCT_FACTOR. */
  otherProduct?: boolean;
}

export interface ScoredCandidate {
  articleId: string;
  title: string;
  /** IDF-weighted share of the question's terms found anywhere in the article. */
  articleCoverage: number;
  /** Same, for the title only. */
  titleCoverage: number;
  /** Same, for the best window of consecutive sentences, read with the title. */
  passageCoverage: number;
  passage: string;
  confidence: number;
}

/** The profile's scoring numbers (retrieval/profile.ts); the names below are the default's, for specs and docs. */
export type ScoringProfile = RetrievalProfile['scoring'];
const D = DEFAULT_PROFILE.scoring;
export const MAX_WINDOW_SENTENCES = D.maxWindowSentences;
/** A question word no article has weighs this share of its idf (visitors use words no help center does). */
export const ABSENT_WORD_FACTOR = D.absentWord;
/** An everyday word no article has ("get", "many", "remember") says even less about the topic. */
export const COMMON_ABSENT_FACTOR = D.commonAbsent;
/** An everyday word some articles have ("make", "new", "add"): a light verb can be rare, but it is not the topic. */
export const COMMON_WORD_FACTOR = D.commonWord;
/** One shared word of several ("next" of "when is the next bus") is weak evidence, whatever its idf. */
export const LONE_WORD_FACTOR = D.loneWord;
/** The question names another company's product that no article names ("how do I reset my gmail password"). */
export const OTHER_PRODUCT_FACTOR = D.otherProduct;
export const MAX_ANSWER_CHARS = D.maxAnswerChars;

/** BM25's idf: always positive, large for a term few articles (or none) contain. */
export function idf(corpusSize: number, df: number): number {
  return Math.log(1 + (corpusSize - df + 0.5) / (df + 0.5));
}

interface WeightedConcept {
  idf: number;
  alternatives: Array<{ terms: string[]; weight: number }>;
  /** No article has it nor any of its alternatives. */
  absent: boolean;
  common: boolean;
  otherProduct: boolean;
}

/**
 * Each concept weighs its idf: the exact word's when articles have it, else
 * that of its heaviest alternative they have (a misspelt word weighs what
 * its correction does), else that of a word no article has (large: a
 * question about something the corpus lacks is not covered).
 */
function weightConcepts(c: CandidateInput, p: ScoringProfile): WeightedConcept[] {
  const concepts: ScoringConcept[] = c.concepts ?? [...new Set(c.questionTerms)].map((t) => ({ alternatives: [{ terms: [t], weight: 1 }] }));
  const df = (terms: string[]) => Math.min(...terms.map((t) => c.documentFrequency[t] ?? 0));
  return concepts
    .map((k) => ({ common: k.common, otherProduct: k.otherProduct, alternatives: k.alternatives.filter((a) => a.terms.length > 0) }))
    .filter((k) => k.alternatives.length > 0)
    .map((k) => {
      const known = k.alternatives.filter((a) => df(a.terms) > 0).sort((a, b) => b.weight - a.weight);
      const basis = k.alternatives[0].weight === 1 && df(k.alternatives[0].terms) > 0 ? k.alternatives[0] : (known[0] ?? k.alternatives[0]);
      const n = df(basis.terms);
      const factor = n > 0 ? (k.common ? p.commonWord : 1) : k.common ? p.commonAbsent : p.absentWord;
      return { idf: idf(c.corpusSize, n) * factor, alternatives: k.alternatives, absent: n === 0, common: k.common === true, otherProduct: k.otherProduct === true };
    });
}

function matchedConcepts(terms: Set<string>, concepts: WeightedConcept[]): number {
  return concepts.filter((k) => k.alternatives.some((a) => a.terms.every((t) => terms.has(t)))).length;
}

/** From this weight an alternative is a sure one (a derived word, a curated or operator equivalent, a close correction). */
export const SURE_ALTERNATIVE = D.sureAlternative;

/**
 * How much a match on an alternative of that weight counts in coverage. The
 * weights rank alternatives (the word itself, then its forms, an operator's
 * synonym, a correction, ...); as evidence that the article is about the
 * question, a sure alternative is nearly the word itself: its weight's square
 * root (a curated equivalent's 0.8 counts 0.89). A WordNet synonym (0.5) or a
 * distant correction counts its weight: "nearest" → "close" must not make
 * "Close your account" a suggestion for the nearest bakery. Chosen on the
 * tuned evaluation sets over the weight alone (docs/knowledge.md).
 */
export function matchEvidence(weight: number, sure = SURE_ALTERNATIVE): number {
  return weight >= sure ? Math.sqrt(weight) : weight;
}

function coverage(terms: Set<string>, concepts: WeightedConcept[], total: number, sure: number): number {
  if (total === 0) return 0;
  let sum = 0;
  for (const k of concepts) {
    let best = 0;
    for (const a of k.alternatives) if (a.weight > best && a.terms.every((t) => terms.has(t))) best = a.weight;
    sum += matchEvidence(best, sure) * k.idf;
  }
  return sum / total;
}

/**
 * Confidence in [0, 1]. The window must carry the answer (its coverage weighs
 * most), the article as a whole must be about the question, and a title match
 * is strong evidence in a help center. Questions whose distinctive words appear
 * nowhere in the corpus get low coverage everywhere, hence a decline.
 */
export function confidenceOf(passageCoverage: number, articleCoverage: number, titleCoverage: number, scale = 1, p: ScoringProfile = D): number {
  const raw = (p.passageWeight * passageCoverage + p.articleWeight * articleCoverage + p.titleWeight * titleCoverage) * scale;
  return Math.round(Math.min(1, Math.max(0, raw)) * 1000) / 1000;
}

export function scoreCandidate(c: CandidateInput, p: ScoringProfile = D): ScoredCandidate {
  const weights = weightConcepts(c, p);
  const total = weights.reduce((a, k) => a + k.idf, 0);

  const titleSet = new Set(c.titleTerms);
  const articleSet = new Set(c.titleTerms);
  for (const p of c.passages) for (const t of p.terms) articleSet.add(t);
  const articleCoverage = coverage(articleSet, weights, total, p.sureAlternative);
  const titleCoverage = coverage(titleSet, weights, total, p.sureAlternative);

  let best = { coverage: -1, score: -Infinity, start: 0, end: 0 };
  for (let start = 0; start < c.passages.length; start++) {
    // A passage is read under its article's title: "Invite teammates to a workspace" tells what its sentences are about.
    const terms = new Set<string>(titleSet);
    let chars = 0;
    for (let end = start; end < Math.min(c.passages.length, start + p.maxWindowSentences); end++) {
      if (end > start && c.passages[end].block !== c.passages[end - 1].block && !isHeadingLike(c.passages[end - 1].text)) break;
      chars += c.passages[end].text.length;
      if (end > start && chars > p.maxAnswerChars) break;
      for (const t of c.passages[end].terms) terms.add(t);
      const cov = coverage(terms, weights, total, p.sureAlternative);
      // Each extra sentence must earn its place: ties go to the shorter window.
      const score = cov - p.extraSentence * (end - start);
      if (score > best.score) best = { coverage: cov, score, start, end };
    }
  }
  const window = c.passages.slice(best.start, best.end + 1);
  // A heading alone answers nothing: follow it with the text under it.
  if (window.length === 1 && isHeadingLike(window[0].text) && c.passages[best.start + 1]) window.push(c.passages[best.start + 1]);
  const passageCoverage = Math.max(0, best.coverage);

  return {
    articleId: c.articleId,
    title: c.title,
    articleCoverage,
    titleCoverage,
    passageCoverage,
    passage: composePassage(window.map((w) => w.text), p.maxAnswerChars),
    confidence: confidenceOf(
      passageCoverage,
      articleCoverage,
      titleCoverage,
      (lone(weights, articleSet) ? p.loneWord : 1) * (weights.some((k) => k.otherProduct && k.absent) ? p.otherProduct : 1),
      p,
    ),
  };
}

/**
 * A question of several words of which the article has only one, while
 * another names something no article has ("next" of "when is the next bus"):
 * one shared word is weak evidence. When the other words are in other
 * articles ("langauge setting"), the idf weighting already says enough.
 */
function lone(concepts: WeightedConcept[], articleTerms: Set<string>): boolean {
  if (concepts.length < 2 || matchedConcepts(articleTerms, concepts) >= 2) return false;
  return concepts.some((k) => k.absent && !k.common);
}

function isHeadingLike(text: string): boolean {
  return text.length <= 80 && !/[.!?…]$/.test(text);
}

/** The answer text: the window's sentences, a heading set off by a colon, cut at a word near the limit. */
export function composePassage(sentences: string[], maxChars = MAX_ANSWER_CHARS): string {
  const parts = sentences.map((s, i) => (i < sentences.length - 1 && isHeadingLike(s) && !s.endsWith(':') ? `${s}:` : s));
  const text = parts.join(' ');
  if (text.length <= maxChars) return text;
  const cut = text.slice(0, maxChars);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), maxChars - 40)).trimEnd()}…`;
}

/** Best first: confidence, then the article's coverage. */
export function rankCandidates(candidates: CandidateInput[], p: ScoringProfile = D): ScoredCandidate[] {
  return candidates
    .map((c) => scoreCandidate(c, p))
    .sort((a, b) => b.confidence - a.confidence || b.articleCoverage - a.articleCoverage);
}

/**
 * The share of the question's weight (idf, with the profile's factors) that
 * no article has, nor any alternative of it: how much of the question the
 * help center does not cover at all. A feature of the decision's fit
 * (eval/fit-decision.js); 0 for a question with no concepts.
 */
export function uncoveredShare(c: CandidateInput, p: ScoringProfile = DEFAULT_PROFILE.scoring): number {
  const weights = weightConcepts(c, p);
  const total = weights.reduce((s, k) => s + k.idf, 0);
  return total === 0 ? 0 : weights.filter((k) => k.absent).reduce((s, k) => s + k.idf, 0) / total;
}
