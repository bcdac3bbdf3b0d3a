import { decodeCursor, encodeCursor, MAX_QUERY_WORDS, queryFingerprint, questionWords, queryWords, vocabularyWords } from './search-terms';
import { localeInfo } from './locale';

describe('queryWords', () => {
  it('keeps runs of letters and digits, lower-cased, so tsquery operators cannot get through', () => {
    expect(queryWords(`Reset  PASSWORD! & | !(x) 'quote':* <-> é2e`)).toEqual(['reset', 'password', 'x', 'quote', 'é2e']);
    expect(queryWords('?!')).toEqual([]);
  });

  it('caps the number of words', () => {
    expect(queryWords(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' '))).toHaveLength(MAX_QUERY_WORDS);
  });
});

describe('vocabulary and question words', () => {
  it("takes an article's distinct words with a letter, sorted", () => {
    expect(vocabularyWords('Reset the PASSWORD, reset it: 2 x 3 passwords')).toEqual(['it', 'password', 'passwords', 'reset', 'the']);
  });

  it('leaves question fillers out unless nothing else is left', () => {
    expect(questionWords(['hi', 'i', 'cant', 'sign', 'in', 'please'])).toEqual(['i', 'sign', 'in']);
    expect(questionWords(['hello', 'thanks'])).toEqual(['hello', 'thanks']);
    expect(questionWords(['bring', 'colleagues', 'onto', 'the', 'team', 'and', 'stuff'])).toEqual(['bring', 'colleagues', 'the', 'team', 'and']);
  });
});

describe('search cursors', () => {
  const id = 'art_01JABCDEFGHJKMNPQRSTVWXYZ0';

  it('round-trips score, id and fingerprint', () => {
    const cursor = { score: '0.0607927', id, fingerprint: queryFingerprint(['a', null]) };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it('rejects anything it did not make', () => {
    expect(decodeCursor('not-a-cursor')).toBeNull();
    expect(decodeCursor(Buffer.from('["x","art_1","f"]').toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from(JSON.stringify(['1', "art_'; DROP", 'f'])).toString('base64url'))).toBeNull();
    expect(decodeCursor(Buffer.from('{}').toString('base64url'))).toBeNull();
  });

  it('fingerprints differ by query and language', () => {
    expect(queryFingerprint(['a', 'en'])).not.toBe(queryFingerprint(['a', 'fr']));
    expect(queryFingerprint(['a', 'en'])).toBe(queryFingerprint(['a', 'en']));
  });
});

describe('localeInfo', () => {
  it('maps the language subtag to a stemming configuration, simple when none exists', () => {
    expect(localeInfo('en')).toEqual({ locale: 'en', language: 'en', tsConfig: 'english' });
    expect(localeInfo('PT-br')).toEqual({ locale: 'pt-BR', language: 'pt', tsConfig: 'portuguese' });
    expect(localeInfo('ja')).toEqual({ locale: 'ja', language: 'ja', tsConfig: 'simple' });
    expect(localeInfo('zh-hant-TW').locale).toBe('zh-Hant-TW');
  });
});
