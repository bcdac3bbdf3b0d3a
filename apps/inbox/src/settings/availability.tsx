import type { OpeningHours, ReplyTime, Weekday, Widget } from '@widget/contracts';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { Problem, useLoad } from './use-load';

// The contracts' lists, typed against them (the page imports no runtime code of @widget/contracts: it would bring zod).
const WEEKDAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const REPLY_LABEL: Record<ReplyTime, string> = { minutes: 'in a few minutes', hours: 'in a few hours', day: 'within a day' };
const DEFAULT_HOURS: OpeningHours = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], open: '09:00', close: '18:00' };

interface Draft {
  timezone: string;
  hours: OpeningHours[];
  replyTime: ReplyTime | '';
}

const draftOf = (w: Widget): Draft => ({
  timezone: w.availability?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
  hours: w.availability?.hours ?? [],
  replyTime: w.availability?.replyTime ?? '',
});

/** SPEC §15 for one widget: its time zone, opening hours and the reply time the widget shows (PATCH replaces the section). */
export function AvailabilityPage({ team }: { team: TeamApi }) {
  const { data, error, change } = useLoad(useCallback(() => team.widgets(), [team]));
  const widgets = data?.data ?? [];
  const [widgetId, setWidgetId] = useState<string | null>(null);
  const widget = widgets.find((w) => w.id === widgetId) ?? widgets[0];
  const [draft, setDraft] = useState<Draft | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(widget ? draftOf(widget) : null), [widget]);

  if (!data) return <Problem error={error} />;
  if (!widget || !draft) return <p class="empty">This workspace has no widget yet.</p>;
  const setHours = (i: number, next: OpeningHours | null) =>
    setDraft({ ...draft, hours: next ? draft.hours.map((h, j) => (j === i ? next : h)) : draft.hours.filter((_, j) => j !== i) });
  const toggleDay = (i: number, day: Weekday) => {
    const h = draft.hours[i];
    const days = h.days.includes(day) ? h.days.filter((d) => d !== day) : WEEKDAYS.filter((d) => d === day || h.days.includes(d));
    setHours(i, { ...h, days });
  };
  return (
    <section aria-labelledby="availability-title">
      <h2 id="availability-title">Availability</h2>
      <Problem error={error} />
      {widgets.length > 1 && (
        <label>
          Widget{' '}
          <select value={widget.id} onChange={(e) => setWidgetId((e.currentTarget as HTMLSelectElement).value)}>
            {widgets.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <form
        class="settings-form"
        onSubmit={(e) => {
          e.preventDefault();
          setSaved(false);
          const availability = { timezone: draft.timezone, hours: draft.hours, ...(draft.replyTime ? { replyTime: draft.replyTime } : {}) };
          void change(() => team.patchWidget(widget.id, { availability })).then((w) => setSaved(w !== null));
        }}
      >
        <label>
          Time zone <input value={draft.timezone} required onInput={(e) => setDraft({ ...draft, timezone: (e.currentTarget as HTMLInputElement).value })} />
        </label>
        <label>
          Reply time shown to visitors{' '}
          <select value={draft.replyTime} onChange={(e) => setDraft({ ...draft, replyTime: (e.currentTarget as HTMLSelectElement).value as ReplyTime | '' })}>
            <option value="">Not shown</option>
            {(Object.keys(REPLY_LABEL) as ReplyTime[]).map((r) => (
              <option key={r} value={r}>
                {REPLY_LABEL[r]}
              </option>
            ))}
          </select>
        </label>
        <h3>Opening hours {draft.hours.length === 0 && <span class="hint">(none: always within hours)</span>}</h3>
        {draft.hours.map((h, i) => (
          <fieldset key={i} class="hours">
            <legend>Range {i + 1}</legend>
            {WEEKDAYS.map((d) => (
              <label key={d} class="day">
                <input type="checkbox" checked={h.days.includes(d)} onChange={() => toggleDay(i, d)} /> {d}
              </label>
            ))}
            <label>
              From <input value={h.open} required pattern="([01]\d|2[0-3]):[0-5]\d" title="HH:MM, 24-hour" onInput={(e) => setHours(i, { ...h, open: (e.currentTarget as HTMLInputElement).value })} />
            </label>
            <label>
              To <input value={h.close} required pattern="([01]\d|2[0-3]):[0-5]\d|24:00" title="HH:MM, 24-hour, or 24:00" onInput={(e) => setHours(i, { ...h, close: (e.currentTarget as HTMLInputElement).value })} />
            </label>
            <button type="button" class="link" onClick={() => setHours(i, null)}>
              Remove range {i + 1}
            </button>
          </fieldset>
        ))}
        <button type="button" class="secondary-inline" onClick={() => setDraft({ ...draft, hours: [...draft.hours, DEFAULT_HOURS] })}>
          Add a range
        </button>
        <button type="submit">Save availability</button>
        {saved && <p role="status">Saved.</p>}
      </form>
    </section>
  );
}
