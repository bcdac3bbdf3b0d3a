// Over 400 lines, and not split in this change: it was 689 lines before it. The frame's split into views is
// issue 21's work (the browser boundary); the attachment UI it gained lives in ./attachments.tsx.
import type { AiAnswer, Article, ArticleHit, Attachment, ChatCore, Conversation, FormField, LoggedMessage, TicketForm } from '@widget/sdk/core';
import { SupportChatError } from '@widget/sdk/core';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { AttachButton, carriesFiles, dropTarget, MessageAttachments, UploadChips, useUploads } from './attachments';
import { Availability } from './availability';
import { isolated, t } from './i18n';
import type { UiState, View } from './ui-state';

interface Props {
  core: ChatCore;
  ui: UiState;
}

/**
 * Re-renders when the core or the UI state changes. It subscribes in the
 * commit (a layout effect), not after paint: a change made between the first
 * render and a deferred subscription (the config arriving) would otherwise be
 * missed until some later change, and the launcher would not appear.
 */
function useStore(core: ChatCore, ui: UiState): number {
  const [version, setVersion] = useState(0);
  useLayoutEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const a = core.subscribe(bump);
    const b = ui.subscribe(bump);
    return () => {
      a();
      b();
    };
  }, [core, ui]);
  return version;
}

export function App({ core, ui }: Props) {
  useStore(core, ui);
  const layout = ui.layout();
  if (layout.mode === 'hidden' || !core.config) return null;
  if (layout.mode === 'launcher') return <Launcher core={core} ui={ui} />;
  return <Panel core={core} ui={ui} />;
}

function Launcher({ core, ui }: Props) {
  const count = core.unread;
  const badge = core.config!.launcher.badge && count > 0;
  const label = badge ? `${t('launcherOpen')}, ${t('launcherUnread', { count })}` : t('launcherOpen');
  return (
    <div class={`launcher-wrap ${ui.position}`}>
      <button type="button" class="launcher" aria-label={label} title={core.config!.launcher.label} onClick={() => ui.update({ open: true })}>
        <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
          <path fill="currentColor" d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z" />
        </svg>
        {badge && (
          <span class="badge" data-testid="badge" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
    </div>
  );
}

function Panel({ core, ui }: Props) {
  const view = ui.view;
  const panelRef = useRef<HTMLDivElement>(null);
  useLayoutEffect(() => {
    // Focus moves into the panel when it opens, before it paints (a key typed
    // right after must land in the new view); Escape closes it.
    const panel = panelRef.current;
    (panel?.querySelector<HTMLElement>('[data-autofocus]') ?? panel?.querySelector<HTMLElement>('button, textarea, input'))?.focus();
  }, [view.name]);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') ui.update({ open: false });
  };
  const goHome = () => ui.update({ view: { name: 'home' } });
  // Files dragged anywhere over the panel go to the composer on screen (when it takes files).
  const [dragging, setDragging] = useState(false);
  const onDragOver = (e: DragEvent) => {
    if (!dropTarget.current || !carriesFiles(e)) return;
    e.preventDefault();
    e.dataTransfer!.dropEffect = 'copy';
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!panelRef.current?.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    setDragging(false);
    if (!dropTarget.current || !carriesFiles(e)) return;
    e.preventDefault();
    dropTarget.current(Array.from(e.dataTransfer!.files));
  };
  return (
    <div class="panel" role="dialog" aria-label={core.config!.name} ref={panelRef} onKeyDown={onKey} onDragOver={onDragOver} onDragLeave={onDragLeave} onDrop={onDrop}>
      {dragging && (
        <div class="drop-hint" aria-hidden="true">
          {t('dropFiles')}
        </div>
      )}
      <header class="head">
        {view.name !== 'home' ? (
          <button type="button" class="icon" aria-label={t('back')} onClick={goHome}>
            ‹
          </button>
        ) : (
          <span class="spacer" />
        )}
        <h1 class="title">{core.config!.name}</h1>
        <button type="button" class="icon" aria-label={t('close')} onClick={() => ui.update({ open: false })}>
          ×
        </button>
      </header>
      <Banner core={core} />
      <Availability core={core} ui={ui} />
      <main class="body">
        {view.name === 'home' && <Home core={core} ui={ui} />}
        {view.name === 'thread' && <Thread core={core} ui={ui} id={view.id} />}
        {view.name === 'new' && <NewConversation core={core} ui={ui} view={view} />}
        {view.name === 'article' && <ArticleView core={core} id={view.id} />}
        {view.name === 'form' && <FormView core={core} ui={ui} id={view.id} />}
      </main>
    </div>
  );
}

function Banner({ core }: { core: ChatCore }) {
  const notes: string[] = [];
  if (core.session && core.connection === 'reconnecting') notes.push(t('reconnecting'));
  if (core.storageUnavailable) notes.push(t('storageBlocked'));
  if (!notes.length) return null;
  return (
    <div class="banner" role="status" aria-live="polite" data-testid="banner">
      {notes.map((n) => (
        <p key={n}>{n}</p>
      ))}
    </div>
  );
}

function useAsync<T>(fn: () => Promise<T>, deps: unknown[]): { value?: T; error?: SupportChatError; loading: boolean } {
  const [state, setState] = useState<{ value?: T; error?: SupportChatError; loading: boolean }>({ loading: true });
  useEffect(() => {
    let live = true;
    setState({ loading: true });
    fn().then(
      (value) => live && setState({ value, loading: false }),
      (err) => live && setState({ error: SupportChatError.from(err), loading: false }),
    );
    return () => {
      live = false;
    };
  }, deps);
  return state;
}

function ErrorNote({ error }: { error?: SupportChatError }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {t('error', { message: error.message })}
    </p>
  );
}

function Home({ core, ui }: Props) {
  const features = core.config!.features;
  const conversations = core.listConversations();
  const aiOn = features.aiAnswers && core.config!.ai.enabled;
  const forms = useAsync(() => (features.ticketForms && core.session ? core.listForms() : Promise.resolve([] as TicketForm[])), [core.session?.id]);
  return (
    <div class="home">
      {features.conversations && (
        <section aria-labelledby="conv-h">
          <button type="button" class="primary wide" data-autofocus onClick={() => ui.update({ view: { name: 'new' } })}>
            {t('startConversation')}
          </button>
          <h2 id="conv-h">{t('yourConversations')}</h2>
          {conversations.length === 0 ? (
            <p class="muted">{t('noConversations')}</p>
          ) : (
            <ul class="list" data-testid="conversations">
              {conversations.map((c) => (
                <li key={c.id}>
                  <button type="button" class="row" onClick={() => ui.update({ view: { name: 'thread', id: c.id } })}>
                    <span class="row-main">
                      <span class="row-title" dir="auto">
                        {c.subject ?? (c.lastMessage ? c.lastMessage.text || filesSummary(c.lastMessage) : t('noMessagesYet'))}
                      </span>
                      <span class="row-sub">
                        {c.lastMessage && (
                          <>
                            <span dir="auto">{authorName(c.lastMessage)}</span> · {timeFormat.format(new Date(c.lastMessage.createdAt))}
                          </>
                        )}
                      </span>
                    </span>
                    {c.unreadCount > 0 && <span class="pill">{c.unreadCount}</span>}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {aiOn && <AskAi core={core} ui={ui} />}
      {features.knowledgeBase && <Search core={core} ui={ui} />}
      {features.ticketForms && forms.value && forms.value.length > 0 && (
        <section aria-labelledby="forms-h">
          <h2 id="forms-h">{t('forms')}</h2>
          <ul class="list">
            {forms.value.map((f) => (
              <li key={f.id}>
                <button type="button" class="row" onClick={() => ui.update({ view: { name: 'form', id: f.id } })}>
                  <span class="row-main">
                    <span class="row-title" dir="auto">
                      {f.name}
                    </span>
                    {f.description && (
                      <span class="row-sub" dir="auto">
                        {f.description}
                      </span>
                    )}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function Search({ core, ui }: Props) {
  const [q, setQ] = useState('');
  const [hits, setHits] = useState<ArticleHit[] | null>(null);
  const [error, setError] = useState<SupportChatError>();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!q.trim()) return;
    setError(undefined);
    try {
      setHits(await core.searchArticles(q.trim()));
    } catch (err) {
      setError(SupportChatError.from(err));
    }
  };
  return (
    <section aria-labelledby="search-h">
      <h2 id="search-h">{t('searchLabel')}</h2>
      <form class="inline" role="search" onSubmit={submit}>
        <input type="search" aria-labelledby="search-h" placeholder={t('searchPlaceholder')} value={q} onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary">
          {t('search')}
        </button>
      </form>
      <ErrorNote error={error} />
      {hits && hits.length === 0 && <p class="muted">{t('noResults')}</p>}
      {hits && hits.length > 0 && (
        <ul class="list" data-testid="search-results">
          {hits.map((h) => (
            <li key={h.id}>
              <button type="button" class="row" onClick={() => ui.update({ view: { name: 'article', id: h.id } })}>
                <span class="row-main">
                  <span class="row-title" dir="auto">
                    {h.title}
                  </span>
                  <span class="row-sub" dir="auto">
                    {stripMarks(h.snippet)}
                  </span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Snippets mark matches with tags; shown as plain text here. */
function stripMarks(snippet: string): string {
  const div = document.createElement('div');
  div.innerHTML = snippet;
  return div.textContent ?? '';
}

function AskAi({ core, ui }: Props) {
  const [question, setQuestion] = useState('');
  const [answer, setAnswer] = useState<AiAnswer | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<SupportChatError>();
  const ask = async (e: Event) => {
    e.preventDefault();
    if (!question.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      setAnswer(await core.aiAnswer(question.trim()));
    } catch (err) {
      setError(SupportChatError.from(err));
    } finally {
      setBusy(false);
    }
  };
  const escalate = async () => {
    try {
      const conversation = await core.talkToPerson(question.trim(), answer);
      ui.update({ view: { name: 'thread', id: conversation.id } });
    } catch (err) {
      setError(SupportChatError.from(err));
    }
  };
  const mode = core.config!.ai.mode;
  return (
    <section aria-labelledby="ask-h">
      <h2 id="ask-h">{t('askLabel')}</h2>
      <form class="inline" onSubmit={ask}>
        <input type="text" aria-labelledby="ask-h" placeholder={t('askPlaceholder')} value={question} onInput={(e) => setQuestion((e.target as HTMLInputElement).value)} />
        <button type="submit" class="primary" disabled={busy}>
          {t('ask')}
        </button>
      </form>
      <ErrorNote error={error} />
      {answer && (
        <div class="answer" data-testid="ai-answer" aria-live="polite">
          {answer.answer && (
            <>
              <h3>{t('aiAnswer')}</h3>
              <p class="answer-text" dir="auto">
                {answer.answer.text}
              </p>
              {answer.answer.citations.length > 0 && (
                <>
                  <h4>{t('sources')}</h4>
                  <ArticleLinks ui={ui} testId="citations" articles={answer.answer.citations.map((c) => ({ id: c.articleId, title: c.title }))} />
                </>
              )}
            </>
          )}
          {answer.suggestions.length > 0 && (mode !== 'answer_first' || !answer.answer) && (
            <>
              <h4>{t('suggestions')}</h4>
              <ArticleLinks ui={ui} articles={answer.suggestions} />
            </>
          )}
          {answer.escalation.recommended && <p class="muted">{t('humanRecommended')}</p>}
          {core.config!.features.conversations && (
            <button type="button" class={answer.escalation.recommended ? 'primary wide' : 'secondary wide'} onClick={escalate}>
              {t('talkToPerson')}
            </button>
          )}
        </div>
      )}
    </section>
  );
}

/** A message of files only, in a list: its files' names. */
function filesSummary(m: { attachments?: Attachment[] }): string {
  return (m.attachments ?? []).map((a) => a.name).join(', ');
}

function authorName(m: { author: { type: string; name: string | null } }): string {
  if (m.author.type === 'user') return t('you');
  return m.author.name ?? t(m.author.type === 'bot' ? 'bot' : m.author.type === 'system' ? 'system' : 'agent');
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

function Thread({ core, ui, id }: Props & { id: string }) {
  const conversation = core.conversations.get(id);
  const messages = core.messages(id);
  const loaded = useAsync(() => core.loadMessages(id), [id, core.session?.id]);
  const listRef = useRef<HTMLOListElement>(null);
  const lastId = messages.length ? messages[messages.length - 1]!.id : '';
  const unread = conversation?.unreadCount ?? 0;
  useLayoutEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lastId, messages.length]);
  useEffect(() => {
    // Read while the visitor looks at it: the panel is open on this thread and the tab is visible.
    if (ui.open && document.visibilityState === 'visible' && (unread > 0 || core.unread > 0)) void core.markConversationRead(id).catch(() => undefined);
  }, [id, lastId, unread, ui.open]);
  const typing = core.typing.get(id);
  return (
    <div class="thread">
      {loaded.loading && messages.length === 0 && <p class="muted">{t('loading')}</p>}
      <ErrorNote error={loaded.error} />
      <ol class="messages" ref={listRef} aria-label={conversation?.subject ?? t('yourConversations')} aria-live="polite" data-testid="messages">
        {messages.map((m) => (
          <MessageItem key={m.clientMessageId ?? m.id} core={core} message={m} />
        ))}
      </ol>
      {typing && (
        <p class="typing" data-testid="typing" aria-live="polite">
          {t('typing', { name: isolated(typing.name ?? t('someone')) })}
        </p>
      )}
      <WaitNotice core={core} />
      <Composer core={core} onSend={(text, attachments) => core.sendMessage({ conversationId: id, text, attachments }).then(() => undefined)} conversationId={id} />
    </div>
  );
}

function WaitNotice({ core }: { core: ChatCore }) {
  const notice = core.waitNotice;
  const [, tick] = useState(0);
  useEffect(() => {
    if (!notice) return;
    const timer = setInterval(() => tick((n) => n + 1), 500);
    return () => clearInterval(timer);
  }, [notice]);
  if (!notice) return null;
  const seconds = Math.max(0, Math.ceil((notice.until - Date.now()) / 1000));
  return (
    <p class="muted wait" role="status">
      {t(notice.message === 'rate_limited' ? 'rateLimited' : 'retryingIn', { seconds })}
    </p>
  );
}

function MessageItem({ core, message }: { core: ChatCore; message: LoggedMessage }) {
  const mine = message.author.type === 'user';
  return (
    <li class={`msg ${mine ? 'mine' : 'theirs'} ${message.author.type}`} data-delivery={message.delivery} data-testid="message">
      <span class="meta">
        <span class="author" dir="auto">
          {authorName(message)}
        </span>{' '}
        · <time dateTime={message.createdAt}>{timeFormat.format(new Date(message.createdAt))}</time>
      </span>
      {message.text && (
        <span class="text" dir="auto">
          {message.text}
        </span>
      )}
      <MessageAttachments core={core} message={message} />
      {mine && message.delivery !== 'sent' && (
        <span class="delivery" data-testid="delivery">
          {message.delivery === 'sending' ? t('sending') : t('failed')}
          {message.delivery === 'failed' && message.clientMessageId && (
            <button type="button" class="link" onClick={() => void core.retry(message.conversationId, message.clientMessageId!).catch(() => undefined)}>
              {t('retry')}
            </button>
          )}
        </span>
      )}
    </li>
  );
}

type SendFn = (text: string, attachments: Attachment[]) => Promise<void>;

/**
 * Text and, when the widget takes files (features.attachments), files by the
 * paper-clip button, a drop on the panel or a paste: each a chip with its
 * upload's progress and a ×. `ensureConversation` gives the conversation the
 * files go to when there is none yet (a new conversation).
 */
function Composer(props: { core: ChatCore; onSend: SendFn; conversationId?: string; ensureConversation?: () => Promise<string>; prefill?: string }) {
  const { core, onSend, conversationId } = props;
  const [text, setText] = useState(props.prefill ?? '');
  const [sending, setSending] = useState(false);
  const filesOn = core.config!.features.attachments;
  const uploads = useUploads(core, conversationId);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const typingOn = useRef(false);
  const stopTyping = () => {
    if (typingOn.current && conversationId) core.typingChanged(conversationId, false);
    typingOn.current = false;
  };
  useEffect(() => () => stopTyping(), [conversationId]);
  useEffect(() => {
    if (!filesOn) return;
    dropTarget.current = uploads.add;
    return () => {
      if (dropTarget.current === uploads.add) dropTarget.current = null;
    };
  });
  const send = async () => {
    const value = text.trim();
    if (sending || (!value && uploads.items.length === 0)) return;
    stopTyping();
    if (uploads.items.length === 0) {
      setText('');
      return void onSend(value, []).catch(() => undefined);
    }
    setSending(true);
    try {
      const into = conversationId ?? (await props.ensureConversation!());
      const attachments = await uploads.finish(into);
      if (!value && attachments.length === 0) return;
      setText('');
      uploads.clear();
      await onSend(value, attachments);
    } catch {
      // The message shows as failed with a retry; a conversation that could not start says so above.
    } finally {
      setSending(false);
    }
  };
  const onInput = (e: Event) => {
    setText((e.target as HTMLTextAreaElement).value);
    if (!conversationId) return;
    if (!typingOn.current) core.typingChanged(conversationId, true);
    typingOn.current = true;
    clearTimeout(typingTimer.current);
    typingTimer.current = setTimeout(stopTyping, 3000);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void send();
    }
  };
  const onPaste = (e: ClipboardEvent) => {
    const files = Array.from(e.clipboardData?.files ?? []);
    if (!filesOn || files.length === 0) return;
    e.preventDefault();
    uploads.add(files);
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      {filesOn && <UploadChips uploads={uploads} />}
      <div class="composer-row">
        {filesOn && <AttachButton onFiles={uploads.add} />}
        <label class="sr-only" for="composer">
          {t('composerLabel')}
        </label>
        <textarea id="composer" data-autofocus rows={2} placeholder={t('composerPlaceholder')} aria-describedby="composer-hint" value={text} onInput={onInput} onKeyDown={onKeyDown} onPaste={onPaste} />
        <span id="composer-hint" class="sr-only">
          {t('composerHint')}
        </span>
        <button type="submit" class="primary" aria-label={t('send')} disabled={sending}>
          {t('send')}
        </button>
      </div>
    </form>
  );
}

function NewConversation({ core, ui, view }: Props & { view: Extract<View, { name: 'new' }> }) {
  const [error, setError] = useState<SupportChatError>();
  // Files need a conversation to go to: started (without a message) on the first send that carries some, and kept.
  const started = useRef<Promise<Conversation> | null>(null);
  const ensureConversation = async () => {
    started.current ??= core.startConversation({ metadata: view.metadata });
    try {
      return (await started.current).id;
    } catch (err) {
      started.current = null;
      setError(SupportChatError.from(err));
      throw err;
    }
  };
  const start = async (text: string, attachments: Attachment[]) => {
    try {
      if (attachments.length === 0 && !started.current) {
        const conversation = await core.startConversation({ message: text, metadata: view.metadata });
        return ui.update({ view: { name: 'thread', id: conversation.id } });
      }
      const conversationId = await ensureConversation();
      ui.update({ view: { name: 'thread', id: conversationId } });
      await core.sendMessage({ conversationId, text, attachments });
    } catch (err) {
      setError(SupportChatError.from(err));
    }
  };
  return (
    <div class="thread">
      <h2>{t('newConversation')}</h2>
      <div class="messages" />
      <ErrorNote error={error} />
      <Composer core={core} onSend={start} ensureConversation={ensureConversation} prefill={view.prefill} />
    </div>
  );
}

/** Links to articles (an answer's sources, or suggestions), each opening the article view. */
function ArticleLinks({ ui, articles, testId }: { ui: UiState; articles: Array<{ id: string; title: string }>; testId?: string }) {
  return (
    <ul class="citations" data-testid={testId}>
      {articles.map((a) => (
        <li key={a.id}>
          <button type="button" class="link" onClick={() => ui.update({ view: { name: 'article', id: a.id } })}>
            <span dir="auto">{a.title}</span>
          </button>
        </li>
      ))}
    </ul>
  );
}

function ArticleView({ core, id }: { core: ChatCore; id: string }) {
  const article = useAsync<Article>(() => core.getArticle(id), [id]);
  useEffect(() => core.emit('article:opened', { articleId: id }), [id]);
  return (
    <article class="article" data-testid="article">
      {article.loading && <p class="muted">{t('loading')}</p>}
      <ErrorNote error={article.error} />
      {article.value && (
        <>
          <h2>{article.value.title}</h2>
          {/* The body is HTML sanitized by the server (SPEC §6); this frame's CSP runs no inline script either way. */}
          <div class="article-body" dangerouslySetInnerHTML={{ __html: article.value.body }} />
        </>
      )}
    </article>
  );
}

function FormView({ core, ui, id }: Props & { id: string }) {
  const form = useAsync<TicketForm>(() => core.getForm(id), [id]);
  const [values, setValues] = useState<Record<string, unknown>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ conversationId: string } | null>(null);
  const [failure, setFailure] = useState<SupportChatError>();
  const submissionId = useMemo(() => `sub_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`, [id]);
  useEffect(() => core.emit('form:opened', { formId: id }), [id]);
  if (form.loading) return <p class="muted">{t('loading')}</p>;
  if (!form.value) return <ErrorNote error={form.error} />;
  const fields = form.value.fields;
  const submit = async (e: Event) => {
    e.preventDefault();
    const found = validate(fields, values);
    setErrors(found);
    if (Object.keys(found).length) return focusFirstError(found);
    setBusy(true);
    setFailure(undefined);
    try {
      const submission = await core.submitForm(id, cleanValues(fields, values), submissionId);
      setDone({ conversationId: submission.conversationId });
    } catch (err) {
      const error = SupportChatError.from(err);
      const details = error.details;
      if (details?.length) {
        const server: Record<string, string> = {};
        for (const d of details) server[d.field.replace(/^values\./, '')] = d.reason;
        setErrors(server);
        focusFirstError(server);
      } else setFailure(error);
    } finally {
      setBusy(false);
    }
  };
  if (done) {
    return (
      <div class="done" role="status" data-testid="form-done">
        <p>{t('formSent')}</p>
        <button type="button" class="secondary" onClick={() => ui.update({ view: { name: 'thread', id: done.conversationId } })}>
          {t('viewConversation')}
        </button>
      </div>
    );
  }
  return (
    <form class="ticket" noValidate onSubmit={submit} data-testid="ticket-form" aria-labelledby="form-h">
      <h2 id="form-h">{form.value.name}</h2>
      {form.value.description && <p class="muted">{form.value.description}</p>}
      {fields.map((field) => (
        <Field key={field.key} field={field} value={values[field.key]} error={errors[field.key]} onChange={(value) => setValues({ ...values, [field.key]: value })} />
      ))}
      <ErrorNote error={failure} />
      <button type="submit" class="primary wide" disabled={busy}>
        {busy ? t('submitting') : t('submit')}
      </button>
    </form>
  );
}

function focusFirstError(errors: Record<string, string>): void {
  const first = Object.keys(errors)[0];
  if (first) setTimeout(() => document.getElementById(`f-${first}`)?.focus(), 0);
}

function Field({ field, value, error, onChange }: { field: FormField; value: unknown; error?: string; onChange: (value: unknown) => void }) {
  const id = `f-${field.key}`;
  const errorId = `${id}-error`;
  const common = {
    id,
    name: field.key,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? errorId : undefined,
    'aria-required': field.required ? true : undefined,
  };
  const label = (
    <label for={id}>
      {field.label}
      {field.required && <span aria-hidden="true"> *</span>}
    </label>
  );
  let control;
  switch (field.type) {
    case 'textarea':
      control = <textarea {...common} rows={4} maxLength={field.maxLength} value={(value as string) ?? ''} onInput={(e) => onChange((e.target as HTMLTextAreaElement).value)} />;
      break;
    case 'select':
      control = (
        <select {...common} value={(value as string) ?? ''} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          <option value="">{t('selectPlaceholder')}</option>
          {(field.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'multiselect':
      control = (
        <select
          {...common}
          multiple
          onChange={(e) => onChange(Array.from((e.target as HTMLSelectElement).selectedOptions, (o) => o.value))}
        >
          {(field.options ?? []).map((o) => (
            <option key={o} value={o} selected={Array.isArray(value) && value.includes(o)}>
              {o}
            </option>
          ))}
        </select>
      );
      break;
    case 'checkbox':
      return (
        <div class="field check">
          <input {...common} type="checkbox" checked={value === true} onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
          {label}
          {error && (
            <p class="field-error" id={errorId}>
              {error}
            </p>
          )}
        </div>
      );
    default:
      control = (
        <input
          {...common}
          type={(field.type === 'email' || field.type === 'number' || field.type === 'date' ? field.type : 'text') as 'text'}
          maxLength={field.maxLength}
          min={field.min}
          max={field.max}
          value={(value as string) ?? ''}
          onInput={(e) => onChange((e.target as HTMLInputElement).value)}
        />
      );
  }
  return (
    <div class="field">
      {label}
      {control}
      {error && (
        <p class="field-error" id={errorId}>
          {error}
        </p>
      )}
    </div>
  );
}

/** The checks the browser can make before the server makes them all again. */
function validate(fields: FormField[], values: Record<string, unknown>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.key];
    const empty = value === undefined || value === '' || value === false || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (field.required) errors[field.key] = t('required');
      continue;
    }
    if (typeof value !== 'string') continue;
    if (field.type === 'email' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) errors[field.key] = t('invalidEmail');
    else if (field.maxLength && value.length > field.maxLength) errors[field.key] = t('tooLong', { max: field.maxLength });
    else if (field.pattern && !safeMatch(field.pattern, value)) errors[field.key] = t('invalidPattern');
  }
  return errors;
}

function safeMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(value);
  } catch {
    return true;
  }
}

function cleanValues(fields: FormField[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = values[field.key];
    if (value === undefined || value === '') continue;
    out[field.key] = field.type === 'number' ? Number(value) : value;
  }
  return out;
}

export type { Conversation };
