import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The semantic default (docs/knowledge.md, "Semantic default"): GloVe 6B
 * 100-d word vectors, as the compact table scripts/build-word-vectors.js
 * writes at build time (dist/word-vectors.bin: the 250,000 most frequent
 * words, int8 components with a float32 scale each), and a sentence vector
 * as their SIF-weighted mean (Arora et al. 2017: a / (a + p(w)), p from the
 * word's frequency rank by Zipf's law), so "the", "how", "my" weigh nearly
 * nothing and "invoice" nearly fully. Loaded once per process.
 */
export interface WordVectors {
  dims: number;
  /** Word → row (its frequency rank). */
  index: ReadonlyMap<string, number>;
  scales: Float32Array;
  components: Int8Array;
}

export const WORD_VECTORS_FILE = join(__dirname, '..', '..', 'word-vectors.bin');
/** The model name stored with each vector (knowledge.article_embeddings.model). */
export const WORD_VECTORS_MODEL = 'glove-6b-100d-sif';
/** SIF's smoothing: a word of frequency p weighs a / (a + p). */
export const SIF_A = 1e-3;
/** GloVe 6B's vocabulary size, for the Zipf frequency estimate p(rank) = 1 / ((rank + 1) · ln(1.78 · V)). */
const GLOVE_VOCABULARY = 400_000;
const ZIPF_NORM = Math.log(1.78 * GLOVE_VOCABULARY);
/** A title word counts this many times in an article's vector: titles say what an article is about. */
export const TITLE_REPEAT = 2;

let loaded: WordVectors | null | undefined;

/** The table, or null when the build did not write it (then the semantic default is off). */
export function wordVectors(file = WORD_VECTORS_FILE): WordVectors | null {
  if (loaded !== undefined) return loaded;
  loaded = existsSync(file) ? parseWordVectors(readFileSync(file)) : null;
  return loaded;
}

export function parseWordVectors(buf: Buffer): WordVectors {
  if (buf.toString('latin1', 0, 4) !== 'WVEC' || buf.readUInt32LE(4) !== 1) throw new Error('word-vectors.bin: unknown format');
  const count = buf.readUInt32LE(8);
  const dims = buf.readUInt32LE(12);
  const wordBytes = buf.readUInt32LE(16);
  const words = buf.toString('utf8', 20, 20 + wordBytes).split('\n');
  let at = 20 + wordBytes;
  at += (4 - (at % 4)) % 4;
  // Views on the file's buffer (no copy); a copy only when the scales are not 4-byte aligned in memory.
  const start = buf.byteOffset + at;
  const scales = start % 4 === 0 ? new Float32Array(buf.buffer, start, count) : new Float32Array(buf.buffer.slice(start, start + count * 4));
  at += count * 4;
  const components = new Int8Array(buf.buffer, buf.byteOffset + at, count * dims);
  return { dims, index: new Map(words.map((w, i) => [w, i])), scales, components };
}

export function sifWeight(rank: number): number {
  const p = 1 / ((rank + 1) * ZIPF_NORM);
  return SIF_A / (SIF_A + p);
}

/**
 * The SIF-weighted mean of the words' vectors (each word with its own
 * weight, e.g. a correction's), or null when none is in the table.
 */
export function sentenceVector(table: WordVectors, words: Array<{ word: string; weight: number }>): number[] | null {
  const out = new Float64Array(table.dims);
  let total = 0;
  for (const { word, weight } of words) {
    const row = table.index.get(word);
    if (row === undefined || weight <= 0) continue;
    const w = weight * sifWeight(row) * table.scales[row];
    const base = row * table.dims;
    for (let d = 0; d < table.dims; d++) out[d] += w * table.components[base + d];
    total += weight * sifWeight(row);
  }
  if (total === 0) return null;
  return Array.from(out, (v) => v / total);
}

export function hasWord(table: WordVectors, word: string): boolean {
  return table.index.has(word);
}
