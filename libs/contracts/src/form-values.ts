/**
 * The rules a ticket form's values follow (SPEC §7), written once for both sides: the forms service refuses
 * what they refuse, and the widget's frame says so before sending. Zod-free, so the frame bundles them
 * (`@widget/contracts/form-values`); the definitions' own schema is in forms.ts.
 */

/** The longest value a field accepts, whatever its own maxLength says. */
export const FORM_VALUE_LENGTH_MAX: Record<'text' | 'textarea' | 'email', number> = { text: 1000, textarea: 10_000, email: 254 };
/** A field with a pattern never tests a longer value, so even a slow pattern has a bounded cost. */
export const FORM_PATTERN_VALUE_LENGTH_MAX = 1000;

/** What the rules read of a field (a FormField of forms.ts is one). */
export interface FormFieldRules {
  key: string;
  type: 'text' | 'textarea' | 'email' | 'number' | 'select' | 'multiselect' | 'checkbox' | 'date';
  required?: boolean;
  maxLength?: number;
  pattern?: string;
  min?: number;
  max?: number;
  options?: string[];
}

export type FieldValue = string | number | boolean | string[];

/** Why a value is refused: the `reason` of its validation_error detail (`values.<key>`). */
export type FormValueProblem =
  | 'required'
  | 'unknown_field'
  | 'not_a_string'
  | 'too_long'
  | 'invalid_email'
  | 'pattern_mismatch'
  | 'not_a_number'
  | 'below_min'
  | 'above_max'
  | 'not_an_option'
  | 'not_a_list_of_strings'
  | 'duplicate_option'
  | 'not_a_boolean'
  | 'invalid_date';

// Deliberately plain: one @, no spaces, a dot in the domain (what a support form needs).
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Not filled in: absent, null, blank after trimming (`'  '` too), or an empty choice list. */
export function isBlankValue(field: Pick<FormFieldRules, 'type'>, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'string') return value.trim() === '';
  return field.type === 'multiselect' && Array.isArray(value) && value.length === 0;
}

function validDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** As HTML's pattern attribute: the whole value must match. A pattern that does not compile matches nothing. */
function matches(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`, 'u').test(value);
  } catch {
    return false;
  }
}

/** The longest value a textual field takes: its own maxLength, the type's bound, and the pattern's. */
export function valueLengthMax(field: FormFieldRules & { type: 'text' | 'textarea' | 'email' }): number {
  return Math.min(field.maxLength ?? Infinity, FORM_VALUE_LENGTH_MAX[field.type], field.pattern ? FORM_PATTERN_VALUE_LENGTH_MAX : Infinity);
}

/** One field's (non-blank) value: the normalized value, or why it is refused. */
export function checkFieldValue(field: FormFieldRules, raw: unknown): { value: FieldValue } | { reason: FormValueProblem } {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email': {
      if (typeof raw !== 'string') return { reason: 'not_a_string' };
      const value = field.type === 'email' ? raw.trim() : raw;
      if (value.length > valueLengthMax({ ...field, type: field.type })) return { reason: 'too_long' };
      if (field.type === 'email' && !EMAIL.test(value)) return { reason: 'invalid_email' };
      if (field.pattern && !matches(field.pattern, value)) return { reason: 'pattern_mismatch' };
      return { value };
    }
    case 'number': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return { reason: 'not_a_number' };
      if (field.min !== undefined && raw < field.min) return { reason: 'below_min' };
      if (field.max !== undefined && raw > field.max) return { reason: 'above_max' };
      return { value: raw };
    }
    case 'select': {
      if (typeof raw !== 'string') return { reason: 'not_a_string' };
      if (!field.options?.includes(raw)) return { reason: 'not_an_option' };
      return { value: raw };
    }
    case 'multiselect': {
      if (!Array.isArray(raw) || raw.some((v) => typeof v !== 'string')) return { reason: 'not_a_list_of_strings' };
      if (raw.some((v) => !field.options?.includes(v as string))) return { reason: 'not_an_option' };
      if (new Set(raw).size !== raw.length) return { reason: 'duplicate_option' };
      return { value: raw as string[] };
    }
    case 'checkbox': {
      if (typeof raw !== 'boolean') return { reason: 'not_a_boolean' };
      // As HTML: a required checkbox ("I agree") must be ticked.
      if (field.required && raw !== true) return { reason: 'required' };
      return { value: raw };
    }
    case 'date': {
      if (typeof raw !== 'string' || !validDate(raw)) return { reason: 'invalid_date' };
      return { value: raw };
    }
  }
}

/**
 * Checks every value against the form and reports every bad field at once (`field` is `values.<key>`).
 * Blank optional fields are dropped; keys the form does not have are refused.
 */
export function validateFormValues(
  fields: readonly FormFieldRules[],
  values: Record<string, unknown>,
): { values: Record<string, FieldValue>; details: { field: string; reason: FormValueProblem }[] } {
  const details: { field: string; reason: FormValueProblem }[] = [];
  const clean: Record<string, FieldValue> = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) details.push({ field: `values.${key}`, reason: 'unknown_field' });
  }
  for (const field of fields) {
    const raw = Object.prototype.hasOwnProperty.call(values, field.key) ? values[field.key] : undefined;
    if (isBlankValue(field, raw)) {
      if (field.required) details.push({ field: `values.${field.key}`, reason: 'required' });
      continue;
    }
    const result = checkFieldValue(field, raw);
    if ('reason' in result) details.push({ field: `values.${field.key}`, reason: result.reason });
    else clean[field.key] = result.value;
  }
  return { values: clean, details };
}
