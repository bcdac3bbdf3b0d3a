import { articleVector, similaritiesInScope } from '../../persistence/embedding.repository';
import { cosine } from '../../text';
import { ArticleTermsCache } from './article-terms';

const row = (id: string, title = 'Refunds', body_text = 'Ask within 14 days.', ts_config = 'english') => ({ id, title, body_text, ts_config });
const terms = (t: string) => ({ titleTerms: [t], passages: [{ text: 'Ask within 14 days.', block: 0, terms: ['ask', '14', 'day'] }] });

describe('ArticleTermsCache', () => {
  it('gives an article its terms only while its title, text and configuration are unchanged', () => {
    const cache = new ArticleTermsCache();
    cache.set(row('a'), terms('refund'));
    expect(cache.get(row('a'))).toEqual(terms('refund'));
    expect(cache.get(row('a', 'Refund policy'))).toBeUndefined();
    expect(cache.get(row('a', 'Refunds', 'Ask within 30 days.'))).toBeUndefined();
    expect(cache.get(row('a', 'Refunds', 'Ask within 14 days.', 'simple'))).toBeUndefined();
    expect(cache.get(row('b'))).toBeUndefined();
  });

  it('drops the least recently used article past its size', () => {
    const cache = new ArticleTermsCache(2);
    cache.set(row('a'), terms('a'));
    cache.set(row('b'), terms('b'));
    cache.get(row('a'));
    cache.set(row('c'), terms('c'));
    expect(cache.size).toBe(2);
    expect(cache.get(row('b'))).toBeUndefined();
    expect(cache.get(row('a'))).toEqual(terms('a'));
    expect(cache.get(row('c'))).toEqual(terms('c'));
  });
});

describe('similaritiesInScope', () => {
  const v = (...xs: number[]) => Float32Array.from(xs);
  const vectors = [
    articleVector('art_1', 'col_a', 'en', v(0.1, 0.7, -0.3)),
    articleVector('art_2', 'col_b', 'en', v(0.9, 0.05, 0.2)),
    articleVector('art_3', null, 'fr', v(0.3, 0.3, 0.3)),
    articleVector('art_4', 'col_a', 'en', v(0, 0, 0)),
  ];
  const question = [0.2, 0.5, -0.1];

  it("is cosine() exactly, over the scope's collections and language", () => {
    const all = similaritiesInScope(vectors, { workspaceId: 'ws', collectionIds: null, language: null }, question);
    expect([...all.keys()]).toEqual(['art_1', 'art_2', 'art_3', 'art_4']);
    for (const a of vectors) expect(all.get(a.id)).toBe(cosine(question, a.vector));
    expect(all.get('art_4')).toBe(0);
    expect([...similaritiesInScope(vectors, { workspaceId: 'ws', collectionIds: ['col_a'], language: null }, question).keys()]).toEqual(['art_1', 'art_4']);
    expect([...similaritiesInScope(vectors, { workspaceId: 'ws', collectionIds: null, language: 'fr' }, question).keys()]).toEqual(['art_3']);
    expect(similaritiesInScope(vectors, { workspaceId: 'ws', collectionIds: [], language: null }, question).size).toBe(0);
  });
});
