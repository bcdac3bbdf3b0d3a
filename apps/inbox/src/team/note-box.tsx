import type { Message } from '@widget/contracts';
import { useRef, useState } from 'preact/hooks';
import type { TeamApi } from './team-api';

/** A key per composed note, reused by the transport's retries: the server stores it once. */
const noteKey = () => `note-${crypto.randomUUID()}`;

/** An internal note (issue 21): for the team only, never sent to the visitor. Enter adds it, Shift+Enter breaks the line. */
export function NoteBox({ team, conversationId, onNoted, onError }: { team: TeamApi; conversationId: string; onNoted: (m: Message) => void; onError: (err: unknown) => void }) {
  const box = useRef<HTMLTextAreaElement>(null);
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    const el = box.current;
    const text = el?.value ?? '';
    if (!el || !text.trim() || busy) return;
    setBusy(true);
    try {
      onNoted(await team.note(conversationId, text, noteKey()));
      el.value = '';
    } catch (err) {
      onError(err);
    } finally {
      setBusy(false);
      el.focus();
    }
  };
  return (
    <form
      class="composer note-composer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label for="note">Internal note, seen by your team only, never by the visitor (Enter adds it)</label>
      <div class="composer-row">
        <textarea
          id="note"
          ref={box}
          rows={2}
          maxLength={10000}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <button type="submit" disabled={busy}>
          Add note
        </button>
      </div>
    </form>
  );
}

export type ComposeMode = 'reply' | 'note';

/** Reply to the visitor, or write a note for the team. */
export function ComposeMode({ mode, onMode }: { mode: ComposeMode; onMode: (mode: ComposeMode) => void }) {
  return (
    <div class="compose-mode" role="group" aria-label="Write">
      <button type="button" aria-pressed={mode === 'reply'} onClick={() => onMode('reply')}>
        Reply
      </button>
      <button type="button" aria-pressed={mode === 'note'} onClick={() => onMode('note')}>
        Note
      </button>
    </div>
  );
}
