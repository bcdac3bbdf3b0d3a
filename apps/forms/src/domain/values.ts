import { ErrorDetail } from '@widget/common';
import { FieldValue, FormField, validateFormValues } from '@widget/contracts';

export type { FieldValue };

/**
 * Checks every value against the form and reports every bad field at once, by the rules the widget's frame
 * checks too (libs/contracts/src/form-values.ts). Blank optional fields are dropped; unknown keys are refused.
 */
export function validateValues(fields: FormField[], values: Record<string, unknown>): { values: Record<string, FieldValue>; details: ErrorDetail[] } {
  return validateFormValues(fields, values);
}
