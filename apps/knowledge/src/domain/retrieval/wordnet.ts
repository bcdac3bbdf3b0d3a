import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { queryWords } from '../search-terms';

/**
 * WordNet 3.1 synonyms, as the compact map scripts/build-synonyms.js writes at
 * build time (dist/synonyms.json: everyday words, their first senses, no
 * structure beyond synonymy). Loaded once per process, on first use.
 */
export type SynonymMap = ReadonlyMap<string, readonly string[]>;

export const SYNONYMS_FILE = join(__dirname, '..', '..', 'synonyms.json');

let loaded: SynonymMap | null = null;

export function wordnetSynonyms(file = SYNONYMS_FILE): SynonymMap {
  if (loaded) return loaded;
  if (!existsSync(file)) {
    loaded = new Map();
    return loaded;
  }
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string[]>;
  // Synonyms in query-word form: "co-worker" → "co worker", as queryWords() splits what a visitor types.
  loaded = new Map(Object.entries(raw).map(([word, synonyms]) => [word, synonyms.map((s) => queryWords(s).join(' ')).filter(Boolean)]));
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
export function synonymsOf(map: SynonymMap, word: string, max = Infinity): string[] {
  for (const form of baseForms(word)) {
    const found = map.get(form);
    if (found) return found.filter((s) => s !== word).slice(0, max);
  }
  return [];
}
