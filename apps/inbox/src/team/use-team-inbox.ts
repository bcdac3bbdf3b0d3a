import type { Conversation, Message, OperatorConversation, Role } from '@widget/contracts';
import type { OperatorApi } from '@widget/sdk/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { canManage } from '../settings/settings';
import './team.css';
import { TeamApi } from './team-api';
import { useNotifications } from './use-notifications';
import { useTeam } from './use-team';
import { useViews } from './use-views';
import { useVisitorRead } from './use-visitor-read';

interface Deps {
  api: OperatorApi;
  workspaceId: string;
  me: { id: string; name: string };
  role: Role | undefined;
  upsert(c: Conversation[]): void;
  fail(err: unknown): void;
  open(id: string): void;
  /** The feed's state: the member list is read again whenever it goes live (this agent's own socket counts for presence). */
  feedState: string;
  /** The conversation on screen, if any. */
  selectedId: string | null;
  detail: OperatorConversation | null;
}

/**
 * Issue 21's inbox for a team, in one place for the page: views and counts, teammates and presence,
 * notifications and the title count, the visitor's read position, the settings switch. The page passes feed
 * events in (`message`, `conversation`, `read`) and draws the pieces.
 */
export function useTeamInbox(deps: Deps) {
  const { api, workspaceId, me, fail, upsert, selectedId, detail } = deps;
  const team = useMemo(() => new TeamApi(api, workspaceId), [api, workspaceId]);
  const views = useViews(team, me.id, upsert, fail);
  const people = useTeam(team, me.id, fail);
  const visitorRead = useVisitorRead();
  const selected = useRef(selectedId);
  selected.current = selectedId;
  const onScreen = useCallback((id: string) => selected.current === id && document.visibilityState === 'visible' && document.hasFocus(), []);
  const notifications = useNotifications(me.id, onScreen, deps.open);
  const [settingsOpen, setSettingsOpen] = useState(false);

  const { reload } = people;
  useEffect(() => {
    if (deps.feedState === 'live') void reload();
  }, [deps.feedState, reload]);
  useEffect(() => {
    if (selectedId) notifications.opened(selectedId);
  }, [selectedId, notifications.opened]);
  useEffect(() => {
    if (detail) visitorRead.read(detail.id, detail.visitorLastReadMessageId);
  }, [detail, visitorRead.read]);

  const { recount } = views;
  const feed = useMemo(
    () => ({
      message: (c: Conversation, m: Message) => {
        notifications.message(c, m);
        recount();
      },
      conversation: () => recount(),
      read: (payload: { conversationId: string; lastReadMessageId: string | null }) => visitorRead.read(payload.conversationId, payload.lastReadMessageId),
    }),
    [notifications.message, recount, visitorRead.read],
  );

  const myRole = canManage(deps.role) ? deps.role : null;
  return {
    team,
    views,
    people,
    notifications,
    readPositions: visitorRead.positions,
    feed,
    myRole,
    settingsOpen: myRole !== null && settingsOpen,
    toggleSettings: myRole ? () => setSettingsOpen((o) => !o) : undefined,
  };
}
