import type { ChatCore } from '@widget/sdk/core';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { EmailForm } from './email-form';
import { isolated, t } from './i18n';
import type { Messages } from './i18n/en';
import type { UiState } from './ui-state';

/**
 * SPEC §15 in the panel: when a reply can be expected and, when nobody is there, the visitor's email asked for
 * inline in a conversation (once they have written: then a reply has somewhere to go), once (a submission or a
 * dismissal is remembered for the widget, in the frame's storage, under the same consent as the session). What /config
 * said is refreshed when the panel opens and every REFRESH_MS while it stays open, so what the panel shows is at
 * most that old (docs/api.md, "Availability").
 */
export const REFRESH_MS = 60_000;
const PROMPT_FLAG = 'offlineEmailPrompt';

const REPLY_LINES: Record<'minutes' | 'hours' | 'day', keyof Messages> = { minutes: 'replyMinutes', hours: 'replyHours', day: 'replyDay' };

export function Availability({ core, ui }: { core: ChatCore; ui: UiState }) {
  useEffect(() => {
    const refresh = () => void core.refreshAvailability().catch(() => undefined);
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, [core]);
  const availability = core.config?.availability;
  if (!availability) return null;
  const lines: string[] = [];
  if (!availability.online) lines.push(availability.nextOpenAt ? t('awayUntil', { time: whenBack(new Date(availability.nextOpenAt)) }) : t('away'));
  if (availability.replyTime) lines.push(t(REPLY_LINES[availability.replyTime]));
  return (
    <div class={`availability ${availability.online ? 'online' : 'offline'}`} data-testid="availability">
      {lines.length > 0 && (
        <p class="availability-line" role="status">
          <span class="dot" aria-hidden="true" />
          {lines.join(' ')}
        </p>
      )}
      {!availability.online && ui.view.name === 'thread' && <EmailPrompt core={core} />}
    </div>
  );
}

/** The visitor's local time of the next opening: the time today, the weekday and time within a week, else the date. */
export function whenBack(at: Date, now = new Date()): string {
  const sameDay = at.toDateString() === now.toDateString();
  const withinWeek = at.getTime() - now.getTime() < 6 * 86_400_000;
  const format = new Intl.DateTimeFormat(
    document.documentElement.lang || undefined,
    sameDay ? { hour: '2-digit', minute: '2-digit' } : withinWeek ? { weekday: 'long', hour: '2-digit', minute: '2-digit' } : { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  );
  return format.format(at);
}

export function knownEmail(core: ChatCore): string | null {
  const session = core.session as { user?: { email?: string | null } | null; visitor?: { email?: string | null } | null } | null;
  return session?.user?.email ?? session?.visitor?.email ?? null;
}

function EmailPrompt({ core }: { core: ChatCore }) {
  const [asked] = useState(() => core.uiFlag(PROMPT_FLAG));
  const [state, setState] = useState<'asking' | 'saved' | 'dismissed'>('asking');
  const [email, setEmail] = useState('');
  const doneRef = useRef<HTMLParagraphElement>(null);
  useLayoutEffect(() => {
    if (state === 'saved') doneRef.current?.focus();
    // Dismissed: focus stays in the panel, on its first control after the prompt is gone (in the same commit
    // that removed the focused button, so it is never left on the page's body).
    if (state === 'dismissed') (document.querySelector<HTMLElement>('.panel [data-autofocus]') ?? document.querySelector<HTMLElement>('.panel .body button, .panel .body textarea'))?.focus();
  }, [state]);
  if (state === 'saved') {
    return (
      <p class="availability-done" role="status" tabIndex={-1} ref={doneRef} data-testid="email-saved">
        {t('emailSaved', { email: isolated(email) })}
      </p>
    );
  }
  if (asked || state === 'dismissed' || !core.session || knownEmail(core)) return null;

  const save = async (value: string) => {
    await core.update({ user: { email: value } });
    core.uiFlag(PROMPT_FLAG, true);
    setEmail(value);
    setState('saved');
  };
  const dismiss = () => {
    core.uiFlag(PROMPT_FLAG, true);
    setState('dismissed');
  };
  return <EmailForm id="email-prompt" text={t('emailPrompt')} saveLabel={t('emailSave')} onSave={save} onDismiss={dismiss} />;
}
