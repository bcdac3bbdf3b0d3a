import { ENGLISH, parseLexicon } from '.';

describe('lexicon data files', () => {
  it('loads the English lists', () => {
    expect(ENGLISH.supportTerms.some((g) => g.includes('sign in') && g.includes('log in'))).toBe(true);
    expect(ENGLISH.otherProducts.has('gmail')).toBe(true);
    expect(ENGLISH.questionFillers.has('please')).toBe(true);
    expect(ENGLISH.irregularVerbs.forget).toEqual(['forgot', 'forgotten']);
    expect(ENGLISH.phrasalObjects.has('them')).toBe(true);
  });

  it('refuses a malformed list, naming where', () => {
    const good = { supportTerms: [['a', 'b']], otherProducts: [], questionFillers: [], irregularVerbs: {}, phrasalObjects: [] };
    expect(() => parseLexicon({ ...good, supportTerms: [['only one']] }, 'xx')).toThrow(/lexicon xx: supportTerms\.0/);
    expect(() => parseLexicon({ ...good, otherProducts: ['Gmail'] }, 'xx')).toThrow(/otherProducts\.0: lower-case/);
    expect(() => parseLexicon({ ...good, questionFillers: ['two words'] }, 'xx')).toThrow(/questionFillers\.0/);
    expect(() => parseLexicon({ ...good, irregularVerbs: { go: [] } }, 'xx')).toThrow(/irregularVerbs\.go/);
    expect(parseLexicon(good, 'xx').supportTerms).toEqual([['a', 'b']]);
  });
});
