import { z } from 'zod';
import { Idempotent, idOf, SessionContext } from './common';
import { FORM_VALUE_LENGTH_MAX } from './form-values';
import { Audited, auditLogRpc } from './team';
import { privacyRpcs } from './privacy';
import { event, rpc } from './transport';
import type { WidgetRouting } from './widget';

// Owned by the forms service: its subjects and schemas.

// ---- Limits (SPEC §7; the choices are in docs/forms-events.md) ----
export const FORM_FIELD_TYPES = ['text', 'textarea', 'email', 'number', 'select', 'multiselect', 'checkbox', 'date'] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];
export const FORM_FIELDS_MAX = 50;
export const FORM_OPTIONS_MAX = 100;
export const FORM_OPTION_LENGTH_MAX = 200;
/** Patterns are bounded, and refused when their run time could grow exponentially (see validatePattern). */
export const FORM_PATTERN_LENGTH_MAX = 200;
/** The bounds of a value, and the rules values follow, are in form-values.ts (zod-free: the widget's frame checks them too). */
export { FORM_PATTERN_VALUE_LENGTH_MAX, FORM_VALUE_LENGTH_MAX, validateFormValues } from './form-values';
export type { FieldValue, FormFieldRules, FormValueProblem } from './form-values';
export const CLIENT_SUBMISSION_ID_MAX = 128;

const TEXTUAL = new Set<FormFieldType>(['text', 'textarea', 'email']);
const CHOICE = new Set<FormFieldType>(['select', 'multiselect']);

/**
 * Refuses patterns whose matching can backtrack exponentially: a quantified
 * group that itself holds a quantifier or an alternation (`(a+)+`, `(a|aa)*`),
 * and backreferences. Conservative by design: such patterns are rarely needed
 * for form fields, and the widget API is public.
 */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
  } catch {
    return 'pattern_invalid';
  }
  if (/\\[1-9]|\\k</.test(pattern)) return 'pattern_backreference';
  // Per open group: does it contain a quantifier or an alternation?
  const stack: boolean[] = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === '|') {
      if (stack.length) stack[stack.length - 1] = true;
    } else if (c === ')') {
      const risky = stack.pop() ?? false;
      const next = pattern[i + 1];
      // `?` repeats nothing, so `(?:x+)?` stays linear; `*`, `+` and `{n,m}` repeat the group.
      const repeated = next === '*' || next === '+' || next === '{';
      const quantified = repeated || next === '?';
      if (repeated && risky) return 'pattern_too_complex';
      // A group that holds a quantifier makes its enclosing group risky too.
      if ((risky || quantified) && stack.length) stack[stack.length - 1] = true;
    } else if ((c === '*' || c === '+' || c === '{' || c === '?') && stack.length) {
      // `(?` opens a group modifier, not a quantifier.
      if (!(c === '?' && pattern[i - 1] === '(')) stack[stack.length - 1] = true;
    }
  }
  return null;
}

// ---- Definitions (operator side) ----
export const formFieldSchema = z
  .object({
    key: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must start with a letter: letters, digits, _ (at most 64)'),
    label: z.string().trim().min(1).max(200),
    type: z.enum(FORM_FIELD_TYPES),
    required: z.boolean().default(false),
    options: z.array(z.string().trim().min(1).max(FORM_OPTION_LENGTH_MAX)).min(1).max(FORM_OPTIONS_MAX).optional(),
    maxLength: z.number().int().min(1).max(FORM_VALUE_LENGTH_MAX.textarea).optional(),
    min: z.number().finite().optional(),
    max: z.number().finite().optional(),
    pattern: z.string().min(1).max(FORM_PATTERN_LENGTH_MAX).optional(),
  })
  .strict();
export type FormField = z.infer<typeof formFieldSchema>;

/** Cross-field rules of a definition, each failure named by its path (fields.2.options). */
function checkFields(fields: FormField[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  fields.forEach((f, i) => {
    const at = (name: string, message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['fields', i, name], message });
    if (seen.has(f.key)) at('key', 'duplicate_key');
    seen.add(f.key);
    if (CHOICE.has(f.type)) {
      if (!f.options) at('options', 'options_required');
      else if (new Set(f.options).size !== f.options.length) at('options', 'duplicate_option');
    } else if (f.options !== undefined) at('options', 'options_not_allowed');
    if (f.type !== 'number' && (f.min !== undefined || f.max !== undefined)) at(f.min !== undefined ? 'min' : 'max', 'min_max_not_allowed');
    if (f.min !== undefined && f.max !== undefined && f.min > f.max) at('min', 'min_above_max');
    if (!TEXTUAL.has(f.type)) {
      if (f.maxLength !== undefined) at('maxLength', 'max_length_not_allowed');
      if (f.pattern !== undefined) at('pattern', 'pattern_not_allowed');
    } else if (f.maxLength !== undefined && f.maxLength > FORM_VALUE_LENGTH_MAX[f.type as 'text']) {
      at('maxLength', `must be at most ${FORM_VALUE_LENGTH_MAX[f.type as 'text']}`);
    }
    if (f.pattern !== undefined && TEXTUAL.has(f.type)) {
      const problem = patternProblem(f.pattern);
      if (problem) at('pattern', problem);
    }
  });
}

const fieldsSchema = z.array(formFieldSchema).min(1).max(FORM_FIELDS_MAX);

export const createFormBody = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().max(2000).nullable().optional(),
    fields: fieldsSchema,
  })
  .strict()
  .superRefine((form, ctx) => checkFields(form.fields, ctx));
export type CreateFormBody = z.infer<typeof createFormBody>;

/** PATCH: any of the three; `fields` replaces the whole list and is checked as on create. */
export const updateFormBody = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().max(2000).nullable().optional(),
    fields: fieldsSchema.optional(),
  })
  .strict()
  .superRefine((form, ctx) => {
    if (form.fields) checkFields(form.fields, ctx);
  });
export type UpdateFormBody = z.infer<typeof updateFormBody>;

// ---- Submissions (widget side) ----
export const submissionBody = z
  .object({
    values: z.record(z.unknown(), { invalid_type_error: 'must be an object of field values', required_error: 'is required' }),
    clientSubmissionId: z.string().min(1).max(CLIENT_SUBMISSION_ID_MAX).optional(),
  })
  .strict();
export type SubmissionBody = z.infer<typeof submissionBody>;

export const formIdParam = idOf('form');

// ---- Views ----
/** What a widget session sees (SPEC §7). */
export interface PublicForm {
  id: string;
  name: string;
  description: string | null;
  fields: FormField[];
}

/** The operator view. */
export interface Form extends PublicForm {
  workspaceId: string;
  createdAt: string;
  updatedAt: string;
}

export interface Submission {
  id: string;
  formId: string;
  conversationId: string;
  createdAt: string;
}

// ---- NATS: request/reply ----
/** The gateway passes the widget's visibleFormIds: a form outside it is form_not_found. */
interface WidgetScope {
  session: SessionContext;
  visibleFormIds: string[];
}

export const FormsRpc = {
  list: rpc<WidgetScope, { data: PublicForm[]; nextCursor: null }>('forms.list'),
  get: rpc<WidgetScope & { formId: string }, PublicForm>('forms.get'),
  /** created: false when the clientSubmissionId had been used: the first result again. `routing`: the widget's, for the ticket (SPEC §14). */
  submit: rpc<WidgetScope & { formId: string; routing?: WidgetRouting } & SubmissionBody, { submission: Submission; created: boolean }>('forms.submit'),

  adminCreate: rpc<{ workspaceId: string; body: CreateFormBody } & Idempotent & Audited, Form>('forms.admin.create'),
  adminUpdate: rpc<{ formId: string; patch: UpdateFormBody } & Audited, Form>('forms.admin.update'),
  adminGet: rpc<{ formId: string }, Form>('forms.admin.get'),
  /** The form changes this service recorded (SPEC §14), newest first. */
  auditLog: auditLogRpc('forms'),
  /** SPEC §17: this service's part of erasing and exporting one person. */
  ...privacyRpcs('forms'),
} as const;

// ---- NATS: events ----
/** Emitted once per new submission; the events service records it for analytics. */
export interface FormSubmitted {
  workspaceId: string;
  widgetId: string;
  sessionId: string;
  formId: string;
  submissionId: string;
  conversationId: string;
  at: string;
}

export const FormsEvents = {
  submitted: event<FormSubmitted>('forms.submission.created'),
} as const;
