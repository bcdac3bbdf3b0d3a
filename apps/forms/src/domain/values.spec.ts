import { createFormBody, FormField, patternProblem } from '@widget/contracts';
import { validateValues } from './values';

describe('patternProblem', () => {
  it.each([
    ['[A-Z]-[0-9]{4}', null],
    ['(ab)+', null],
    ['(?:[a-z]+\\.)?example', null],
    ['(', 'pattern_invalid'],
    ['(a+)+$', 'pattern_too_complex'],
    ['(a|aa)*', 'pattern_too_complex'],
    ['((a)*)', null],
    ['(x(a*)*)', 'pattern_too_complex'],
    ['(a)\\1', 'pattern_backreference'],
    ['[(]+', null],
  ])('%s → %s', (pattern, expected) => {
    expect(patternProblem(pattern)).toBe(expected);
  });
});

describe('createFormBody', () => {
  it('names each bad field by path', () => {
    const parsed = createFormBody.safeParse({ name: 'x', fields: [{ key: 'a', label: 'A', type: 'number', min: 2, max: 1 }, { key: 'a', label: 'B', type: 'multiselect' }] });
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.error.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['fields.0.min', 'min_above_max'],
      ['fields.1.key', 'duplicate_key'],
      ['fields.1.options', 'options_required'],
    ]);
  });
});

describe('validateValues', () => {
  const fields: FormField[] = [
    { key: 'n', label: 'N', type: 'number', required: false, min: 0, max: 5 },
    { key: 'd', label: 'D', type: 'date', required: false },
    { key: 'm', label: 'M', type: 'multiselect', required: true, options: ['a', 'b'] },
    { key: 'c', label: 'C', type: 'checkbox', required: false },
    { key: 'e', label: 'E', type: 'email', required: false },
  ];

  it('normalizes good values and drops blank optional ones', () => {
    expect(validateValues(fields, { n: 5, d: '2024-02-29', m: ['b'], c: false, e: '  a@b.co ' })).toEqual({
      values: { n: 5, d: '2024-02-29', m: ['b'], c: false, e: 'a@b.co' },
      details: [],
    });
    expect(validateValues(fields, { n: null, d: '', m: ['a'] }).values).toEqual({ m: ['a'] });
  });

  it('reports every failure at once', () => {
    const { details } = validateValues(fields, { n: Infinity, d: '2023-13-01', m: [], c: 1, e: 'x@y', z: 1 });
    expect(details).toEqual([
      { field: 'values.z', reason: 'unknown_field' },
      { field: 'values.n', reason: 'not_a_number' },
      { field: 'values.d', reason: 'invalid_date' },
      { field: 'values.m', reason: 'required' },
      { field: 'values.c', reason: 'not_a_boolean' },
      { field: 'values.e', reason: 'invalid_email' },
    ]);
  });
});
