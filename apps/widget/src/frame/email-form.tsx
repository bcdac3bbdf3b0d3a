import { SupportChatError } from '@widget/sdk/core';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from './i18n';

/**
 * The visitor's email asked for inline: the offline prompt (availability.tsx) and the transcript's "what is your
 * email?" (views/transcript.tsx). It checks the address itself (no browser bubble), says a refusal in an alert, and
 * leaves what happens with the address to `onSave` (which throws to refuse it).
 */
export function EmailForm(props: {
  /** Prefix of the element ids: two forms can be in the panel at once. */
  id: string;
  text: string;
  saveLabel: string;
  onSave: (email: string) => Promise<void>;
  onDismiss?: () => void;
  dismissLabel?: string;
  /** Focus the field when the form appears (it appeared because the visitor asked for something). */
  focus?: boolean;
}) {
  const { id } = props;
  const [email, setEmail] = useState('');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    if (props.focus) input.current?.focus();
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    const value = email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) {
      setError(t('invalidEmail'));
      input.current?.focus();
      return;
    }
    setError(null);
    setSaving(true);
    try {
      await props.onSave(value);
    } catch (err) {
      setError(t('error', { message: SupportChatError.from(err).message }));
      setSaving(false);
    }
  };
  return (
    <form class="email-prompt" onSubmit={submit} noValidate aria-labelledby={`${id}-h`} data-testid={id}>
      <p id={`${id}-h`} class="email-prompt-text">
        {props.text}
      </p>
      <label class="sr-only" for={`${id}-input`}>
        {t('emailLabel')}
      </label>
      <div class="inline">
        <input
          id={`${id}-input`}
          ref={input}
          type="email"
          autocomplete="email"
          inputMode="email"
          placeholder={t('emailPlaceholder')}
          value={email}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
        <button type="submit" class="primary" disabled={saving}>
          {props.saveLabel}
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} class="error" role="alert">
          {error}
        </p>
      )}
      {props.onDismiss && (
        <button type="button" class="link email-dismiss" onClick={props.onDismiss}>
          {props.dismissLabel ?? t('emailDismiss')}
        </button>
      )}
    </form>
  );
}
