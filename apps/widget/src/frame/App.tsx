// The panel's frame: the launcher, the panel with its header and banners, and which view it shows (./views).
import type { ChatCore, Conversation } from '@widget/sdk/core';
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { carriesFiles, dropTarget } from './attachments';
import { Availability } from './availability';
import { t } from './i18n';
import type { UiState } from './ui-state';
import type { Props } from './views/common';
import { Home } from './views/home';
import { ArticleView } from './views/knowledge';
import { Thread } from './views/thread';
import { NewConversation } from './views/composer';
import { FormView } from './views/form';

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

export type { Conversation };
