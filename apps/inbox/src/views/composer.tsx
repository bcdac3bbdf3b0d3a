import type { Attachment } from '@widget/contracts';
import type { RefObject } from 'preact';
import { AttachButton, ReplyFiles, ReplyFilesView } from '../attachments';

interface ComposerProps {
  conversationId: string;
  files: ReplyFiles;
  box: RefObject<HTMLTextAreaElement | null>;
  /** Still the conversation on screen (files are awaited before the reply goes). */
  isCurrent(conversationId: string): boolean;
  onInput(): void;
  /** Before the files are awaited: the typing signal stops. */
  onSubmitting(): void;
  onSend(conversationId: string, text: string, attachments: Attachment[]): void;
}

/** The reply box: Enter sends, Shift+Enter breaks the line; files attached, dropped on the thread or pasted go with the reply. */
export function Composer(props: ComposerProps) {
  const { files } = props;
  const submit = async () => {
    const box = props.box.current;
    const conversationId = props.conversationId;
    if (!box) return;
    const text = box.value.trim() ? box.value : '';
    if (!text && files.items.length === 0) return;
    props.onSubmitting();
    // Files still uploading are waited for; a refused one is left out (and said so under the box).
    const attachments = files.items.length ? await files.ready() : [];
    if (!props.isCurrent(conversationId) || (!text && attachments.length === 0)) return;
    box.value = '';
    files.clear();
    props.onSend(conversationId, text, attachments);
  };
  const onPaste = (e: ClipboardEvent) => {
    const pasted = Array.from(e.clipboardData?.files ?? []);
    if (pasted.length === 0) return;
    e.preventDefault();
    files.add(pasted);
  };
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label for="reply">Reply to the visitor (Enter sends, Shift+Enter for a new line; drop or paste files to attach them)</label>
      <ReplyFilesView files={files} />
      <div class="composer-row">
        <textarea
          id="reply"
          ref={props.box}
          rows={2}
          maxLength={10000}
          onInput={props.onInput}
          onPaste={onPaste}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              void submit();
            }
          }}
        />
        <AttachButton onFiles={files.add} />
        <button type="submit">Send</button>
      </div>
    </form>
  );
}
