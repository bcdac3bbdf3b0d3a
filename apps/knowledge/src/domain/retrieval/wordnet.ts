import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENGLISH } from '../../lexicon';

/**
 * WordNet 3.1, as the compact map scripts/build-synonyms.js writes at build
 * time (dist/synonyms.json): the everyday English dictionary (words seen in
 * its sense-tagged corpus) and those words' synonyms of their common senses.
 * Loaded once per process, at start-up (QueryExpander).
 */
export interface Wordnet {
  words: ReadonlySet<string>;
  synonyms: ReadonlyMap<string, readonly string[]>;
  /** WordNet's other words (never seen in its tagged corpus), and hyphenated ones written as one ("coworker"). */
  rare?: ReadonlySet<string>;
  /** Derivationally related forms of the same common senses: "pay" → "payment". */
  derived?: ReadonlyMap<string, readonly string[]>;
  /** Everyday words, tagged often in WordNet's corpus ("get", "many", "remember"). */
  common?: ReadonlySet<string>;
}

export const SYNONYMS_FILE = join(__dirname, '..', '..', 'synonyms.json');

let loaded: Wordnet | null = null;

export function wordnet(file = SYNONYMS_FILE): Wordnet {
  if (loaded) return loaded;
  if (!existsSync(file)) {
    loaded = { words: new Set(), synonyms: new Map(), rare: new Set(), derived: new Map(), common: new Set() };
    return loaded;
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { words: string[]; rare?: string[]; common?: string[]; synonyms: Record<string, string[]>; derived?: Record<string, string[]> };
  // The build wrote synonyms in queryWords() form already ("co-worker" → "co worker").
  loaded = { words: new Set(raw.words), synonyms: new Map(Object.entries(raw.synonyms)), rare: new Set(raw.rare ?? []), derived: new Map(Object.entries(raw.derived ?? {})), common: new Set(raw.common ?? []) };
  return loaded;
}

/**
 * WordNet's base forms for an inflected word (a lighter "morphy": its
 * detachment rules without the exception lists): "passwords" → "password",
 * "charged" → "charge", "charg". The word itself comes first.
 */
export function baseForms(word: string): string[] {
  const forms = [word];
  const irregular = IRREGULAR.get(word);
  if (irregular) forms.push(irregular);
  const rules: Array<[string, string]> = [
    ['ies', 'y'],
    ['ses', 's'],
    ['xes', 'x'],
    ['zes', 'z'],
    ['ches', 'ch'],
    ['shes', 'sh'],
    ['men', 'man'],
    ['es', 'e'],
    ['es', ''],
    ['s', ''],
    ['ied', 'y'],
    ['ed', 'e'],
    ['ed', ''],
    ['ing', 'e'],
    ['ing', ''],
    ['er', ''],
    ['est', ''],
  ];
  // A doubled final consonant: "getting" → "get", "stopped" → "stop".
  const doubled = /^(.*([bdgklmnprt]))\2(ing|ed)$/.exec(word);
  if (doubled && doubled[1].length >= 2) forms.push(doubled[1]);
  for (const [suffix, replacement] of rules) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix) && !(suffix === 's' && word.endsWith('ss'))) {
      const form = word.slice(0, word.length - suffix.length) + replacement;
      if (!forms.includes(form)) forms.push(form);
    }
  }
  return forms;
}

/**
 * Common irregular verb forms → base form (WordNet's exception lists are not
 * in the npm package): general English grammar, not a list of question
 * words. "forgot" → "forget", so it is a word, with the synonyms and
 * derivations of "forget", and its other forms ("forgotten").
 */
const IRREGULAR_VERBS = ENGLISH.irregularVerbs; // lexicon/en/irregular-verbs.json
const IRREGULAR_FORMS = new Map(Object.entries(IRREGULAR_VERBS));
const IRREGULAR = new Map(Object.entries(IRREGULAR_VERBS).flatMap(([base, forms]) => forms.map((f) => [f, base] as [string, string])));

/** A word's other inflections: its base form and, for an irregular verb, its other forms ("forgot" → "forget", "forgotten"). */
export function otherForms(word: string): string[] {
  const base = IRREGULAR.get(word) ?? (IRREGULAR_FORMS.has(word) ? word : null);
  if (!base) return [];
  return [base, ...IRREGULAR_FORMS.get(base)!].filter((f) => f !== word);
}

/** Derivationally related words of a word's first base form WordNet has them for ("pay" → "payment"), at most `max`. */
export function derivedOf(w: Wordnet, word: string, max = Infinity): string[] {
  for (const form of baseForms(word)) {
    const found = w.derived?.get(form);
    if (found) return found.filter((s) => s !== word).slice(0, max);
  }
  return [];
}

/** A WordNet word never seen in its tagged corpus ("calender", "tier"): real, but corrected when very close to an article word. */
export function isRareWord(w: Wordnet, word: string): boolean {
  return baseForms(word).some((form) => w.rare?.has(form));
}

/** An everyday English word ("get", "remember"): no article having it says little about the question. */
export function isCommonWord(w: Wordnet, word: string): boolean {
  return baseForms(word).some((form) => w.common?.has(form));
}

/** The synonyms of a word's first base form WordNet knows, at most `max`. */
export function synonymsOf(w: Wordnet, word: string, max = Infinity): string[] {
  for (const form of baseForms(word)) {
    const found = w.synonyms.get(form);
    if (found) return found.filter((s) => s !== word).slice(0, max);
  }
  return [];
}

/** A real English word (or an inflection of one): never taken for a misspelling. */
export function isDictionaryWord(w: Wordnet, word: string): boolean {
  return baseForms(word).some((form) => w.words.has(form));
}
