import { JSON_MAX_DEPTH, jsonDepthExceeds, unstorableTextFields } from './common';

const nested = (depth: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('jsonDepthExceeds', () => {
  it('counts arrays and objects, not scalars', () => {
    expect(jsonDepthExceeds('text', 0)).toBe(false);
    expect(jsonDepthExceeds({}, 0)).toBe(true);
    expect(jsonDepthExceeds({ a: [1] }, 2)).toBe(false);
    expect(jsonDepthExceeds({ a: [1] }, 1)).toBe(true);
  });

  it('allows exactly JSON_MAX_DEPTH levels and refuses one more', () => {
    expect(jsonDepthExceeds(nested(JSON_MAX_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(JSON_MAX_DEPTH + 1))).toBe(true);
  });

  it('walks 100,000 levels without exhausting the stack', () => {
    expect(jsonDepthExceeds(JSON.parse('['.repeat(100_000) + ']'.repeat(100_000)))).toBe(true);
  });
});

describe('unstorableTextFields', () => {
  it('reports NUL, lone surrogates and bad keys by path, in document order', () => {
    const body = { a: 'ok', b: ['x', 'nul\u0000'], c: { ['k\u0000']: 1, d: '\ud800' } };
    expect(unstorableTextFields(body)).toEqual(['b.1', 'c.(key)', 'c.d']);
    expect(unstorableTextFields({ q: '\udc00' }, ['(query)'])).toEqual(['(query).q']);
    expect(unstorableTextFields('\u0000')).toEqual(['(body)']);
  });

  it('walks deep values iteratively', () => {
    expect(unstorableTextFields(JSON.parse('['.repeat(50_000) + '"\\u0000"' + ']'.repeat(50_000)))).toHaveLength(1);
  });
});
