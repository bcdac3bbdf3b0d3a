import { FormValueProblem, validateFormValues, valueLengthMax } from '@widget/contracts/form-values';
import type { FormField, TicketForm } from '@widget/sdk/core';
import { SupportChatError } from '@widget/sdk/core';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { t } from '../i18n';
import { ErrorNote, type Props, useAsync } from './common';

export function FormView({ core, ui, id }: Props & { id: string }) {
  const form = useAsync<TicketForm>(() => core.getForm(id), [id]);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ conversationId: string } | null>(null);
  const [failure, setFailure] = useState<SupportChatError>();
  const submissionId = useMemo(() => `sub_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`, [id]);
  useEffect(() => core.emit('form:opened', { formId: id }), [id]);
  if (form.loading) return <p class="muted">{t('loading')}</p>;
  if (!form.value) return <ErrorNote error={form.error} />;
  const fields = form.value.fields;
  const submit = async (e: Event) => {
    e.preventDefault();
    const found = validate(fields, values);
    setErrors(found);
    if (Object.keys(found).length) return focusFirstError(found);
    setBusy(true);
    setFailure(undefined);
    try {
      const submission = await core.submitForm(id, cleanValues(fields, values), submissionId);
      setDone({ conversationId: submission.conversationId });
    } catch (err) {
      const error = SupportChatError.from(err);
      const details = error.details;
      if (details?.length) {
        const server: Record<string, string> = {};
        for (const d of details) server[d.field.replace(/^values\./, '')] = d.reason;
        setErrors(server);
        focusFirstError(server);
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <div class="done" role="status" data-testid="form-done">
        <p>{t('formSent')}</p>
        <button type="button" class="secondary" onClick={() => ui.update({ view: { name: 'thread', id: done.conversationId } })}>
          {t('viewConversation')}
        </button>
      </div>
    );
  }
  return (
    <form class="ticket" noValidate onSubmit={submit} data-testid="ticket-form" aria-labelledby="form-h">
      <h2 id="form-h">{form.value.name}</h2>
      {form.value.description && <p class="muted">{form.value.description}</p>}
      {fields.map((field) => (
        <Field key={field.key} field={field} value={values[field.key]} error={errors[field.key]} onChange={(value) => setValues({ ...values, [field.key]: value })} />
      ))}
      <ErrorNote error={failure} />
      <button type="submit" class="primary wide" disabled={busy}>
        {busy ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}

function focusFirstError(errors: Record<string, string>): void {
  const first = Object.keys(errors)[0];
  if (first) setTimeout(() => document.getElementById(`f-${first}`)?.focus(), 0);
}

function Field({ field, value, error, onChange }: { field: FormField; value: unknown; error?: string; onChange: (value: unknown) => void }) {
  const id = `f-${field.key}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: field.key,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'aria-required': field.required ? true : undefined,
  };
  const label = (
    <label for={id}>
      {field.label}
      {field.required && <span aria-hidden="true"> *</span>}
    </label>
  );
  let control;
  switch (field.type) {
    case 'textarea':
      control = <textarea {...common} rows={4} maxLength={field.maxLength} value={(value as string) ?? ''} onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)} />;
      break;
    case 'select':
      control = (
        <select {...common} value={(value as string) ?? ''} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          <option value="">{t('selectPlaceholder')}</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'multiselect':
      control = (
        <select
          {...common}
          multiple
          onChange={(e) => onChange(Array.from((e.target as HTMLSelectElement).selectedOptions, (o) => o.value))}
        >
          {(field.options ?? []).map((o) => (
            <option key={o} value={o} selected={Array.isArray(value) && value.includes(o)}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'checkbox':
      return (
        <div class="field check">
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
          {label}
          {error && (
            <p class="field-error" id={errorId}>
              {error}
            </p>
          )}
        </div>
      );
    default:
      control = (
        <input
          {...common}
          type={(field.type === 'email' || field.type === 'number' || field.type === 'date' ? field.type : 'text') as 'text'}
          maxLength={field.maxLength}
          min={field.min}
          max={field.max}
          value={(value as string) ?? ''}
          onInput={(e) => onChange((e.target as HTMLInputElement).value)}
        />
      );
  }
  return (
    <div class="field">
      {label}
      {control}
      {error && (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/**
 * The rules the forms service applies (libs/contracts/src/form-values.ts), checked here on the values as they
 * will be sent, so what the frame lets through the server takes (a blank `'  '` is as empty here as there).
 */
function validate(fields: FormField[], values: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { field: path, reason } of validateFormValues(fields, cleanValues(fields, values)).details) {
    const field = fields.find((f) => `values.${f.key}` === path);
    if (field) errors[field.key] = problemText(field, reason);
  }
  return errors;
}

function problemText(field: FormField, reason: FormValueProblem): string {
  if (reason === 'required') return t('required');
  if (reason === 'invalid_email') return t('invalidEmail');
  if (reason === 'too_long' && (field.type === 'text' || field.type === 'textarea' || field.type === 'email')) return t('tooLong', { max: valueLengthMax({ ...field, type: field.type }) });
  return t('invalidPattern');
}

function cleanValues(fields: FormField[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (value === undefined || value === '') continue;
    out[field.key] = field.type === 'number' ? Number(value) : value;
  }
  return out;
}
