import { checkFieldValue, FormFieldRules, isBlankValue, validateFormValues } from './form-values';

const field = (type: FormFieldRules['type'], more: Partial<FormFieldRules> = {}): FormFieldRules => ({ key: 'f', type, ...more });

/** One set of rules for the frame and the forms service (issue 21): these cases are what both sides refuse or take. */
describe('form value rules', () => {
  it.each([
    ['absent', undefined, true],
    ['null', null, true],
    ['empty', '', true],
    ['only spaces', '  ', true],
    ['a tab and a newline', '\t\n', true],
    ['a word', ' a ', false],
    ['false (a checkbox says no)', false, false],
    ['0', 0, false],
  ])('%s is %s blank', (_label, value, blank) => {
    expect(isBlankValue(field('text'), value)).toBe(blank);
  });

  it("refuses a required field of spaces (the frame's old copy let '  ' through)", () => {
    expect(validateFormValues([field('text', { required: true })], { f: '  ' }).details).toEqual([{ field: 'values.f', reason: 'required' }]);
    expect(validateFormValues([field('textarea', { required: true })], { f: ' ok ' })).toEqual({ values: { f: ' ok ' }, details: [] });
  });

  it.each<[string, FormFieldRules, unknown, string | null]>([
    ['email trimmed', field('email'), '  ada@example.com ', null],
    ['email without a domain dot', field('email'), 'ada@example', 'invalid_email'],
    ['text over its maxLength', field('text', { maxLength: 3 }), 'abcd', 'too_long'],
    ['text over the type bound', field('text'), 'x'.repeat(1001), 'too_long'],
    ['pattern, whole value', field('text', { pattern: '[A-Z]-[0-9]{2}' }), 'A-12', null],
    ['pattern, partial match', field('text', { pattern: '[A-Z]-[0-9]{2}' }), 'xA-12', 'pattern_mismatch'],
    ['a pattern that does not compile matches nothing', field('text', { pattern: '(' }), 'a', 'pattern_mismatch'],
    ['number below min', field('number', { min: 1 }), 0, 'below_min'],
    ['number above max', field('number', { max: 5 }), 6, 'above_max'],
    ['number as text', field('number'), '3', 'not_a_number'],
    ['NaN', field('number'), Number.NaN, 'not_a_number'],
    ['select outside its options', field('select', { options: ['a'] }), 'b', 'not_an_option'],
    ['multiselect twice the same', field('multiselect', { options: ['a', 'b'] }), ['a', 'a'], 'duplicate_option'],
    ['multiselect of numbers', field('multiselect', { options: ['a'] }), [1], 'not_a_list_of_strings'],
    ['required checkbox unticked', field('checkbox', { required: true }), false, 'required'],
    ['checkbox as text', field('checkbox'), 'yes', 'not_a_boolean'],
    ['date that does not exist', field('date'), '2026-02-30', 'invalid_date'],
    ['date', field('date'), '2024-02-29', null],
  ])('%s', (_label, f, value, reason) => {
    const result = checkFieldValue(f, value);
    expect('reason' in result ? result.reason : null).toBe(reason);
  });

  it('reports every bad field at once, refuses unknown keys and drops blank optional ones', () => {
    const fields = [field('text', { key: 'name', required: true }), field('email', { key: 'email' }), field('number', { key: 'n', min: 1 })];
    expect(validateFormValues(fields, { name: '', email: '   ', n: 0, extra: 'x' })).toEqual({
      values: {},
      details: [
        { field: 'values.extra', reason: 'unknown_field' },
        { field: 'values.name', reason: 'required' },
        { field: 'values.n', reason: 'below_min' },
      ],
    });
  });
});
