import { DEFAULT_PROFILE, retrievalProfile } from './profile';

describe('retrieval profile', () => {
  it('is the default without overrides', () => {
    expect(retrievalProfile(undefined)).toBe(DEFAULT_PROFILE);
  });

  it('applies overrides key by key, leaving the default untouched', () => {
    const p = retrievalProfile('{"fusion":{"semantic":0.7},"scoring":{"loneWord":0.5}}');
    expect(p.fusion).toEqual({ ...DEFAULT_PROFILE.fusion, semantic: 0.7 });
    expect(p.scoring.loneWord).toBe(0.5);
    expect(p.scoring.absentWord).toBe(DEFAULT_PROFILE.scoring.absentWord);
    expect(DEFAULT_PROFILE.fusion.semantic).toBe(0.3);
  });

  it('refuses unknown sections and keys and non-numbers', () => {
    expect(() => retrievalProfile('{"nope":{}}')).toThrow(/unknown section nope/);
    expect(() => retrievalProfile('{"fusion":{"nope":1}}')).toThrow(/unknown key fusion.nope/);
    expect(() => retrievalProfile('{"fusion":{"k":"2"}}')).toThrow(/fusion.k is not a number/);
  });
});
