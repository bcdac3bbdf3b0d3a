import type { Message } from '@widget/contracts';
import { ConversationChange, isSignedOut } from '@widget/sdk/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useAccount } from './account';
import { useReplyFiles } from './attachments';
import { describe, operatorApi } from './client';
import { useConversations } from './hooks/use-conversations';
import { useDropFiles } from './hooks/use-drop';
import { useFeed } from './hooks/use-feed';
import { useKeyboard } from './hooks/use-keyboard';
import { useMessageLogs } from './hooks/use-messages';
import { useListPaging } from './hooks/use-paging';
import { useReplies } from './hooks/use-replies';
import { useSeen } from './hooks/use-seen';
import { useThread } from './hooks/use-thread';
import { useOwnTyping, useVisitorTyping } from './hooks/use-typing';
import { AccountScreens } from './signin';
import { StatusFilter, visible } from './state';
import type { Session } from './storage';
import { Composer } from './views/composer';
import { Details } from './views/details';
import { Filters } from './views/filters';
import { ConversationList } from './views/list';
import { Shortcuts } from './views/shortcuts';
import { Messages, ThreadHead } from './views/thread';
import { Banner, Topbar } from './views/topbar';
import { Settings } from './settings/settings';
import { AssignTo } from './team/assign';
import { CannedPicker } from './team/canned-picker';
import { MeBar } from './team/me';
import { ComposeMode, NoteBox } from './team/note-box';
import { Teammates } from './team/teammates';
import { useTeamInbox } from './team/use-team-inbox';
import { seenMessageId } from './team/rules';
import { ViewTabs } from './team/view-tabs';

export function App() {
  const account = useAccount();
  if (account.state.stage !== 'ready') return <AccountScreens controls={account} />;
  const { session } = account.state;
  return (
    <Inbox
      key={`${session.token} ${session.workspaceId}`}
      session={session}
      onSignOut={account.signOut}
      onExpired={account.expired}
      onSwitchWorkspace={session.operator.memberships.length > 1 ? () => account.chooseWorkspace(null) : undefined}
    />
  );
}

/** The signed-in page: the hooks (./hooks) hold the state, the views (./views) draw it. */
function Inbox(props: { session: Session; onSignOut: () => void; onExpired: () => void; onSwitchWorkspace?: () => void }) {
  const { session, onExpired } = props;
  const { token, workspaceId, operator } = session;
  const api = useMemo(() => operatorApi({ token, workspaceId }), [token, workspaceId]);
  /** Replies, typing and assignment are this account's (SPEC §14, authorship). */
  const me = useMemo(() => ({ id: operator.id, name: operator.name }), [operator.id, operator.name]);
  const [filter, setFilter] = useState<StatusFilter>('all');
  const [error, setError] = useState<string | null>(null);
  const replyBox = useRef<HTMLTextAreaElement>(null);

  const fail = useCallback(
    (err: unknown) => {
      if (isSignedOut(err)) return onExpired();
      setError(describe(err));
    },
    [onExpired],
  );

  const feedSeen = useRef<(id: string | null | undefined) => void>(() => undefined);
  const feedTeam = useRef<ReturnType<typeof useTeamInbox>['feed'] | null>(null);
  const { conversations, upsert, detail, setDetail } = useConversations((id) => feedSeen.current(id));
  const { seen, markSeen } = useSeen();
  const ownTyping = useOwnTyping(api);
  const visitorTyping = useVisitorTyping();
  const paging = useListPaging(api, upsert, fail);
  const logs = useMessageLogs();
  const { selectedId, selectedRef, thread, open, close, loadOlder, catchUp } = useThread({ api, logs, upsert, setDetail, markSeen, fail, onLeave: ownTyping.stop });
  const onSent = useCallback((conversationId: string, message: Message) => markSeen(conversationId, message.id), [markSeen]);
  const replies = useReplies(api, me, logs, onSent);
  const files = useReplyFiles(api, selectedId);
  const drop = useDropFiles(files, selectedId !== null);

  // The list, then the feed from the newest message the list shows.
  const feed = useFeed(
    api,
    {
      refused: fail,
      conversation: (c) => {
        upsert([c]);
        feedTeam.current?.conversation();
      },
      read: (payload) => feedTeam.current?.read(payload),
      message: (c, m) => {
        feedTeam.current?.message(c, m);
        // Into the conversation's log (our own reply settles its pending copy there by clientMessageId).
        logs.add(c.id, [m]);
        if (selectedRef.current === c.id && document.visibilityState === 'visible') markSeen(c.id, m.id);
        if (m.author.type === 'user') visitorTyping.set(c.id, false);
      },
      typing: (payload, typing) => payload.author.type === 'user' && visitorTyping.set(payload.conversationId, typing),
      resynced: () => {
        paging.loadList().catch(fail);
        catchUp().catch(fail);
      },
    },
    () => paging.loadList().catch(fail),
  );
  feedSeen.current = feed.seen;
  const role = operator.memberships.find((m) => m.workspaceId === workspaceId)?.role;
  const teamInbox = useTeamInbox({ api, workspaceId, me, role, upsert, fail, open: (id) => void open(id), selectedId, detail, feedState: feed.state });
  feedTeam.current = teamInbox.feed;
  const [composeMode, setComposeMode] = useState<ComposeMode>('reply');

  // Fill the list for a status filter (the first page of "all" may not reach far enough back).
  const { loadList } = paging;
  useEffect(() => {
    if (filter !== 'all') loadList(filter).catch(fail);
  }, [filter, loadList, fail]);

  const patch = useCallback(
    async (change: ConversationChange) => {
      const id = selectedRef.current;
      if (!id) return;
      try {
        upsert([await api.patch(id, change)]);
      } catch (err) {
        fail(err);
      }
    },
    [api, upsert, fail, selectedRef],
  );

  const { filter: inView } = teamInbox.views;
  const shown = useMemo(() => inView(visible(Object.values(conversations), filter)), [conversations, filter, inView]);
  const selected = selectedId ? conversations[selectedId] : undefined;
  useKeyboard({ shown, selectedId, open: (id) => void open(id), resolve: () => void patch({ status: 'resolved' }), replyBox });

  return (
    <div class="inbox">
      <Topbar workspaceId={workspaceId} operatorName={operator.name} feed={feed.state} onSignOut={props.onSignOut} onSwitchWorkspace={props.onSwitchWorkspace} />
      <MeBar
        me={me}
        presence={teamInbox.people.presence}
        onPresence={(status) => void teamInbox.people.setPresence(status)}
        permission={teamInbox.notifications.permission}
        onAskNotifications={teamInbox.notifications.ask}
        onSettings={teamInbox.toggleSettings}
        settingsOpen={teamInbox.settingsOpen}
      />
      <Banner error={error} onDismiss={() => setError(null)} />
      {teamInbox.settingsOpen && teamInbox.myRole ? (
        <Settings team={teamInbox.team} myRole={teamInbox.myRole} meId={me.id} />
      ) : (
        <>
      {/* On a phone one pane at a time: the list, or the open conversation (styles.css). */}
      <div class="layout" data-view={selected && thread ? 'thread' : 'list'}>
        {selected && thread && (
          <button type="button" class="back link" onClick={close}>
            ‹ All conversations
          </button>
        )}
        <ConversationList
          shown={shown}
          filter={filter}
          seen={seen}
          selectedId={selectedId}
          typing={visitorTyping.typing}
          moreCursor={paging.moreCursor}
          onOpen={(id) => void open(id)}
          onMore={() => void paging.loadMore()}
          head={
            <>
              <ViewTabs view={teamInbox.views.view} counts={teamInbox.views.counts} onView={teamInbox.views.setView} />
              <Filters filter={filter} onFilter={setFilter} />
            </>
          }
          foot={<Shortcuts />}
        />
        <main class={`thread${drop.dropping ? ' dropping' : ''}`} aria-label="Conversation" onDragOver={drop.onDragOver} onDragLeave={drop.onDragLeave} onDrop={drop.onDrop}>
          {!selected || !thread ? (
            <p class="empty">Choose a conversation on the left (or press j).</p>
          ) : (
            <>
              <ThreadHead conversation={selected} me={me} onChange={(change) => void patch(change)} />
              <AssignTo conversation={selected} members={teamInbox.people.members} onAssign={(assignee) => void patch({ assignee })} />
              <Messages
                api={api}
                thread={thread}
                messages={logs.log(selected.id).list()}
                seenId={seenMessageId(logs.log(selected.id).list(), teamInbox.readPositions[selected.id])}
                onOlder={() => void loadOlder()}
                onRetry={replies.retry}
                onDiscard={replies.discard}
              />
              <p class="typing" aria-live="polite">
                {visitorTyping.typing[selected.id] !== undefined ? 'The visitor is typing…' : ''}
              </p>
              <ComposeMode mode={composeMode} onMode={setComposeMode} />
              {composeMode === 'note' ? (
                <NoteBox team={teamInbox.team} conversationId={selected.id} onNoted={(m) => logs.add(selected.id, [m])} onError={fail} />
              ) : (
                <>
                  <CannedPicker box={replyBox} team={teamInbox.team} conversationId={selected.id} />
                  <Composer
                    conversationId={selected.id}
                    files={files}
                    box={replyBox}
                    isCurrent={(id) => selectedRef.current === id}
                    onInput={() => ownTyping.input(selected.id)}
                    onSubmitting={ownTyping.stop}
                    onSend={replies.compose}
                  />
                </>
              )}
            </>
          )}
        </main>
        <aside class="details" aria-label="Visitor and conversation details" tabIndex={0}>
          {selected && detail && detail.id === selected.id ? <Details detail={detail} conversation={selected} /> : <p class="empty">Details of the open conversation show here.</p>}
          <Teammates members={teamInbox.people.members} meId={me.id} />
        </aside>
      </div>
        </>
      )}
    </div>
  );
}
