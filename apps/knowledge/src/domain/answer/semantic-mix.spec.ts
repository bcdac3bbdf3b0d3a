import { DEFAULT_PROFILE } from '../retrieval/profile';
import { calibrated, fuseRankings, mostSimilar } from './semantic-mix';

const c = { floor: 0.3, ceil: 0.6, answer: 0.65 };
const judged = (articleId: string, confidence: number) => ({ articleId, confidence, articleCoverage: confidence });
const equal = { fusion: { k: 2, lexical: 1, semantic: 1 }, decision: { agreement: 0, similarity: 0, disagreement: 1 } };

describe('similarity fused into answers', () => {
  it('calibrates the cosine between floor and ceil', () => {
    expect(calibrated(0.2, c)).toBe(0);
    expect(calibrated(0.45, c)).toBeCloseTo(0.5);
    expect(calibrated(0.9, c)).toBe(1);
  });

  it('fuses the two rankings by reciprocal rank; confidence stays lexical below the answer threshold', () => {
    const scored = [judged('a', 0.5), judged('b', 0.4), judged('c', 0.3)];
    const fused = fuseRankings(scored, new Map([['a', 0.3], ['b', 0.6], ['c', 0.5]]), c, equal);
    // a: 1/3 + 1/5, b: 1/4 + 1/3, c: 1/5 + 1/4.
    expect(fused.map((s) => s.articleId)).toEqual(['b', 'a', 'c']);
    expect(fused.map((s) => s.confidence)).toEqual([0.4, 0.5, 0.3]);
    expect(fused.map((s) => [s.lexicalRank, s.semanticRank])).toEqual([[2, 1], [1, 3], [3, 2]]);
  });

  it('keeps the lexical order when similarity weighs nothing', () => {
    const fused = fuseRankings([judged('b', 0.4), judged('a', 0.5)], new Map([['a', 0.3], ['b', 0.6]]), c, { ...equal, fusion: { k: 2, lexical: 1, semantic: 0 } });
    expect(fused.map((s) => s.articleId)).toEqual(['a', 'b']);
  });

  it('adds the decision terms: agreement of both rankings, calibrated similarity, disagreement', () => {
    const decision = { agreement: 0.1, similarity: 0.2, disagreement: 0.5 };
    const fused = fuseRankings([judged('a', 0.5), judged('b', 0.4), judged('c', 0.3)], new Map([['a', 0.6], ['b', 0.45], ['c', 0.3]]), c, { ...equal, decision });
    const by = Object.fromEntries(fused.map((s) => [s.articleId, s.confidence]));
    expect(by.a).toBeCloseTo(0.5 + 0.1 + 0.2);
    expect(by.b).toBeCloseTo((0.4 + 0.2 * 0.5) * 0.5);
  });

  it('answers on similarity alone from the answer threshold on', () => {
    const [best] = fuseRankings([judged('a', 0)], new Map([['a', 0.8]]), c, DEFAULT_PROFILE);
    expect(best.confidence).toBe(0.8);
  });

  it('keeps the lexical ranking and confidence without similarities', () => {
    const fused = fuseRankings([judged('a', 0.4), judged('b', 0.5)], null, c, DEFAULT_PROFILE);
    expect(fused.map((s) => [s.articleId, s.confidence])).toEqual([['b', 0.5], ['a', 0.4]]);
  });
});

describe('mostSimilar', () => {
  it('is the full sort (similarity descending, then id; none ≤ 0) cut to n', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const similarity = new Map<string, number>();
    for (let i = 0; i < 500; i++) similarity.set(`art_${Math.floor(random() * 1e6)}`, Math.round((random() * 1.2 - 0.2) * 50) / 50);
    const sorted = [...similarity.entries()].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([id]) => id);
    for (const n of [0, 1, 3, 11, 400, 1000]) expect(mostSimilar(similarity, n)).toEqual(sorted.slice(0, n));
  });
});
