import { JSON_FIELD_MAX_BYTES, MESSAGE_TEXT_MAX, SUBJECT_MAX, FormField } from '@widget/contracts';
import type { FieldValue } from './values';

function show(field: FormField, value: FieldValue): string {
  if (field.type === 'checkbox') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

export function ticketSubject(formName: string): string {
  return formName.slice(0, SUBJECT_MAX);
}

/** The first message of the ticket: one "Label: value" line per filled field, in the form's order. */
export function ticketMessage(formName: string, fields: FormField[], values: Record<string, FieldValue>): string {
  const lines = [formName, ''];
  for (const field of fields) {
    if (values[field.key] === undefined) continue;
    lines.push(`${field.label}: ${show(field, values[field.key])}`);
  }
  const text = lines.join('\n');
  return text.length <= MESSAGE_TEXT_MAX ? text : `${text.slice(0, MESSAGE_TEXT_MAX - 1)}…`;
}

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v), 'utf8');

/**
 * The values as the conversation's customFields, which the conversation
 * contract bounds to 8 KB: the largest entries are cut until it fits (the
 * forms service keeps the full values with the submission).
 */
export function ticketCustomFields(values: Record<string, FieldValue>): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = { ...values };
  while (jsonBytes(out) > JSON_FIELD_MAX_BYTES) {
    const [key, value] = Object.entries(out).reduce((a, b) => (jsonBytes(b[1]) > jsonBytes(a[1]) ? b : a));
    if (typeof value === 'string' && value.length > 16) out[key] = `${value.slice(0, Math.floor(value.length / 2))}…`;
    else if (Array.isArray(value) && value.length > 1) out[key] = value.slice(0, Math.ceil(value.length / 2));
    else delete out[key];
  }
  return out;
}
