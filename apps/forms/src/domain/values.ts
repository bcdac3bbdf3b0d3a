import { ErrorDetail } from '@widget/common';
import { FORM_PATTERN_VALUE_LENGTH_MAX, FORM_VALUE_LENGTH_MAX, FormField } from '@widget/contracts';

export type FieldValue = string | number | boolean | string[];

// Deliberately plain: one @, no spaces, a dot in the domain (what a support form needs).
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Not filled in: absent, null, '' (after trim), or an empty choice list. */
function isBlank(field: FormField, value: unknown): boolean {
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

/** One field's value: the normalized value, or the reason it is refused. */
function checkField(field: FormField, raw: unknown): { value: FieldValue } | { reason: string } {
  switch (field.type) {
    case 'text':
    case 'textarea':
    case 'email': {
      if (typeof raw !== 'string') return { reason: 'not_a_string' };
      const value = field.type === 'email' ? raw.trim() : raw;
      const limit = Math.min(field.maxLength ?? Infinity, FORM_VALUE_LENGTH_MAX[field.type], field.pattern ? FORM_PATTERN_VALUE_LENGTH_MAX : Infinity);
      if (value.length > limit) return { reason: 'too_long' };
      if (field.type === 'email' && !EMAIL.test(value)) return { reason: 'invalid_email' };
      // As HTML's pattern attribute: the whole value must match.
      if (field.pattern && !new RegExp(`^(?:${field.pattern})$`, 'u').test(value)) return { reason: 'pattern_mismatch' };
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
 * Checks every value against the form and reports every bad field at once.
 * Blank optional fields are dropped; keys the form does not have are refused.
 */
export function validateValues(fields: FormField[], values: Record<string, unknown>): { values: Record<string, FieldValue>; details: ErrorDetail[] } {
  const details: ErrorDetail[] = [];
  const clean: Record<string, FieldValue> = {};
  const known = new Set(fields.map((f) => f.key));
  for (const key of Object.keys(values)) {
    if (!known.has(key)) details.push({ field: `values.${key}`, reason: 'unknown_field' });
  }
  for (const field of fields) {
    const raw = Object.prototype.hasOwnProperty.call(values, field.key) ? values[field.key] : undefined;
    if (isBlank(field, raw)) {
      if (field.required) details.push({ field: `values.${field.key}`, reason: 'required' });
      continue;
    }
    const result = checkField(field, raw);
    if ('reason' in result) details.push({ field: `values.${field.key}`, reason: result.reason });
    else clean[field.key] = result.value;
  }
  return { values: clean, details };
}
