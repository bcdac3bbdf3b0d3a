import type { CannedReply } from '@widget/contracts';
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { insertReply, slashQuery } from './canned-text';
import type { TeamApi } from './team-api';

const SEARCH_DELAY_MS = 120;

/**
 * Canned replies in the reply box (issue 21): `/` opens the workspace's list, what follows searches it; arrows
 * move, Enter or Tab inserts, Escape closes. It listens on the box itself (capture), ahead of the composer's
 * Enter-sends, so a key it uses goes no further. The box keeps focus: the option in use is its active descendant.
 */
export function CannedPicker({ box, team, conversationId }: { box: RefObject<HTMLTextAreaElement | null>; team: TeamApi; conversationId: string }) {
  const [open, setOpen] = useState<{ start: number; query: string } | null>(null);
  const [replies, setReplies] = useState<CannedReply[]>([]);
  const [active, setActive] = useState(0);
  const state = useRef({ open, replies, active });
  state.current = { open, replies, active };
  const query = open?.query;
  const insertRef = useRef<(reply: CannedReply) => void>(() => undefined);

  useEffect(() => {
    if (query === undefined) return;
    let current = true;
    const timer = window.setTimeout(() => {
      team.cannedReplies(query).then(
        (page) => {
          if (!current) return;
          setReplies(page.data);
          setActive(0);
        },
        () => current && setReplies([]),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [team, query]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const close = () => setOpen(null);
    const onInput = () => setOpen(slashQuery(el.value, el.selectionStart ?? el.value.length));
    const insert = (reply: CannedReply) => {
      const at = state.current.open;
      if (!at) return;
      const next = insertReply(el.value, at.start, el.selectionStart ?? el.value.length, reply.text);
      el.value = next.value;
      el.setSelectionRange(next.caret, next.caret);
      close();
      // The composer hears it as typing (the agent's typing signal).
      el.dispatchEvent(new Event('input', { bubbles: true }));
    };
    const onKey = (e: KeyboardEvent) => {
      const { open: isOpen, replies: list, active: at } = state.current;
      if (!isOpen) return;
      const stop = () => {
        e.preventDefault();
        e.stopImmediatePropagation();
      };
      if (e.key === 'Escape') {
        stop();
        close();
      } else if (list.length > 0 && (e.key === 'ArrowDown' || e.key === 'ArrowUp')) {
        stop();
        setActive((at + (e.key === 'ArrowDown' ? 1 : list.length - 1)) % list.length);
      } else if (list.length > 0 && (e.key === 'Enter' || e.key === 'Tab') && !e.shiftKey && !e.isComposing) {
        stop();
        insert(list[at]);
      }
    };
    const onBlur = () => window.setTimeout(close, 150);
    el.addEventListener('input', onInput);
    el.addEventListener('keydown', onKey, true);
    el.addEventListener('blur', onBlur);
    insertRef.current = insert;
    return () => {
      el.removeEventListener('input', onInput);
      el.removeEventListener('keydown', onKey, true);
      el.removeEventListener('blur', onBlur);
    };
  }, [box, conversationId]);

  // The box names the list and the option in use while it is open.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const shown = open !== null;
    el.setAttribute('aria-autocomplete', 'list');
    if (shown) el.setAttribute('aria-controls', 'canned-list');
    else el.removeAttribute('aria-controls');
    if (shown && replies[active]) el.setAttribute('aria-activedescendant', `canned-${replies[active].id}`);
    else el.removeAttribute('aria-activedescendant');
  }, [box, open, replies, active]);

  if (!open) return null;
  return (
    <div class="canned" aria-live="polite">
      {replies.length === 0 ? (
        <p class="empty">No canned reply {open.query ? `matches “${open.query}”` : 'yet'}.</p>
      ) : (
        <ul id="canned-list" role="listbox" aria-label="Canned replies">
          {replies.map((r, i) => (
            <li
              key={r.id}
              id={`canned-${r.id}`}
              role="option"
              aria-selected={i === active}
              class={i === active ? 'active' : undefined}
              onMouseDown={(e) => {
                e.preventDefault();
                insertRef.current(r);
              }}
            >
              <code>/{r.shortcut}</code> <span class="said" dir="auto">{r.text}</span>
            </li>
          ))}
        </ul>
      )}
      <p class="hint">↑ ↓ to choose, Enter to insert, Esc to close</p>
    </div>
  );
}
