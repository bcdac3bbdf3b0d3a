import type { Conversation } from '@widget/contracts';
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

interface KeyboardDeps {
  /** The list as shown (j/k walk it). */
  shown: Conversation[];
  selectedId: string | null;
  open(id: string): void;
  resolve(): void;
  replyBox: RefObject<HTMLTextAreaElement | null>;
}

/** The keyboard shortcuts (views/shortcuts.tsx lists them). Letters only outside text fields; Alt+arrows anywhere. */
export function useKeyboard(deps: KeyboardDeps): void {
  const current = useRef(deps);
  current.current = deps;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const { shown, selectedId, open, resolve, replyBox } = current.current;
      const target = event.target as HTMLElement;
      const typingInField = target.closest('input, textarea, select, [contenteditable]') !== null;
      const step = (delta: number) => {
        if (shown.length === 0) return;
        const at = shown.findIndex((c) => c.id === selectedId);
        const next = shown[Math.min(Math.max(at === -1 ? 0 : at + delta, 0), shown.length - 1)];
        if (next && next.id !== selectedId) open(next.id);
        document.getElementById(`conv-${next.id}`)?.focus();
      };
      if (event.altKey && (event.key === 'ArrowDown' || event.key === 'ArrowUp')) {
        event.preventDefault();
        step(event.key === 'ArrowDown' ? 1 : -1);
        return;
      }
      if (event.key === 'Escape' && target === replyBox.current) {
        document.getElementById(selectedId ? `conv-${selectedId}` : 'filters')?.focus();
        return;
      }
      if (typingInField || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'j') step(1);
      else if (event.key === 'k') step(-1);
      else if (event.key === 'r' && selectedId) {
        event.preventDefault();
        replyBox.current?.focus();
      } else if (event.key === 'e' && selectedId) resolve();
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);
}
