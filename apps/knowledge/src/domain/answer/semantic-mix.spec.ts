import { calibrated, mixSimilarity } from './semantic-mix';

const c = { floor: 0.3, ceil: 0.6, answer: 0.65 };
const judged = (articleId: string, confidence: number) => ({ articleId, confidence, articleCoverage: confidence });

describe('similarity mixed into answers', () => {
  it('calibrates the cosine between floor and ceil', () => {
    expect(calibrated(0.2, c)).toBe(0);
    expect(calibrated(0.45, c)).toBeCloseTo(0.5);
    expect(calibrated(0.9, c)).toBe(1);
  });

  it('lets similarity choose the article; confidence stays lexical below the answer threshold', () => {
    const mixed = mixSimilarity([judged('a', 0.5), judged('b', 0.4)], new Map([['a', 0.3], ['b', 0.6]]), c);
    expect(mixed.map((s) => s.articleId)).toEqual(['b', 'a']);
    expect(mixed.map((s) => s.confidence)).toEqual([0.4, 0.5]);
  });

  it('answers on similarity alone from the answer threshold on', () => {
    const [best] = mixSimilarity([judged('a', 0)], new Map([['a', 0.8]]), c);
    expect(best.confidence).toBe(0.8);
  });

  it('changes nothing without similarities', () => {
    const scored = [judged('a', 0.5)];
    expect(mixSimilarity(scored, null, c)).toBe(scored);
  });
});
