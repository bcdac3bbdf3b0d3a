import { useCallback, useState } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { Problem, SettingsForm, ShownOnce, useLoad } from './use-load';

/** Workspace API keys: created (the secret is shown once, here), listed without secrets, revoked at once. */
export function ApiKeysPage({ team }: { team: TeamApi }) {
  const { data, error, change } = useLoad(useCallback(() => team.apiKeys(), [team]));
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <Problem error={error} />
      {(data?.data ?? []).length === 0 ? (
        <p class="empty">No API keys.</p>
      ) : (
        <ul class="settings-list">
          {data!.data.map((k) => (
            <li key={k.id}>
              <span class="said" dir="auto">
                {k.name}
              </span>{' '}
              <span class="hint">
                {k.role} · last used {k.lastUsedAt ? new Date(k.lastUsedAt).toLocaleString() : 'never'}
              </span>{' '}
              <button type="button" class="link" onClick={() => void change(() => team.revokeApiKey(k.id))}>
                Revoke<span class="visually-hidden"> {k.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      <SettingsForm
        title="Create a key"
        submit={async (f) => {
          const name = String(f.get('name'));
          const created = await change(() => team.createApiKey({ name, role: String(f.get('role')) as 'admin' | 'agent' }));
          if (created) setSecret({ name, secret: created.secret });
          return created !== null;
        }}
      >
        <label>
          Name <input name="name" required maxLength={120} autoComplete="off" />
        </label>
        <label>
          Role{' '}
          <select name="role" defaultValue="agent">
            <option value="agent">agent</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit">Create key</button>
      </SettingsForm>
      {secret && (
        <ShownOnce
          text={
            <>
              The secret of <span class="said">{secret.name}</span>. Copy it now: it is shown only once and cannot be read again.
            </>
          }
          secret={secret.secret}
          onDone={() => setSecret(null)}
        />
      )}
    </section>
  );
}
