import type { Attachment, ChatCore } from '@widget/sdk/core';
import { SupportChatError } from '@widget/sdk/core';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n';
import type { UiState } from '../ui-state';

/** What the panel's views share: their props, loading state, error note, and how a message is named. */
export interface Props {
  core: ChatCore;
  ui: UiState;
}

export function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { value?: T; error?: SupportChatError; loading: boolean } {
  const [state, setState] = useState<{ value?: T; error?: SupportChatError; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    setState({ loading: true });
    fn().then(
      (value) => live && setState({ value, loading: false }),
      (err) => live && setState({ error: SupportChatError.from(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

export function ErrorNote({ error }: { error?: SupportChatError }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {t('error', { message: error.message })}
    </p>
  );
}

/** A message of files only, in a list: its files' names. */
export function filesSummary(m: { attachments?: Attachment[] }): string {
  return (m.attachments ?? []).map((a) => a.name).join(', ');
}

export function authorName(m: { author: { type: string; name: string | null } }): string {
  if (m.author.type === 'user') return t('you');
  return m.author.name ?? t(m.author.type === 'bot' ? 'bot' : m.author.type === 'system' ? 'system' : 'agent');
}

export const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** A list row's title and the line under it (when there is one), each in the direction of its own text. */
export function RowText({ title, sub }: { title: string; sub?: string | null }) {
  return (
    <span class="row-main">
      <span class="row-title" dir="auto">
        {title}
      </span>
      {sub && (
        <span class="row-sub" dir="auto">
          {sub}
        </span>
      )}
    </span>
  );
}
