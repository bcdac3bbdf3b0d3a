import { useCallback } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { Problem, useLoad } from './use-load';

/** SPEC §16 webhooks: what the workspace has, read-only (they are registered and changed through the operator API). */
export function WebhooksPage({ team }: { team: TeamApi }) {
  const { data, error } = useLoad(useCallback(() => team.webhooks(), [team]));
  const hooks = data?.data ?? [];
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">Webhooks</h2>
      <Problem error={error} />
      {data && hooks.length === 0 ? (
        <p class="empty">
          No webhooks. Register one with <code>POST /admin/v1/workspaces/{team.workspaceId}/webhooks</code>.
        </p>
      ) : (
        <ul class="settings-list">
          {hooks.map((w) => (
            <li key={w.id}>
              <span class="said">{w.url}</span> <span class="hint">{w.events.join(', ')}</span>{' '}
              <span class={`mark ${w.enabled ? 'mark-verified' : 'mark-unverified'}`}>{w.enabled ? 'enabled' : `disabled${w.disabledReason ? `: ${w.disabledReason}` : ''}`}</span>
              {w.description && (
                <span class="hint said" dir="auto">
                  {' '}
                  {w.description}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
