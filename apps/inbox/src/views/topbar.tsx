import type { FeedState } from '../hooks/use-feed';
import { Said } from './text';

const FEED_LABEL: Record<FeedState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };

interface TopbarProps {
  workspaceId: string;
  operatorName: string;
  feed: FeedState;
  onSignOut(): void;
  /** Only for an account in several workspaces. */
  onSwitchWorkspace?: () => void;
}

/** The page's header: the workspace, the feed's state, who is signed in. */
export function Topbar(props: TopbarProps) {
  return (
    <header class="topbar">
      <h1>Inbox</h1>
      <span class="workspace" title="Workspace">
        {props.workspaceId}
      </span>
      {props.onSwitchWorkspace && (
        <button type="button" class="link" onClick={props.onSwitchWorkspace}>
          Switch workspace
        </button>
      )}
      <span class={`feed feed-${props.feed}`} role="status">
        {FEED_LABEL[props.feed]}
      </span>
      <span class="agent">
        Signed in as <Said text={props.operatorName} />
      </span>
      <button type="button" class="link" onClick={props.onSignOut}>
        Sign out
      </button>
    </header>
  );
}

/** A refusal in words, until dismissed. */
export function Banner({ error, onDismiss }: { error: string | null; onDismiss: () => void }) {
  if (!error) return null;
  return (
    <div class="banner" role="alert">
      <span>{error}</span>
      <button type="button" class="link" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
