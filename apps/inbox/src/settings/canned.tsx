import { useCallback } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { Problem, SettingsForm, useLoad } from './use-load';

/** The workspace's canned replies (agents insert them with `/` in the reply box). */
export function CannedPage({ team }: { team: TeamApi }) {
  const { data, error, change } = useLoad(useCallback(() => team.cannedReplies('', 100), [team]));
  return (
    <section aria-labelledby="canned-title">
      <h2 id="canned-title">Canned replies</h2>
      <Problem error={error} />
      {(data?.data ?? []).length === 0 ? (
        <p class="empty">No canned replies yet.</p>
      ) : (
        <ul class="settings-list">
          {data!.data.map((r) => (
            <li key={r.id}>
              <code>/{r.shortcut}</code>{' '}
              <span class="said" dir="auto">
                {r.text}
              </span>{' '}
              <button type="button" class="link" onClick={() => void change(() => team.deleteCannedReply(r.id))}>
                Delete<span class="visually-hidden"> /{r.shortcut}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <SettingsForm
        title="Add a canned reply"
        submit={async (f) => (await change(() => team.createCannedReply({ shortcut: String(f.get('shortcut')), text: String(f.get('text')) }))) !== null}
      >
        <label>
          Shortcut <input name="shortcut" required pattern="[a-z0-9][a-z0-9_\-]{0,31}" title="lower-case letters, digits, - and _" autoComplete="off" />
        </label>
        <label>
          Text <textarea name="text" required rows={3} maxLength={10000} />
        </label>
        <button type="submit">Add</button>
      </SettingsForm>
    </section>
  );
}
