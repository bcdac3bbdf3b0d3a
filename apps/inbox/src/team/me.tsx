import type { PresenceStatus } from '@widget/contracts';
import { initials, tint } from './avatar';
import type { NotifyPermission } from './use-notifications';

export function Avatar({ id, name, presence }: { id: string; name: string; presence?: string }) {
  return (
    <span class={`avatar ${tint(id)}${presence ? ` presence-${presence}` : ''}`} aria-hidden="true">
      {initials(name)}
    </span>
  );
}

interface MeProps {
  me: { id: string; name: string };
  presence: PresenceStatus;
  onPresence(status: PresenceStatus): void;
  permission: NotifyPermission;
  onAskNotifications(): void;
  /** Owners and admins only. */
  onSettings?: () => void;
  settingsOpen: boolean;
}

/** The agent's own name and avatar, presence (online/away), desktop notifications and, for owners and admins, the settings. */
export function MeBar(props: MeProps) {
  const away = props.presence === 'away';
  return (
    <div class="me-bar">
      <span class="me">
        <Avatar id={props.me.id} name={props.me.name} presence={props.presence} />
        <span class="me-name" dir="auto">
          {props.me.name}
        </span>
      </span>
      <button type="button" class={`presence-toggle ${away ? 'is-away' : 'is-online'}`} aria-pressed={!away} onClick={() => props.onPresence(away ? 'online' : 'away')}>
        {away ? 'Away' : 'Online'}
        <span class="visually-hidden">{away ? ' (press to go online)' : ' (press to go away)'}</span>
      </button>
      {props.permission === 'default' && (
        <button type="button" class="link" onClick={props.onAskNotifications}>
          Turn on desktop notifications
        </button>
      )}
      {props.permission === 'denied' && <span class="hint">Notifications are blocked in this browser.</span>}
      {props.onSettings && (
        <button type="button" class="link" aria-pressed={props.settingsOpen} onClick={props.onSettings}>
          {props.settingsOpen ? 'Back to the inbox' : 'Settings'}
        </button>
      )}
    </div>
  );
}
