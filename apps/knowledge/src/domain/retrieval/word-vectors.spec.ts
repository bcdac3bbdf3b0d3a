import { cosine } from '../../text';
import { parseWordVectors, sentenceVector, sifWeight, wordVectors } from './word-vectors';

/** A table in the build's format (scripts/build-word-vectors.js), three words of two dimensions. */
function table(): Buffer {
  const words = Buffer.from('the\ninvoice\nbill', 'utf8');
  const header = Buffer.alloc(20);
  header.write('WVEC', 0, 'latin1');
  header.writeUInt32LE(1, 4);
  header.writeUInt32LE(3, 8);
  header.writeUInt32LE(2, 12);
  header.writeUInt32LE(words.length, 16);
  const pad = Buffer.alloc((4 - ((20 + words.length) % 4)) % 4);
  const scales = Buffer.from(new Float32Array([1 / 127, 1 / 127, 1 / 127]).buffer);
  const comps = Buffer.from(new Int8Array([127, 0, 0, 127, 10, 127]).buffer);
  return Buffer.concat([header, words, pad, scales, comps]);
}

describe('word vectors (the semantic default)', () => {
  it('reads the build table and averages by SIF weight', () => {
    const t = parseWordVectors(table());
    expect(t.dims).toBe(2);
    expect(t.index.get('bill')).toBe(2);
    expect(sifWeight(0)).toBeLessThan(0.05);
    expect(sifWeight(2)).toBeLessThan(sifWeight(50_000));
    // "the", the most frequent word, weighs less than "invoice": the sentence leans to it.
    const v = sentenceVector(t, [{ word: 'the', weight: 1 }, { word: 'invoice', weight: 1 }, { word: 'unknown', weight: 1 }])!;
    expect(cosine(v, [0, 1])).toBeGreaterThan(cosine(v, [1, 0]));
    expect(sentenceVector(t, [{ word: 'unknown', weight: 1 }])).toBeNull();
  });

  it('refuses another format', () => {
    expect(() => parseWordVectors(Buffer.from('JUNKJUNKJUNKJUNKJUNK'))).toThrow(/unknown format/);
  });

  it('the built table (dist/word-vectors.bin) puts related support words near each other', () => {
    const t = wordVectors();
    if (!t) return; // not built (a unit run before the build): nothing to check
    const v = (w: string) => sentenceVector(t, [{ word: w, weight: 1 }])!;
    expect(cosine(v('invoice'), v('receipt'))).toBeGreaterThan(cosine(v('invoice'), v('banana')));
  });
});
