import { useCallback } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { Problem, useLoad } from './use-load';

/** SPEC §16 webhooks: what the workspace has (managed through the API); a server without them says so. */
export function WebhooksPage({ team }: { team: TeamApi }) {
  const { data, error } = useLoad(useCallback(() => team.webhooks() ?? Promise.resolve(null), [team]));
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <Problem error={error} />
      {data === null && !error ? (
        <p class="empty">Webhooks are not available on this server.</p>
      ) : (data?.data ?? []).length === 0 ? (
        <p class="empty">No webhooks. Add one with POST /admin/v1/workspaces/{team.workspaceId}/webhooks.</p>
      ) : (
        <ul class="settings-list">
          {data!.data.map((w) => (
            <li key={w.id}>
              <span class="said">{w.url}</span> <span class="hint">{(w.events ?? []).join(', ') || 'every event'}</span>{' '}
              <span class={`mark ${w.enabled === false ? 'mark-unverified' : 'mark-verified'}`}>{w.enabled === false ? 'disabled' : 'enabled'}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
