import type { VocabularyFacts } from '../../persistence/vocabulary.repository';
import { ENGLISH } from '../../lexicon';
import { DEFAULT_PROFILE, RetrievalProfile } from './profile';
import { OTHER_PRODUCTS } from './other-products';
import { queryWords } from '../search-terms';
import { baseForms, derivedOf, isCommonWord, isDictionaryWord, isRareWord, otherForms, synonymsOf, Wordnet } from './wordnet';

/**
 * Query expansion: each word of a query becomes a concept, matched by any of
 * its alternatives: the word itself, spelling corrections from the
 * workspace's vocabulary, the operator's synonyms, WordNet's synonyms. An
 * alternative's weight says how much a match on it counts against a match on
 * the word itself (docs/knowledge.md, "Retrieval").
 */
export interface Alternative {
  /** Words in queryWords() form, space-separated: a phrase when more than one. */
  text: string;
  weight: number;
  kind: 'exact' | 'form' | 'typo' | 'operator' | 'support' | 'wordnet' | 'derived';
}

export interface Concept {
  /** What the visitor typed (a word, or an operator's phrase). */
  text: string;
  /** The exact alternative first. */
  alternatives: Alternative[];
  /** The unfinished last word of a search: its exact alternative matches as a prefix. */
  prefix: boolean;
  /** An everyday English word (WordNet): its absence from every article counts less (answer scoring). */
  common?: boolean;
  /** Another company's product no article names ("gmail"): the question is likely about that one (answer scoring). */
  otherProduct?: boolean;
}

/** The profile's expansion numbers (profile.ts); the names below are the default's, for specs and docs. */
export type ExpansionProfile = RetrievalProfile['expansion'];
const D = DEFAULT_PROFILE.expansion;
/** An operator's synonym is a declared equivalence: nearly a match on the word. */
export const OPERATOR_WEIGHT = D.operator;
/** Another form of an irregular verb ("forgot" → "forgotten"): the same word. */
export const FORM_WEIGHT = D.form;
/** A curated support-domain equivalence (lexicon support terms): generic, so below an operator's. */
export const SUPPORT_WEIGHT = D.support;
/** A derivationally related word ("pay" → "payment"): same meaning, other part of speech. */
export const DERIVED_WEIGHT = D.derived;
/** A WordNet synonym shares one sense of the word, maybe not the visitor's. */
export const WORDNET_WEIGHT = D.wordnet;
/** A correction to a group member: one or two edits away, as sure as a close trigram correction. */
export const MEMBER_TYPO_WEIGHT = D.memberTypo;

export interface ExpansionOptions {
  /** The last word is unfinished (search box). */
  prefixLast: boolean;
  /** Apply WordNet (English): synonyms, derived words, and no correction of dictionary words. null: no WordNet. */
  wordnet: Wordnet | null;
  /** Curated equivalences (support-terms.ts), English; none when absent. */
  supportTerms?: readonly (readonly string[])[];
  /** Weights and limits; the default profile's when absent. */
  profile?: ExpansionProfile;
}

/**
 * Words the vocabulary must be asked about for WordNet: the words of the
 * synonyms, derived words and other forms, each with its regular
 * inflections (the vocabulary has "notifications", WordNet "notification").
 */
export function wordnetCandidates(words: string[], wordnet: Wordnet | null): string[] {
  if (!wordnet) return [];
  const out = new Set<string>();
  for (const w of words) {
    for (const s of [...synonymsOf(wordnet, w), ...derivedOf(wordnet, w), ...otherForms(w)]) {
      for (const part of s.split(' ')) for (const form of inflections(part)) out.add(form);
    }
  }
  return [...out];
}

/**
 * Words the vocabulary must be asked about whatever the language: two
 * adjacent query words written as one ("work space" → "workspace"), and
 * (English) British / American spellings ("cancelled" → "canceled").
 */
export function spellingCandidates(words: string[], english: boolean): string[] {
  const out = new Set<string>();
  for (let i = 0; i + 1 < words.length; i++) out.add(words[i] + words[i + 1]);
  if (english) for (const w of words) for (const v of spellingVariants(w)) out.add(v);
  return [...out];
}

/**
 * British ↔ American spellings of a word, by the regular patterns: -ise/-ize
 * (-isation), -our/-or, -tre/-ter, -lled/-led (-lling). Only those the
 * vocabulary has are used, so a pattern that makes no word costs nothing.
 */
export function spellingVariants(word: string): string[] {
  if (word.length < 5) return [];
  const rules: Array<[RegExp, string]> = [
    [/is(e|ed|es|ing|ation|ations)$/, 'iz$1'],
    [/iz(e|ed|es|ing|ation|ations)$/, 'is$1'],
    [/([a-z]{2})our(s|ed|ing|ite|ites|able)?$/, '$1or$2'],
    [/([a-z]{2})or(s|ed|ing|ite|ites|able)?$/, '$1our$2'],
    [/([a-z]{2})tre(s)?$/, '$1ter$2'],
    [/([a-z]{2})ter(s)?$/, '$1tre$2'],
    [/([aeiou])ll(ed|ing)$/, '$1l$2'],
    [/([aeiou])l(ed|ing)$/, '$1ll$2'],
  ];
  const out: string[] = [];
  for (const [pattern, replacement] of rules) {
    const v = word.replace(pattern, replacement);
    if (v !== word && !out.includes(v)) out.push(v);
  }
  return out;
}

/** A word and its regular inflections: plural / 3rd person, past, gerund. */
export function inflections(word: string): string[] {
  const out = [word, `${word}s`, `${word}es`, `${word}ed`, `${word}d`, `${word}ing`];
  if (word.endsWith('y') && word.length > 2) out.push(`${word.slice(0, -1)}ies`, `${word.slice(0, -1)}ied`);
  if (word.endsWith('e') && word.length > 2) out.push(`${word.slice(0, -1)}ing`);
  return out;
}

/** The vocabulary has the word in some regular inflection. */
function inVocabulary(present: Set<string>, word: string): boolean {
  return inflections(word).some((f) => present.has(f));
}

export interface WeightedGroups {
  groups: string[][][];
  weight: number;
  kind: 'operator' | 'support';
}

/** The curated groups in queryWords() form, split once per list (not on every query). */
const splitCache = new WeakMap<readonly (readonly string[])[], string[][][]>();
function splitGroups(groups: readonly (readonly string[])[]): string[][][] {
  let split = splitCache.get(groups);
  if (!split) splitCache.set(groups, (split = groups.map((g) => g.map((member) => queryWords(member)))));
  return split;
}

export function typoWeight(similarity: number, max = D.typoMax): number {
  return Math.min(max, 0.5 + similarity / 2);
}

/** What a rule sees: the query, the vocabulary's facts, the options and the weighted groups (operator, support). */
export interface ExpansionContext {
  words: string[];
  facts: VocabularyFacts;
  options: ExpansionOptions;
  sets: WeightedGroups[];
  p: ExpansionProfile;
  /** The alternatives a text's groups give, at weight × scale. */
  groupsOf(text: string, scale: number): Alternative[];
}

/** A word being expanded: where it is, whether it is unfinished or a stop word. */
export interface WordAt {
  word: string;
  prefix: boolean;
  stop: boolean;
}

/** A rule that takes one or more query words as a concept of its own, or passes. */
export interface SpanRule {
  name: string;
  /** What it does, and why (docs/knowledge.md, "Retrieval"). */
  spec: string;
  match(ctx: ExpansionContext, at: number): { concept: Concept; length: number } | null;
}

/** A rule adding alternatives to a single word's concept. */
export interface WordRule {
  name: string;
  spec: string;
  alternatives(ctx: ExpansionContext, w: WordAt): Alternative[];
}

/** Tried in order at each position; the first that matches takes the words. Otherwise the word is a concept of its own (WORD_RULES). */
export const SPAN_RULES: readonly SpanRule[] = [
  {
    name: 'group-phrase',
    spec: 'A multi-word member of an operator or support group typed in the query ("help desk", "turn them off") is one concept, with its group.',
    match(ctx, at) {
      const phrase = longestMemberAt(ctx.words, at, ctx.sets.flatMap((set) => set.groups));
      if (!phrase || phrase.member.length < 2) return null;
      const text = phrase.member.join(' ');
      return { concept: { text, prefix: false, alternatives: dedupe([{ text, weight: 1, kind: 'exact' }, ...ctx.groupsOf(text, 1)]) }, length: phrase.length };
    },
  },
  {
    name: 'joined-pair',
    spec: 'Two words the articles write as one ("work space" is "workspace"), neither a stop word nor the unfinished last one: the joined word at FORM_WEIGHT.',
    match({ words, facts, options, groupsOf, p }, at) {
      const next = words[at + 1];
      const joined = next !== undefined ? words[at] + next : null;
      if (!joined || facts.stop.has(words[at]) || facts.stop.has(next) || (options.prefixLast && at + 1 === words.length - 1) || !facts.present.has(joined)) return null;
      const text = `${words[at]} ${next}`;
      return { concept: { text, prefix: false, alternatives: dedupe([{ text, weight: 1, kind: 'exact' }, { text: joined, weight: p.form, kind: 'form' }, ...groupsOf(joined, p.form)]) }, length: 2 };
    },
  },
  {
    name: 'other-product',
    spec: "A name of another company's product (lexicon other-products) that no article has: only itself, flagged for scoring; never corrected nor expanded.",
    match({ words, facts, options }, at) {
      const word = words[at];
      const prefix = options.prefixLast && at === words.length - 1;
      if (prefix || facts.known.has(word) || !OTHER_PRODUCTS.has(word)) return null;
      return { concept: { text: word, prefix, alternatives: [{ text: word, weight: 1, kind: 'exact' }], otherProduct: true }, length: 1 };
    },
  },
];

/** Applied in order to a word's concept, after the word itself; one alternative per text is kept, the heaviest. */
export const WORD_RULES: readonly WordRule[] = [
  {
    name: 'group-members',
    spec: 'The other members of its operator (OPERATOR_WEIGHT) and support (SUPPORT_WEIGHT) groups, the word matched in any inflection ("colleagues" is "colleague").',
    alternatives: ({ groupsOf }, { word, stop }) => (stop ? [word] : baseForms(word)).flatMap((form) => groupsOf(form, 1)),
  },
  {
    name: 'spelling-variants',
    spec: 'British/American spellings the vocabulary has ("cancelled" → "canceled"), at FORM_WEIGHT; English only.',
    alternatives: ({ facts, options, p }, { word, stop }) =>
      stop || !options.wordnet ? [] : spellingVariants(word).filter((v) => facts.present.has(v)).map((v) => ({ text: v, weight: p.form, kind: 'form' as const })),
  },
  {
    name: 'typo-corrections',
    spec: 'A word neither the articles nor the dictionary have: its expansion.typosPerWord closest vocabulary words (trigram similarity ≥ expansion.typoMinSimilarity or one edit, two from 8 letters; a rare WordNet word only at ≥ expansion.rareTypoMinSimilarity and one edit), at typoWeight, with their groups.',
    alternatives({ facts, options, groupsOf, p }, { word, stop }) {
      const wn = options.wordnet;
      if (!misspelt(facts, wn, word, stop)) return [];
      const rare = wn !== null && isRareWord(wn, word);
      const accepted = (facts.similar.get(word) ?? []).filter((s) =>
        rare
          ? s.similarity >= p.rareTypoMinSimilarity && damerauWithin(word, s.word, 1)
          : s.similarity >= p.typoMinSimilarity || damerauWithin(word, s.word, word.length >= 8 ? 2 : 1),
      );
      return accepted.slice(0, p.typosPerWord).flatMap((s) => {
        const weight = typoWeight(s.similarity, p.typoMax);
        return [{ text: s.word, weight, kind: 'typo' as const }, ...groupsOf(s.word, weight)];
      });
    },
  },
  {
    name: 'member-typos',
    spec: 'A misspelt word of expansion.memberTypoMinLength letters or more one edit (two from 8) from a one-word group member ("colleage"): that member at expansion.memberTypo, with its group; not an unfinished word to a member it begins.',
    alternatives({ facts, options, sets, groupsOf, p }, { word, stop, prefix }) {
      if (!misspelt(facts, options.wordnet, word, stop) || word.length < p.memberTypoMinLength) return [];
      return misspeltMembers(word, sets, prefix, p).flatMap((member) => [{ text: member, weight: p.memberTypo, kind: 'typo' as const }, ...groupsOf(member, p.memberTypo)]);
    },
  },
  {
    name: 'other-forms',
    spec: "An irregular verb's other forms and the base form the vocabulary has in some inflection (\"forgot\" → \"forgotten\"), at FORM_WEIGHT; English only.",
    alternatives: ({ facts, options, p }, { word, stop }) =>
      stop || !options.wordnet ? [] : otherForms(word).filter((f) => inVocabulary(facts.present, f)).map((f) => ({ text: f, weight: p.form, kind: 'form' as const })),
  },
  {
    name: 'derived-words',
    spec: 'WordNet\'s derivationally related words of its common senses the vocabulary has ("pay" → "payment"), at most expansion.derivedPerWord, at expansion.derived; English only.',
    alternatives: ({ facts, options, p }, { word, stop }) =>
      stop || !options.wordnet
        ? []
        : derivedOf(options.wordnet, word)
            .filter((d) => inVocabulary(facts.present, d))
            .slice(0, p.derivedPerWord)
            .map((d) => ({ text: d, weight: p.derived, kind: 'derived' as const })),
  },
  {
    name: 'wordnet-synonyms',
    spec: 'WordNet synonyms of its common senses whose every word the vocabulary has, at most expansion.wordnetPerWord, at expansion.wordnet; English only.',
    alternatives: ({ facts, options, p }, { word, stop }) =>
      stop || !options.wordnet
        ? []
        : synonymsOf(options.wordnet, word)
            .filter((s) => s.split(' ').every((part) => inVocabulary(facts.present, part)))
            .slice(0, p.wordnetPerWord)
            .map((s) => ({ text: s, weight: p.wordnet, kind: 'wordnet' as const })),
  },
];

/** A misspelling is a word neither the articles nor the dictionary have: "pasword", not "remember" (→ "member"). */
function misspelt(facts: VocabularyFacts, wn: Wordnet | null, word: string, stop: boolean): boolean {
  return !stop && !facts.known.has(word) && !(wn && isDictionaryWord(wn, word));
}

/** The query's concepts: at each position the first SPAN_RULES match, else the word with WORD_RULES' alternatives. */
export function expandQuery(words: string[], facts: VocabularyFacts, options: ExpansionOptions): Concept[] {
  const p = options.profile ?? D;
  const sets: WeightedGroups[] = [
    { groups: facts.groups.map((g) => g.map((member) => queryWords(member))).filter((g) => g.length > 1), weight: p.operator, kind: 'operator' },
    { groups: splitGroups(options.supportTerms ?? []), weight: p.support, kind: 'support' },
  ];
  const ctx: ExpansionContext = { words, facts, options, sets, p, groupsOf: (text, scale) => sets.flatMap((set) => groupAlternatives(set, text, scale)) };
  const concepts: Concept[] = [];
  for (let i = 0; i < words.length; ) {
    const span = SPAN_RULES.reduce<ReturnType<SpanRule['match']>>((found, rule) => found ?? rule.match(ctx, i), null);
    if (span) {
      concepts.push(span.concept);
      i += span.length;
      continue;
    }
    const w: WordAt = { word: words[i], prefix: options.prefixLast && i === words.length - 1, stop: facts.stop.has(words[i]) };
    const alternatives: Alternative[] = [{ text: w.word, weight: 1, kind: 'exact' }, ...WORD_RULES.flatMap((rule) => rule.alternatives(ctx, w))];
    const wn = options.wordnet;
    concepts.push({ text: w.word, prefix: w.prefix, alternatives: dedupe(alternatives), ...(wn && isCommonWord(wn, w.word) ? { common: true } : {}) });
    i++;
  }
  return concepts;
}

/**
 * One-word group members one edit from `word` (two from 8 letters), at most
 * `typosPerWord`. An unfinished word is not corrected to a member it begins
 * ("invit" is on its way to "invite"), as with the vocabulary's corrections.
 */
function misspeltMembers(word: string, sets: WeightedGroups[], unfinished: boolean, p: ExpansionProfile): string[] {
  const out: string[] = [];
  for (const set of sets) {
    for (const g of set.groups) {
      for (const m of g) {
        if (m.length !== 1 || m[0] === word || out.includes(m[0]) || m[0].length < p.memberTypoMinLength) continue;
        if (unfinished && m[0].startsWith(word)) continue;
        if (damerauWithin(word, m[0], word.length >= 8 ? 2 : 1)) out.push(m[0]);
        if (out.length >= p.typosPerWord) return out;
      }
    }
  }
  return out;
}

/** Object pronouns that may split a two-word phrasal verb: "turn them off" is "turn off". */
const PHRASAL_OBJECTS = ENGLISH.phrasalObjects; // lexicon/en/phrasal-objects.json

/** The longest group member at `at`: its words in a row, or a two-word one split by an object pronoun. `length`: the query words it takes. */
export function longestMemberAt(words: string[], at: number, groups: string[][][]): { member: string[]; length: number } | null {
  let best: { member: string[]; length: number } | null = null;
  for (const g of groups) {
    for (const member of g) {
      if (member.length === 0) continue;
      let length = 0;
      if (at + member.length <= words.length && member.every((w, j) => words[at + j] === w)) length = member.length;
      else if (member.length === 2 && at + 2 < words.length && words[at] === member[0] && PHRASAL_OBJECTS.has(words[at + 1]) && words[at + 2] === member[1]) length = 3;
      if (length && (!best || member.length > best.member.length)) best = { member, length };
    }
  }
  return best;
}

function groupAlternatives(set: WeightedGroups, text: string, scale: number): Alternative[] {
  const out: Alternative[] = [];
  for (const g of set.groups) {
    if (!g.some((m) => m.join(' ') === text)) continue;
    for (const m of g) if (m.join(' ') !== text && m.length) out.push({ text: m.join(' '), weight: set.weight * scale, kind: set.kind });
  }
  return out;
}

/** One alternative per text, the heaviest. */
function dedupe(alternatives: Alternative[]): Alternative[] {
  const byText = new Map<string, Alternative>();
  for (const a of alternatives) {
    const seen = byText.get(a.text);
    if (!seen || seen.weight < a.weight) byText.set(a.text, a);
  }
  return [...byText.values()];
}

/** Optimal string alignment distance ≤ max (insertions, deletions, substitutions, adjacent transpositions). */
export function damerauWithin(a: string, b: string, max: number): boolean {
  if (Math.abs(a.length - b.length) > max) return false;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length] <= max;
}

export { allConceptsQuery, anyConceptQuery, conceptQuery } from './concept-query';
