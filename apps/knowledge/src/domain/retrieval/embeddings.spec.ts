import { cosine, parseEmbeddings } from './embeddings';

describe('embeddings replies', () => {
  it('orders vectors by index and refuses anything else', () => {
    expect(parseEmbeddings({ data: [{ index: 1, embedding: [0, 1] }, { index: 0, embedding: [1, 0] }] }, 2)).toEqual([[1, 0], [0, 1]]);
    expect(parseEmbeddings({ data: [{ index: 0, embedding: [1, 0] }] }, 2)).toBeNull();
    expect(parseEmbeddings({ data: [{ index: 0, embedding: [1, 'x'] }] }, 1)).toBeNull();
    expect(parseEmbeddings({ data: [{ index: 0, embedding: [1] }, { index: 1, embedding: [1, 2] }] }, 2)).toBeNull();
    expect(parseEmbeddings({ nope: true }, 1)).toBeNull();
  });

  it('computes cosine similarity, 0 for mismatched or zero vectors', () => {
    expect(cosine([1, 0], [1, 0])).toBeCloseTo(1);
    expect(cosine([1, 0], [0, 1])).toBeCloseTo(0);
    expect(cosine([1, 1], [2, 2])).toBeCloseTo(1);
    expect(cosine([1], [1, 0])).toBe(0);
    expect(cosine([0, 0], [1, 0])).toBe(0);
  });
});
