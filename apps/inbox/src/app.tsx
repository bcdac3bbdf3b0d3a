// Over 400 lines, and not split in this change: it was 743 lines before it. Its split by role (list,
// thread, paging, feed, typing, replies, filters, keyboard) is issue 21's work, together with moving the
// inbox onto the SDK's transport; the attachment UI it gained lives in ./attachments.tsx, the sign-in in
// ./signin.tsx and ./account.ts.
import type { Conversation, ConversationStatus, Message, OperatorConversation } from '@widget/contracts';
import { formatSize } from '@widget/sdk/core';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useAccount } from './account';
import { ApiError, describe, OperatorApi } from './api';
import { AttachButton, MessageFiles, ReplyFilesView, useReplyFiles } from './attachments';
import { Feed, FeedState } from './feed';
import { isUnread, mergeMessages, newer, newestId, PendingReply, settlePending, STATUS_FILTERS, StatusFilter, visible } from './state';
import { AccountScreens } from './signin';
import { loadSeen, saveSeen, Session } from './storage';

const STATUSES: ConversationStatus[] = ['open', 'pending', 'resolved', 'closed'];
const TYPING_IDLE_MS = 3000;
/** A visitor typing indicator whose stop event was lost fades after this. */
const TYPING_STALE_MS = 8000;

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

interface Thread {
  conversationId: string;
  messages: Message[];
  /** Cursor to older messages; null when the start of the thread is on screen. */
  olderCursor: string | null;
  loading: boolean;
}


/** `onSwitchWorkspace` only for an account in several workspaces. */
function Inbox(props: { session: Session; onSignOut: () => void; onExpired: () => void; onSwitchWorkspace?: () => void }) {
  const { session, onExpired } = props;
  const { token, workspaceId, operator } = session;
  const api = useMemo(() => new OperatorApi({ token, workspaceId }), [token, workspaceId]);
  /** Replies, typing and assignment are this account's (SPEC §14, authorship). */
  const me = useMemo(() => ({ id: operator.id, name: operator.name }), [operator.id, operator.name]);
  const [conversations, setConversations] = useState<Record<string, Conversation>>({});
  const [filter, setFilter] = useState<StatusFilter>('all');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [thread, setThread] = useState<Thread | null>(null);
  const [detail, setDetail] = useState<OperatorConversation | null>(null);
  const [visitorTyping, setVisitorTyping] = useState<Record<string, number>>({});
  const [seen, setSeen] = useState<Record<string, string>>(loadSeen);
  const [feedState, setFeedState] = useState<FeedState>('connecting');
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState<PendingReply[]>([]);
  const [moreCursor, setMoreCursor] = useState<string | null>(null);

  const selectedRef = useRef<string | null>(null);
  selectedRef.current = selectedId;
  const threadRef = useRef<Thread | null>(null);
  threadRef.current = thread;
  const feedRef = useRef<Feed | null>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const files = useReplyFiles(api, selectedId);
  const [dropping, setDropping] = useState(false);
  const typingSent = useRef<{ conversationId: string; timer: number } | null>(null);

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && (err.code === 'invalid_token' || err.code === 'auth_required') && err.status === 401) {
        onExpired();
        return;
      }
      setError(describe(err));
    },
    [onExpired],
  );

  const upsert = useCallback((incoming: Conversation[]) => {
    if (incoming.length === 0) return;
    setConversations((all) => {
      const next = { ...all };
      for (const c of incoming) next[c.id] = newer(next[c.id], c);
      return next;
    });
    setDetail((d) => {
      const c = d && incoming.find((x) => x.id === d.id);
      return c && d ? { ...d, ...newer(d, c), visitor: d.visitor } : d;
    });
    for (const c of incoming) feedRef.current?.seen(c.lastMessage?.id);
  }, []);

  const markSeen = useCallback((conversationId: string, messageId: string | null | undefined) => {
    if (!messageId) return;
    setSeen((s) => {
      if (s[conversationId] && s[conversationId] >= messageId) return s;
      const next = { ...s, [conversationId]: messageId };
      saveSeen(next);
      return next;
    });
  }, []);

  const loadList = useCallback(
    async (status?: ConversationStatus) => {
      const page = await api.listConversations({ status, limit: 50 });
      upsert(page.data);
      if (!status) setMoreCursor(page.nextCursor);
    },
    [api, upsert],
  );

  /** Everything after the thread's newest message, in pages (after a reconnect, or when replay was capped). */
  const catchUp = useCallback(async () => {
    const current = threadRef.current;
    if (!current || current.loading) return;
    let after = current.messages[current.messages.length - 1]?.id;
    for (;;) {
      const page = await api.listMessages(current.conversationId, after ? { after, limit: 100 } : { limit: 100 });
      if (threadRef.current?.conversationId !== current.conversationId) return;
      setThread((t) => (t && t.conversationId === current.conversationId ? { ...t, messages: mergeMessages(t.messages, page.data) } : t));
      markSeen(current.conversationId, page.data[page.data.length - 1]?.id);
      if (!page.nextCursor || page.data.length === 0) return;
      after = page.data[page.data.length - 1].id;
    }
  }, [api, markSeen]);

  // The list, then the feed from the newest message the list shows.
  useEffect(() => {
    let stopped = false;
    const feed = new Feed(api, {
      state: (state, err) => {
        setFeedState(state);
        if (err && (err.code === 'invalid_token' || err.code === 'auth_required') && err.status === 401) fail(err);
      },
      conversation: (c) => upsert([c]),
      message: (c, m) => {
        setPending((p) => settlePending(p, c.id, m, me));
        if (selectedRef.current === c.id) {
          setThread((t) => (t && t.conversationId === c.id ? { ...t, messages: mergeMessages(t.messages, [m]) } : t));
          if (document.visibilityState === 'visible') markSeen(c.id, m.id);
        }
        if (m.author.type === 'user') setVisitorTyping((t) => omit(t, c.id));
      },
      typing: (payload, typing) => {
        if (payload.author.type !== 'user') return;
        setVisitorTyping((t) => (typing ? { ...t, [payload.conversationId]: Date.now() } : omit(t, payload.conversationId)));
      },
      resynced: () => {
        loadList().catch(fail);
        catchUp().catch(fail);
      },
    });
    feedRef.current = feed;
    loadList()
      .catch(fail)
      .finally(() => {
        if (!stopped) feed.start(null);
      });
    return () => {
      stopped = true;
      feed.stop();
      feedRef.current = null;
    };
  }, [api, upsert, loadList, catchUp, markSeen, fail]);

  // Fill the list for a status filter (the first page of "all" may not reach far enough back).
  useEffect(() => {
    if (filter !== 'all') loadList(filter).catch(fail);
  }, [filter, loadList, fail]);

  // Visitor typing indicators fade when their stop event never came.
  useEffect(() => {
    const ids = Object.keys(visitorTyping);
    if (ids.length === 0) return;
    const timer = window.setTimeout(() => {
      const now = Date.now();
      setVisitorTyping((t) => Object.fromEntries(Object.entries(t).filter(([, at]) => now - at < TYPING_STALE_MS)));
    }, TYPING_STALE_MS);
    return () => window.clearTimeout(timer);
  }, [visitorTyping]);

  const stopTyping = useCallback(() => {
    const sent = typingSent.current;
    if (!sent) return;
    window.clearTimeout(sent.timer);
    typingSent.current = null;
    api.typing(sent.conversationId, false).catch(() => undefined);
  }, [api]);

  const open = useCallback(
    async (id: string) => {
      stopTyping();
      setSelectedId(id);
      setDetail(null);
      setThread({ conversationId: id, messages: [], olderCursor: null, loading: true });
      try {
        const [page, full] = await Promise.all([api.listMessages(id, { limit: 30 }), api.getConversation(id)]);
        if (selectedRef.current !== id) return;
        setThread((t) => ({ conversationId: id, messages: mergeMessages(t?.conversationId === id ? t.messages : [], page.data), olderCursor: page.nextCursor, loading: false }));
        setDetail(full);
        upsert([full]);
        markSeen(id, newestId(page.data[0]?.id, full.lastMessage?.id));
      } catch (err) {
        setThread((t) => (t && t.conversationId === id ? { ...t, loading: false } : t));
        fail(err);
      }
    },
    [api, upsert, markSeen, fail, stopTyping],
  );

  const loadOlder = async () => {
    const t = threadRef.current;
    if (!t?.olderCursor) return;
    try {
      const page = await api.listMessages(t.conversationId, { cursor: t.olderCursor, limit: 30 });
      setThread((cur) => (cur && cur.conversationId === t.conversationId ? { ...cur, messages: mergeMessages(cur.messages, page.data), olderCursor: page.nextCursor } : cur));
    } catch (err) {
      fail(err);
    }
  };

  const loadMore = async () => {
    if (!moreCursor) return;
    try {
      const page = await api.listConversations({ cursor: moreCursor, limit: 50 });
      upsert(page.data);
      setMoreCursor(page.nextCursor);
    } catch (err) {
      fail(err);
    }
  };

  const send = useCallback(
    async (reply: PendingReply) => {
      setPending((p) => [...p.filter((x) => x.key !== reply.key), { ...reply, failed: null }]);
      try {
        const message = await api.reply(reply.conversationId, reply.text, reply.key, reply.attachments.map((a) => a.id));
        setPending((p) => p.filter((x) => x.key !== reply.key));
        setThread((t) => (t && t.conversationId === reply.conversationId ? { ...t, messages: mergeMessages(t.messages, [message]) } : t));
        markSeen(reply.conversationId, message.id);
      } catch (err) {
        setPending((p) => p.map((x) => (x.key === reply.key ? { ...x, failed: describe(err) } : x)));
      }
    },
    [api, markSeen],
  );

  const submitReply = async () => {
    const box = replyRef.current;
    if (!box || !selectedId) return;
    const text = box.value.trim() ? box.value : '';
    if (!text && files.items.length === 0) return;
    stopTyping();
    // Files still uploading are waited for; a refused one is left out (and said so under the box).
    const attachments = files.items.length ? await files.ready() : [];
    if (selectedRef.current !== selectedId || (!text && attachments.length === 0)) return;
    box.value = '';
    files.clear();
    // One key per composed reply, kept by every retry of it: the server stores it once.
    void send({ key: crypto.randomUUID(), conversationId: selectedId, text, attachments, failed: null });
  };

  // Files dropped on the thread, or pasted into the reply box, go with the reply.
  const onDragOver = (e: DragEvent) => {
    if (!selectedId || !e.dataTransfer || !Array.from(e.dataTransfer.types).includes('Files')) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
    setDropping(true);
  };
  const onDrop = (e: DragEvent) => {
    setDropping(false);
    if (!selectedId || !e.dataTransfer?.files.length) return;
    e.preventDefault();
    files.add(Array.from(e.dataTransfer.files));
  };
  const onPaste = (e: ClipboardEvent) => {
    const pasted = Array.from(e.clipboardData?.files ?? []);
    if (pasted.length === 0) return;
    e.preventDefault();
    files.add(pasted);
  };

  const onReplyInput = () => {
    if (!selectedId) return;
    const sent = typingSent.current;
    if (sent && sent.conversationId === selectedId) window.clearTimeout(sent.timer);
    else {
      stopTyping();
      api.typing(selectedId, true).catch(() => undefined);
    }
    typingSent.current = { conversationId: selectedId, timer: window.setTimeout(stopTyping, TYPING_IDLE_MS) };
  };

  const patch = useCallback(
    async (change: { status?: ConversationStatus; assignee?: { id: string; name: string } | null }) => {
      const id = selectedRef.current;
      if (!id) return;
      try {
        upsert([await api.patch(id, change)]);
      } catch (err) {
        fail(err);
      }
    },
    [api, upsert, fail],
  );

  const shown = useMemo(() => visible(Object.values(conversations), filter), [conversations, filter]);
  const shownRef = useRef(shown);
  shownRef.current = shown;
  const selected = selectedId ? conversations[selectedId] : undefined;

  // Keyboard shortcuts (listed on the page). Letters only outside text fields; Alt+arrows anywhere.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement;
      const typingInField = target.closest('input, textarea, select, [contenteditable]') !== null;
      const step = (delta: number) => {
        const list = shownRef.current;
        if (list.length === 0) return;
        const at = list.findIndex((c) => c.id === selectedRef.current);
        const next = list[Math.min(Math.max(at === -1 ? 0 : at + delta, 0), list.length - 1)];
        if (next && next.id !== selectedRef.current) void open(next.id);
        document.getElementById(`conv-${next.id}`)?.focus();
      };
      if (event.altKey && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
        event.preventDefault();
        step(event.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if (event.key === 'Escape' && target === replyRef.current) {
        document.getElementById(selectedRef.current ? `conv-${selectedRef.current}` : 'filters')?.focus();
        return;
      }
      if (typingInField || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'j') step(1);
      else if (event.key === 'k') step(-1);
      else if (event.key === 'r' && selectedRef.current) {
        event.preventDefault();
        replyRef.current?.focus();
      } else if (event.key === 'e' && selectedRef.current) void patch({ status: 'resolved' });
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, patch]);

  const mine = selected?.assignee?.id === me.id;
  const typingNow = selectedId ? visitorTyping[selectedId] !== undefined : false;

  return (
    <div class="inbox">
      <header class="topbar">
        <h1>Inbox</h1>
        <span class="workspace" title="Workspace">
          {workspaceId}
        </span>
        {props.onSwitchWorkspace && (
          <button type="button" class="link" onClick={props.onSwitchWorkspace}>
            Switch workspace
          </button>
        )}
        <span class={`feed feed-${feedState}`} role="status">
          {FEED_LABEL[feedState]}
        </span>
        <span class="agent">
          Signed in as <Said text={operator.name} />
        </span>
        <button type="button" class="link" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      {error && (
        <div class="banner" role="alert">
          <span>{error}</span>
          <button type="button" class="link" onClick={() => setError(null)}>
            Dismiss
          </button>
        </div>
      )}
      {/* On a phone one pane at a time: the list, or the open conversation (styles.css). */}
      <div class="layout" data-view={selected && thread ? 'thread' : 'list'}>
        {selected && thread && (
          <button type="button" class="back link" onClick={() => setSelectedId(null)}>
            ‹ All conversations
          </button>
        )}
        <nav class="list" aria-label="Conversations">
          <div class="filters" role="group" aria-label="Filter by status" id="filters" tabIndex={-1}>
            {STATUS_FILTERS.map((f) => (
              <button type="button" key={f} aria-pressed={filter === f} onClick={() => setFilter(f)}>
                {FILTER_LABEL[f]}
              </button>
            ))}
          </div>
          {shown.length === 0 ? (
            <p class="empty">No {filter === 'all' ? '' : `${filter} `}conversations yet.</p>
          ) : (
            <ul class="conversations">
              {shown.map((c) => (
                <ConversationItem
                  key={c.id}
                  conversation={c}
                  unread={isUnread(c, seen) && c.id !== selectedId}
                  current={c.id === selectedId}
                  typing={visitorTyping[c.id] !== undefined}
                  onOpen={() => void open(c.id)}
                />
              ))}
            </ul>
          )}
          {moreCursor && (
            <button type="button" class="more" onClick={() => void loadMore()}>
              Load more conversations
            </button>
          )}
          <Shortcuts />
        </nav>
        <main
          class={`thread${dropping ? ' dropping' : ''}`}
          aria-label="Conversation"
          onDragOver={onDragOver}
          onDragLeave={(e) => !(e.currentTarget as HTMLElement).contains(e.relatedTarget as Node | null) && setDropping(false)}
          onDrop={onDrop}
        >
          {!selected || !thread ? (
            <p class="empty">Choose a conversation on the left (or press j).</p>
          ) : (
            <>
              <div class="thread-head">
                <h2 dir="auto">{titleOf(selected)}</h2>
                <div class="actions">
                  <label>
                    Status{' '}
                    <select value={selected.status} onChange={(e) => void patch({ status: (e.currentTarget as HTMLSelectElement).value as ConversationStatus })}>
                      {STATUSES.map((s) => (
                        <option key={s} value={s}>
                          {s}
                        </option>
                      ))}
                    </select>
                  </label>
                  <button type="button" onClick={() => void patch({ status: 'resolved' })} disabled={selected.status === 'resolved'}>
                    Resolve
                  </button>
                  <button type="button" onClick={() => void patch({ assignee: mine ? null : me })}>
                    {mine ? 'Unassign me' : 'Assign to me'}
                  </button>
                  <span class="assignee">
                    {selected.assignee ? (
                      <>
                        Assigned to <Said text={selected.assignee.name ?? selected.assignee.id} />
                      </>
                    ) : (
                      'Unassigned'
                    )}
                  </span>
                </div>
              </div>
              <Messages api={api} thread={thread} pending={pending.filter((p) => p.conversationId === selected.id)} onOlder={loadOlder} onRetry={(p) => void send(p)} onDiscard={(p) => setPending((all) => all.filter((x) => x.key !== p.key))} />
              <p class="typing" aria-live="polite">
                {typingNow ? 'The visitor is typing…' : ''}
              </p>
              <form
                class="composer"
                onSubmit={(e) => {
                  e.preventDefault();
                  void submitReply();
                }}
              >
                <label for="reply">Reply to the visitor (Enter sends, Shift+Enter for a new line; drop or paste files to attach them)</label>
                <ReplyFilesView files={files} />
                <div class="composer-row">
                  <textarea
                    id="reply"
                    ref={replyRef}
                    rows={2}
                    maxLength={10000}
                    onInput={onReplyInput}
                    onPaste={onPaste}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
                        e.preventDefault();
                        void submitReply();
                      }
                    }}
                  />
                  <AttachButton onFiles={files.add} />
                  <button type="submit">Send</button>
                </div>
              </form>
            </>
          )}
        </main>
        <aside class="details" aria-label="Visitor and conversation details" tabIndex={0}>
          {selected && detail && detail.id === selected.id ? <Details detail={detail} conversation={selected} /> : <p class="empty">Details of the open conversation show here.</p>}
        </aside>
      </div>
    </div>
  );
}

function ConversationItem(props: { conversation: Conversation; unread: boolean; current: boolean; typing: boolean; onOpen: () => void }) {
  const c = props.conversation;
  const last = c.lastMessage;
  return (
    <li>
      <button type="button" id={`conv-${c.id}`} class={`conversation${props.unread ? ' unread' : ''}`} aria-current={props.current ? 'true' : undefined} onClick={props.onOpen}>
        <span class="row">
          {props.unread && (
            <span class="dot" aria-hidden="true">
              ●
            </span>
          )}
          <span class="title" dir="auto">
            {titleOf(c)}
          </span>
          <time dateTime={c.updatedAt}>{shortTime(c.updatedAt)}</time>
        </span>
        <span class="row">
          <span class="preview">
            {props.typing ? (
              'typing…'
            ) : last ? (
              <>
                {last.author.type !== 'user' && (
                  <>
                    <Said text={authorLabel(last)} />:{' '}
                  </>
                )}
                <Said text={last.text || (last.attachments ?? []).map((a) => a.name).join(', ')} />
              </>
            ) : (
              'No messages yet'
            )}
          </span>
          <span class={`status status-${c.status}`}>{c.status}</span>
        </span>
        {props.unread && <span class="visually-hidden">, unread</span>}
        {c.assignee && (
          <span class="visually-hidden">
            , assigned to <Said text={c.assignee.name ?? c.assignee.id} />
          </span>
        )}
      </button>
    </li>
  );
}

function Messages(props: { api: OperatorApi; thread: Thread; pending: PendingReply[]; onOlder: () => void; onRetry: (p: PendingReply) => void; onDiscard: (p: PendingReply) => void }) {
  const box = useRef<HTMLDivElement>(null);
  const { messages } = props.thread;
  const newest = messages[messages.length - 1]?.id;
  const stick = useRef(true);
  // Follow the newest message unless the operator scrolled up to read; paging back keeps the view still.
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [newest, props.pending.length, props.thread.conversationId]);
  return (
    <div
      class="messages"
      ref={box}
      tabIndex={0}
      aria-label="Messages"
      onScroll={() => {
        const el = box.current;
        if (el) stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}
    >
      {props.thread.olderCursor && (
        <button
          type="button"
          class="older"
          onClick={() => {
            stick.current = false;
            props.onOlder();
          }}
        >
          Load earlier messages
        </button>
      )}
      {props.thread.loading && <p class="empty">Loading…</p>}
      <ol>
        {messages.map((m) => (
          <li key={m.id} class={`message from-${m.author.type}`}>
            <span class="meta">
              <Said text={authorLabel(m)} /> · <time dateTime={m.createdAt}>{shortTime(m.createdAt)}</time>
            </span>
            {m.text && (
              <p class="text" dir="auto">
                {m.text}
              </p>
            )}
            <MessageFiles api={props.api} conversationId={m.conversationId} attachments={m.attachments} />
          </li>
        ))}
        {props.pending.map((p) => (
          <li key={p.key} class="message from-agent pending">
            <span class="meta">{p.failed ? `Not sent: ${p.failed}` : 'Sending…'}</span>
            {p.text && (
              <p class="text" dir="auto">
                {p.text}
              </p>
            )}
            {p.attachments.length > 0 && (
              <ul class="files">
                {p.attachments.map((a) => (
                  <li key={a.id} class="file-chip">
                    <span class="said file-name" dir="auto">
                      {a.name}
                    </span>{' '}
                    <span class="file-size">{formatSize(a.size)}</span>
                  </li>
                ))}
              </ul>
            )}
            {p.failed && (
              <span class="retry">
                <button type="button" onClick={() => props.onRetry(p)}>
                  Retry
                </button>{' '}
                <button type="button" class="link" onClick={() => props.onDiscard(p)}>
                  Discard
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
    </div>
  );
}

/**
 * Only a user id proved by the site's signed token is a fact here. The rest was sent by the
 * visitor's browser (an anonymous profile, an identify without a token, PATCH /sessions/current,
 * which also changes a verified user's name and email, and the conversation's subject, tags,
 * custom fields and metadata): each is marked, and shown isolated (Said).
 */
function Details({ detail, conversation }: { detail: OperatorConversation; conversation: Conversation }) {
  const v = detail.visitor;
  const verified = v.user?.verified === true;
  const who = v.user ?? v.profile;
  const company = v.user?.company ?? v.profile?.company ?? null;
  const identity = !v.user ? 'anonymous' : verified ? 'verified' : 'unverified';
  const claimed = (value: string | null | undefined): Row | null => (value ? { value, trust: 'unverified' } : null);
  const profile: Array<[string, Row | null]> = [
    ['Identity', { value: IDENTITY_LABEL[identity], trust: 'identity' }],
    ['Name', claimed(who?.name)],
    ['Email', claimed(who?.email)],
    ['User id', v.user ? { value: v.user.externalId, trust: verified ? 'verified' : 'unverified' } : null],
    ['Company', claimed(company ? [company.name ?? company.id ?? v.user?.companyId, company.plan && `plan ${company.plan}`].filter(Boolean).join(', ') : v.user?.companyId)],
    ['Locale', claimed(v.locale)],
    ['Session since', { value: new Date(v.since).toLocaleString(), trust: 'server' }],
    ['Session', { value: v.sessionId, trust: 'server' }],
    ['Widget', { value: v.widgetId, trust: 'server' }],
  ];
  const traits = who?.traits ?? {};
  return (
    <>
      <section aria-labelledby="visitor-h">
        <h2 id="visitor-h">Visitor</h2>
        <dl>
          {profile.map(([label, row]) =>
            row ? (
              <div key={label}>
                <dt>{label}</dt>
                <dd>
                  {row.trust === 'identity' ? (
                    <span class={`identity identity-${identity}`}>{row.value}</span>
                  ) : row.trust === 'server' ? (
                    row.value
                  ) : (
                    <>
                      <Said text={row.value} /> <TrustMark trust={row.trust} />
                    </>
                  )}
                </dd>
              </div>
            ) : null,
          )}
        </dl>
      </section>
      <section aria-labelledby="tags-h">
        <h2 id="tags-h">
          Tags <VisitorSet />
        </h2>
        {conversation.tags.length === 0 ? (
          <p class="empty">None</p>
        ) : (
          <ul class="tags">
            {conversation.tags.map((t) => (
              <li key={t} dir="auto">
                {t}
              </li>
            ))}
          </ul>
        )}
      </section>
      {Object.keys(traits).length > 0 && <KeyValues title="Traits" id="traits-h" values={traits} />}
      <KeyValues title="Custom fields" id="fields-h" values={conversation.customFields} />
      <KeyValues title="Metadata" id="meta-h" values={conversation.metadata} />
    </>
  );
}

const IDENTITY_LABEL = { anonymous: 'anonymous', verified: 'verified by your site', unverified: 'unverified claim' } as const;

interface Row {
  value: string;
  /** identity: the verdict itself; server: what the server recorded; the rest, what the site's token proved or not. */
  trust: 'identity' | 'server' | 'verified' | 'unverified';
}

function TrustMark({ trust }: { trust: 'verified' | 'unverified' }) {
  return trust === 'verified' ? (
    <span class="mark mark-verified" title="Proved by the identity token your site signed">
      verified
    </span>
  ) : (
    <span class="mark mark-unverified" title="Sent by the visitor's browser; nobody checked it">
      unverified
    </span>
  );
}

/** Everything under such a heading came from the visitor's widget (operators set no tags, fields or metadata). */
function VisitorSet() {
  return (
    <span class="mark mark-unverified" title="Set by the visitor's widget, not by your team; nobody checked it">
      visitor-set
    </span>
  );
}

/** Text someone else wrote: its own direction, isolated, so an RTL override or a stray mark in it cannot reorder what is around it. */
function Said({ text }: { text: string }) {
  return (
    <span class="said" dir="auto">
      {text}
    </span>
  );
}

function KeyValues({ title, id, values }: { title: string; id: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values ?? {});
  return (
    <section aria-labelledby={id}>
      <h2 id={id}>
        {title} <VisitorSet />
      </h2>
      {entries.length === 0 ? (
        <p class="empty">None</p>
      ) : (
        <dl>
          {entries.map(([k, value]) => (
            <div key={k}>
              <dt>
                <Said text={k} />
              </dt>
              <dd>
                <Said text={typeof value === 'string' ? value : JSON.stringify(value)} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </section>
  );
}

function Shortcuts() {
  return (
    <section class="shortcuts" aria-labelledby="shortcuts-h">
      <h2 id="shortcuts-h">Keyboard shortcuts</h2>
      <dl>
        <div>
          <dt>
            <kbd>j</kbd> / <kbd>Alt</kbd>+<kbd>↓</kbd>
          </dt>
          <dd>Next conversation</dd>
        </div>
        <div>
          <dt>
            <kbd>k</kbd> / <kbd>Alt</kbd>+<kbd>↑</kbd>
          </dt>
          <dd>Previous conversation</dd>
        </div>
        <div>
          <dt>
            <kbd>r</kbd>
          </dt>
          <dd>Reply</dd>
        </div>
        <div>
          <dt>
            <kbd>Enter</kbd>
          </dt>
          <dd>Send the reply</dd>
        </div>
        <div>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>Leave the reply box</dd>
        </div>
        <div>
          <dt>
            <kbd>e</kbd>
          </dt>
          <dd>Resolve</dd>
        </div>
      </dl>
    </section>
  );
}

const FEED_LABEL: Record<FeedState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline' };
const FILTER_LABEL: Record<StatusFilter, string> = { all: 'All', open: 'Open', pending: 'Pending', resolved: 'Resolved' };

function titleOf(c: Conversation): string {
  return c.subject || `Conversation ${c.id.slice(-6)}`;
}

function authorLabel(m: Message): string {
  if (m.author.type === 'user') return 'Visitor';
  if (m.author.type === 'system') return 'System';
  return m.author.name ?? (m.author.type === 'bot' ? 'Bot' : 'Agent');
}

function shortTime(iso: string): string {
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString([], { month: 'short', day: 'numeric' });
}

function omit<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _gone, ...rest } = record;
  return rest;
}
