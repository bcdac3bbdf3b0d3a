import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * WordNet 3.1, as the compact map scripts/build-synonyms.js writes at build
 * time (dist/synonyms.json): the everyday English dictionary (words seen in
 * its sense-tagged corpus) and those words' synonyms of their common senses.
 * Loaded once per process, at start-up (QueryExpander).
 */
export interface Wordnet {
  words: ReadonlySet<string>;
  synonyms: ReadonlyMap<string, readonly string[]>;
}

export const SYNONYMS_FILE = join(__dirname, '..', '..', 'synonyms.json');

let loaded: Wordnet | null = null;

export function wordnet(file = SYNONYMS_FILE): Wordnet {
  if (loaded) return loaded;
  if (!existsSync(file)) {
    loaded = { words: new Set(), synonyms: new Map() };
    return loaded;
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { words: string[]; synonyms: Record<string, string[]> };
  // The build wrote synonyms in queryWords() form already ("co-worker" → "co worker").
  loaded = { words: new Set(raw.words), synonyms: new Map(Object.entries(raw.synonyms)) };
  return loaded;
}

/**
 * WordNet's base forms for an inflected word (a lighter "morphy": its
 * detachment rules without the exception lists): "passwords" → "password",
 * "charged" → "charge", "charg". The word itself comes first.
 */
export function baseForms(word: string): string[] {
  const forms = [word];
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
  for (const [suffix, replacement] of rules) {
    if (word.length > suffix.length + 2 && word.endsWith(suffix) && !(suffix === 's' && word.endsWith('ss'))) {
      const form = word.slice(0, word.length - suffix.length) + replacement;
      if (!forms.includes(form)) forms.push(form);
    }
  }
  return forms;
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
