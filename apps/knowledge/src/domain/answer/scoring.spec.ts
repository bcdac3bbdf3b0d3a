import { CandidateInput, composePassage, confidenceOf, idf, LONE_WORD_FACTOR, matchEvidence, MAX_ANSWER_CHARS, OTHER_PRODUCT_FACTOR, rankCandidates, scoreCandidate, SURE_ALTERNATIVE } from './scoring';

const concept = (term: string, extra: Partial<{ common: boolean }> = {}) => ({ alternatives: [{ terms: [term], weight: 1 }], ...extra });

const words = (s: string) => s.toLowerCase().match(/[a-z0-9]+/g) ?? [];

function candidate(id: string, title: string, sentences: string[], question: string, df: Record<string, number> = {}, corpusSize = 20): CandidateInput {
  return {
    articleId: id,
    title,
    titleTerms: words(title),
    passages: sentences.map((text, i) => ({ text, block: i, terms: words(text) })),
    questionTerms: words(question),
    corpusSize,
    documentFrequency: df,
  };
}

describe('idf', () => {
  it('is positive and larger for rarer terms', () => {
    expect(idf(100, 100)).toBeGreaterThan(0);
    expect(idf(100, 1)).toBeGreaterThan(idf(100, 10));
    expect(idf(100, 0)).toBeGreaterThan(idf(100, 1));
  });
});

describe('scoreCandidate', () => {
  const refund = ['You can ask for a refund within 14 days.', 'A refund goes back to the original card.', 'Our office is in Lisbon.'];

  it('picks the sentences that carry the question terms, and is confident', () => {
    const s = scoreCandidate(candidate('a', 'Refund policy', refund, 'refund card', { refund: 1, card: 3 }));
    expect(s.passage).toContain('A refund goes back to the original card.');
    expect(s.passage).not.toContain('Lisbon');
    expect(s.articleCoverage).toBe(1);
    expect(s.confidence).toBeGreaterThan(0.6);
  });

  it('is not confident when the distinctive terms of the question are missing', () => {
    const s = scoreCandidate(candidate('a', 'Refund policy', refund, 'bake bread card', { bake: 0, bread: 0, card: 3 }));
    expect(s.confidence).toBeLessThan(0.35);
  });

  it('has zero confidence when the question has no terms', () => {
    expect(scoreCandidate(candidate('a', 'T', refund, '')).confidence).toBe(0);
  });

  it('follows a heading with the text under it', () => {
    const s = scoreCandidate(candidate('a', 'Help', ['Refund window', 'Ask within fourteen days of the charge.'], 'refund window'));
    expect(s.passage).toBe('Refund window: Ask within fourteen days of the charge.');
  });
});

describe('rankCandidates', () => {
  it('ranks the article that covers the question first', () => {
    const q = 'cancel subscription';
    const ranked = rankCandidates([
      candidate('billing', 'Invoices', ['Download invoices for your subscription.'], q, { cancel: 1, subscription: 3 }),
      candidate('cancel', 'Cancel your subscription', ['Choose cancel subscription in billing.'], q, { cancel: 1, subscription: 3 }),
    ]);
    expect(ranked.map((r) => r.articleId)).toEqual(['cancel', 'billing']);
  });
});

describe('confidenceOf and composePassage', () => {
  it('stays within [0, 1]', () => {
    expect(confidenceOf(1, 1, 1)).toBe(1);
    expect(confidenceOf(0, 0, 0)).toBe(0);
  });

  it('cuts long answers at a word boundary with an ellipsis', () => {
    const text = composePassage(['word '.repeat(200).trim()]);
    expect(text.length).toBeLessThanOrEqual(MAX_ANSWER_CHARS + 1);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('scoreCandidate with expanded concepts', () => {
  const sentences = ['Ask for a refund within 14 days.', 'The refund goes back to your card.'];
  const base = candidate('a', 'Refund policy', sentences, 'reimbursement card', { refund: 1, card: 3 });

  it('counts an alternative by its weight, and a misspelt word by its correction', () => {
    const exact = scoreCandidate({ ...base, concepts: [{ alternatives: [{ terms: ['refund'], weight: 1 }] }, { alternatives: [{ terms: ['card'], weight: 1 }] }] });
    const synonym = scoreCandidate({ ...base, concepts: [{ alternatives: [{ terms: ['reimburs'], weight: 1 }, { terms: ['refund'], weight: 0.5 }] }, { alternatives: [{ terms: ['card'], weight: 1 }] }] });
    expect(exact.articleCoverage).toBe(1);
    expect(synonym.articleCoverage).toBeGreaterThan(0.5);
    expect(synonym.articleCoverage).toBeLessThan(1);
    expect(synonym.confidence).toBeLessThan(exact.confidence);
  });

  it('counts a sure alternative nearly as the word, a WordNet synonym or distant correction by its weight', () => {
    expect(matchEvidence(1)).toBe(1);
    expect(matchEvidence(0.8)).toBeCloseTo(0.894, 3);
    expect(matchEvidence(SURE_ALTERNATIVE)).toBeCloseTo(Math.sqrt(SURE_ALTERNATIVE), 6);
    expect(matchEvidence(0.5)).toBe(0.5);
    // Only the refund concept is matched, by a curated equivalent (0.8): it counts 0.894 of its idf.
    const concepts = [{ alternatives: [{ terms: ['reimburs'], weight: 1 }, { terms: ['refund'], weight: 0.8 }] }, { alternatives: [{ terms: ['card'], weight: 1 }] }];
    const s = scoreCandidate({ ...base, concepts });
    const refundIdf = idf(base.corpusSize, 1);
    const cardIdf = idf(base.corpusSize, 3);
    expect(s.articleCoverage).toBeCloseTo((matchEvidence(0.8) * refundIdf + cardIdf) / (refundIdf + cardIdf), 6);
  });

  it('scales confidence down when the article shares only one of several words', () => {
    const lone = scoreCandidate({ ...base, concepts: [{ alternatives: [{ terms: ['refund'], weight: 1 }] }, { alternatives: [{ terms: ['bus'], weight: 1 }] }] });
    expect(lone.confidence).toBeCloseTo(confidenceOf(lone.passageCoverage, lone.articleCoverage, lone.titleCoverage) * LONE_WORD_FACTOR, 2);
    expect(lone.confidence).toBeLessThan(confidenceOf(lone.passageCoverage, lone.articleCoverage, lone.titleCoverage));
  });

  it('scales confidence down when the question names another company\'s product no article has', () => {
    const concepts = [concept('refund'), concept('card')];
    const plain = scoreCandidate({ ...base, concepts });
    const other = scoreCandidate({ ...base, concepts: [...concepts, { alternatives: [{ terms: ['netflix'], weight: 1 }], otherProduct: true }] });
    expect(other.confidence).toBeCloseTo(confidenceOf(other.passageCoverage, other.articleCoverage, other.titleCoverage) * OTHER_PRODUCT_FACTOR, 2);
    expect(other.confidence).toBeLessThan(plain.confidence / 2 + 0.001);
    // Named by an article (an integration): no penalty.
    const named = scoreCandidate({ ...base, documentFrequency: { ...base.documentFrequency, netflix: 1 }, concepts: [...concepts, { alternatives: [{ terms: ['netflix'], weight: 1 }], otherProduct: true }] });
    expect(named.confidence).toBeCloseTo(confidenceOf(named.passageCoverage, named.articleCoverage, named.titleCoverage), 3);
  });

  it('does not scale down a lone word when the other words are in other articles: idf says enough', () => {
    const s = scoreCandidate({ ...base, documentFrequency: { refund: 1, set: 12 }, concepts: [concept('refund'), concept('set')] });
    expect(s.confidence).toBeCloseTo(confidenceOf(s.passageCoverage, s.articleCoverage, s.titleCoverage), 3);
  });

  it('lets an everyday word no article has weigh less than another absent word', () => {
    const rare = scoreCandidate({ ...base, concepts: [concept('refund'), concept('card'), concept('accountant')] });
    const everyday = scoreCandidate({ ...base, concepts: [concept('refund'), concept('card'), concept('remember', { common: true })] });
    expect(everyday.articleCoverage).toBeGreaterThan(rare.articleCoverage);
    expect(everyday.confidence).toBeGreaterThan(rare.confidence);
  });

  it('weighs an everyday word the articles have below another word of the same frequency', () => {
    const df = { refund: 1, make: 1, card: 1 };
    const plain = scoreCandidate({ ...base, documentFrequency: df, concepts: [concept('make'), concept('card')] });
    const everyday = scoreCandidate({ ...base, documentFrequency: df, concepts: [concept('make', { common: true }), concept('card')] });
    // The article has "card", not "make": the everyday word missing costs less.
    expect(everyday.articleCoverage).toBeGreaterThan(plain.articleCoverage);
  });

  it('reads the best window with the title', () => {
    const s = scoreCandidate(candidate('a', 'Invite teammates', ['Admins invite people from the members page.', 'Invitations expire after seven days.'], 'teammates expire', { teammates: 1, expire: 1 }));
    expect(s.passage).toBe('Invitations expire after seven days.');
    expect(s.passageCoverage).toBe(1);
  });
});
