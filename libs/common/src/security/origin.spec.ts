import { frameAncestorSources, originAllowed, originMatches } from './origin';

describe('originMatches', () => {
  it.each([
    ['https://app.example.com', 'https://app.example.com'],
    ['https://app.example.com:443', 'https://app.example.com'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['https://a.example.com', 'https://*.example.com'],
    ['https://APP.Example.com', 'https://app.example.com'],
  ])('%s matches %s', (origin, pattern) => {
    expect(originMatches(origin, pattern)).toBe(true);
  });

  it.each([
    ['http://app.example.com', 'https://app.example.com', 'scheme differs'],
    ['https://app.example.com:8443', 'https://app.example.com', 'port differs'],
    ['https://app.example.com.evil.test', 'https://app.example.com', 'suffix trick'],
    ['https://evilapp.example.com', 'https://app.example.com', 'prefix trick'],
    ['https://example.com', 'https://*.example.com', 'wildcard needs one label'],
    ['https://a.b.example.com', 'https://*.example.com', 'wildcard is a single label'],
    ['https://a.example.com.evil.test', 'https://*.example.com', 'wildcard suffix trick'],
    ['https://aexample.com', 'https://*.example.com', 'no dot before the suffix'],
    ['https://app.example.com/path', 'https://app.example.com', 'not an origin'],
    ['https://user@app.example.com', 'https://app.example.com', 'credentials'],
    ['null', 'https://app.example.com', 'opaque origin'],
    ['javascript:alert(1)', 'https://app.example.com', 'not http'],
  ])('%s does not match %s (%s)', (origin, pattern) => {
    expect(originMatches(origin, pattern)).toBe(false);
  });
});

describe('originAllowed', () => {
  it('needs an Origin and one matching pattern', () => {
    expect(originAllowed(undefined, ['https://a.test'])).toBe(false);
    expect(originAllowed('null', ['https://a.test'])).toBe(false);
    expect(originAllowed('https://a.test', [])).toBe(false);
    expect(originAllowed('https://b.test', ['https://a.test', 'https://b.test'])).toBe(true);
  });
});

describe('frameAncestorSources', () => {
  const patterns = ['https://shop.example.com', 'https://*.example.org', 'http://localhost:5173', 'https://Upper.Example.com:443'];

  it('passes exact patterns on, canonical, and never a wildcard (CSP would match any depth)', () => {
    expect(frameAncestorSources(patterns)).toEqual(['https://shop.example.com', 'http://localhost:5173', 'https://upper.example.com']);
  });

  it('adds the embedding page when a wildcard allows it (one label), and only then', () => {
    expect(frameAncestorSources(patterns, 'https://a.example.org')).toContain('https://a.example.org');
    for (const embedder of ['https://a.b.example.org', 'https://example.org', 'https://a.example.org.evil.test', 'https://a.example.org/x', 'null', 'https://a.example.org; script-src *']) {
      expect(frameAncestorSources(patterns, embedder)).toEqual(frameAncestorSources(patterns));
    }
  });

  it('lists an exact origin once, whichever way the page spells it', () => {
    expect(frameAncestorSources(['https://shop.example.com'], 'https://SHOP.example.com:443')).toEqual(['https://shop.example.com']);
    expect(frameAncestorSources([], 'https://shop.example.com')).toEqual([]);
  });
});
