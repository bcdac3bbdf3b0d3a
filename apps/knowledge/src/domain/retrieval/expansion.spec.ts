import type { VocabularyFacts } from '../../persistence/vocabulary.repository';
import { allConceptsQuery, anyConceptQuery, damerauWithin, expandQuery, OPERATOR_WEIGHT, WORDNET_WEIGHT, wordnetCandidates } from './expansion';
import { baseForms, isDictionaryWord, Wordnet } from './wordnet';

const wordnet: Wordnet = {
  words: new Set(['remember', 'purchase', 'colleague', 'password']),
  synonyms: new Map([
    ['purchase', ['buy']],
    ['colleague', ['co worker', 'workfellow']],
  ]),
};

function facts(over: Partial<VocabularyFacts> = {}): VocabularyFacts {
  return { known: new Set(), stop: new Set(), similar: new Map(), present: new Set(), groups: [], ...over };
}

describe('expandQuery', () => {
  it('keeps a known word as it is: no corrections for correctly spelt words', () => {
    const c = expandQuery(['password'], facts({ known: new Set(['password']), similar: new Map([['password', [{ word: 'passport', similarity: 0.5 }]]]) }), { prefixLast: false, wordnet });
    expect(c).toEqual([{ text: 'password', prefix: false, alternatives: [{ text: 'password', weight: 1, kind: 'exact' }] }]);
  });

  it('corrects an unknown word by similarity or one edit, not a dictionary word', () => {
    const similar = new Map([
      ['pasword', [{ word: 'password', similarity: 0.7 }]],
      ['recieve', [{ word: 'receive', similarity: 0.33 }, { word: 'review', similarity: 0.31 }]],
      ['remember', [{ word: 'member', similarity: 0.73 }]],
    ]);
    const [pasword, recieve, remember] = expandQuery(['pasword', 'recieve', 'remember'], facts({ similar }), { prefixLast: false, wordnet });
    expect(pasword.alternatives.map((a) => [a.text, a.kind])).toEqual([['pasword', 'exact'], ['password', 'typo']]);
    expect(pasword.alternatives[1].weight).toBeCloseTo(0.85);
    // A transposition: low trigram similarity, one edit.
    expect(recieve.alternatives.map((a) => a.text)).toEqual(['recieve', 'receive']);
    expect(remember.alternatives.map((a) => a.text)).toEqual(['remember']);
  });

  it('adds WordNet synonyms the vocabulary has, below the word, never for stop words', () => {
    const [purchase, colleague] = expandQuery(['purchase', 'colleague'], facts({ known: new Set(['purchase']), present: new Set(['buy', 'co', 'worker']) }), { prefixLast: false, wordnet });
    expect(purchase.alternatives).toContainEqual({ text: 'buy', weight: WORDNET_WEIGHT, kind: 'wordnet' });
    expect(colleague.alternatives.map((a) => a.text)).toEqual(['colleague', 'co worker']);
    const [stop] = expandQuery(['purchase'], facts({ stop: new Set(['purchase']), present: new Set(['buy']) }), { prefixLast: false, wordnet });
    expect(stop.alternatives).toHaveLength(1);
    expect(expandQuery(['purchase'], facts({ present: new Set(['buy']) }), { prefixLast: false, wordnet: null })[0].alternatives).toHaveLength(1);
    expect(wordnetCandidates(['colleagues'], wordnet).sort()).toEqual(['co', 'worker', 'workfellow']);
  });

  it('applies operator groups both ways, a typed phrase being one concept', () => {
    const groups = [['support', 'Help-Desk']];
    const [support] = expandQuery(['support'], facts({ groups }), { prefixLast: false, wordnet: null });
    expect(support.alternatives).toEqual([
      { text: 'support', weight: 1, kind: 'exact' },
      { text: 'help desk', weight: OPERATOR_WEIGHT, kind: 'operator' },
    ]);
    const concepts = expandQuery(['help', 'desk', 'hours'], facts({ groups }), { prefixLast: true, wordnet: null });
    expect(concepts.map((c) => c.text)).toEqual(['help desk', 'hours']);
    expect(allConceptsQuery(concepts)).toBe('((help <-> desk) | support) & hours:*');
    expect(anyConceptQuery(concepts)).toBe('((help <-> desk) | support) | hours:*');
    expect(anyConceptQuery(concepts, true)).toBe('help <-> desk | hours:*');
  });
});

describe('damerauWithin', () => {
  it('counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(damerauWithin('recieve', 'receive', 1)).toBe(true);
    expect(damerauWithin('pasword', 'password', 1)).toBe(true);
    expect(damerauWithin('offline', 'online', 1)).toBe(false);
    expect(damerauWithin('notifcatons', 'notifications', 2)).toBe(true);
  });
});

describe('WordNet base forms', () => {
  it('undoes common inflections, and knows dictionary words by them', () => {
    expect(baseForms('passwords')).toContain('password');
    expect(baseForms('charged')).toContain('charge');
    expect(baseForms('class')).toEqual(['class']);
    expect(isDictionaryWord(wordnet, 'remembered')).toBe(true);
    expect(isDictionaryWord(wordnet, 'pasword')).toBe(false);
  });
});
