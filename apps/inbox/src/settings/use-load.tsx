import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { describe } from '../client';

/** One settings page's data: loaded once, loaded again after each change; a failure in words. */
export function useLoad<T>(load: () => Promise<T>) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => load().then(setData, (err: unknown) => setError(describe(err))), [load]);
  useEffect(() => void reload(), [reload]);
  /** Runs a change, then reloads; its refusal is shown (and the page stays as it was). */
  const change = useCallback(
    async <R,>(work: () => Promise<R>): Promise<R | null> => {
      setError(null);
      try {
        const result = await work();
        await reload();
        return result;
      } catch (err) {
        setError(describe(err));
        return null;
      }
    },
    [reload],
  );
  return { data, error, change };
}

export function Problem({ error }: { error: string | null }) {
  return error ? (
    <p class="notice error" role="alert">
      {error}
    </p>
  ) : null;
}

/** A settings form: its fields by name go to `submit`; a true answer (the change went through) empties the form. */
export function SettingsForm({ title, submit, children }: { title: string; submit: (fields: FormData) => Promise<boolean>; children: ComponentChildren }) {
  return (
    <form
      class="settings-form"
      onSubmit={(e) => {
        e.preventDefault();
        const form = e.currentTarget;
        void submit(new FormData(form)).then((done) => done && form.reset());
      }}
    >
      <h3>{title}</h3>
      {children}
    </form>
  );
}

/** A secret shown once (an invitation token, an API key's secret): `Done` forgets it. */
export function ShownOnce({ text, secret, onDone }: { text: ComponentChildren; secret: string; onDone: () => void }) {
  return (
    <div class="once" role="status">
      <p>{text}</p>
      <code class="secret">{secret}</code>
      <button type="button" class="link" onClick={onDone}>
        Done
      </button>
    </div>
  );
}
