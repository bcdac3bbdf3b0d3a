import type { Role } from '@widget/contracts';
import { useCallback, useState } from 'preact/hooks';
import type { TeamApi } from '../team/team-api';
import { Problem, SettingsForm, ShownOnce, useLoad } from './use-load';

/** Every role, lowest first (the contracts' ROLES, typed against Role). */
const ROLES: Role[] = ['agent', 'admin', 'owner'];

/** Members: invite (the invitation token is shown once), change a role, remove (asked twice). Only an owner makes owners. */
export function MembersPage({ team, myRole, meId }: { team: TeamApi; myRole: Role; meId: string }) {
  const { data, error, change } = useLoad(useCallback(() => team.members(), [team]));
  const [invited, setInvited] = useState<{ email: string; token: string } | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  const roles = ROLES.filter((r) => myRole === 'owner' || r !== 'owner');
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <Problem error={error} />
      <table class="settings-table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {(data?.data ?? []).map((m) => (
            <tr key={m.id}>
              <td class="said" dir="auto">
                {m.name}
              </td>
              <td class="said">{m.email}</td>
              <td>
                <select
                  aria-label={`Role of ${m.name}`}
                  value={m.role}
                  disabled={m.id === meId || (m.role === 'owner' && myRole !== 'owner')}
                  onChange={(e) => void change(() => team.setRole(m.id, (e.currentTarget as HTMLSelectElement).value as Role))}
                >
                  {(m.role === 'owner' && myRole !== 'owner' ? ROLES : roles).map((r) => (
                    <option key={r} value={r}>
                      {r}
                    </option>
                  ))}
                </select>
              </td>
              <td>{m.status === 'invited' ? 'invited' : (m.presence ?? 'offline')}</td>
              <td>
                {m.id !== meId &&
                  (removing === m.id ? (
                    <button type="button" class="danger" onClick={() => void change(() => team.removeMember(m.id)).then(() => setRemoving(null))}>
                      Confirm: remove {m.name}
                    </button>
                  ) : (
                    <button type="button" class="link" onClick={() => setRemoving(m.id)}>
                      Remove<span class="visually-hidden"> {m.name}</span>
                    </button>
                  ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <SettingsForm
        title="Invite someone"
        submit={async (f) => {
          const email = String(f.get('email'));
          const sent = await change(() => team.invite({ email, name: String(f.get('name')), role: String(f.get('role')) as Role }));
          if (sent) setInvited({ email, token: sent.inviteToken });
          return sent !== null;
        }}
      >
        <label>
          Email <input name="email" type="email" required maxLength={254} autoComplete="off" />
        </label>
        <label>
          Name <input name="name" required maxLength={120} autoComplete="off" />
        </label>
        <label>
          Role{' '}
          <select name="role" defaultValue="agent">
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Invite</button>
      </SettingsForm>
      {invited && (
        <ShownOnce
          text={
            <>
              Invitation for <span class="said">{invited.email}</span>. Give them this token now: it is shown only once (they choose a password with it).
            </>
          }
          secret={invited.token}
          onDone={() => setInvited(null)}
        />
      )}
    </section>
  );
}
