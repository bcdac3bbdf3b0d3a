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

/** A form's field values, read by name. */
export const fieldsOf = (form: HTMLFormElement) => new FormData(form);
