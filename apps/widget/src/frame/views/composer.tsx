import type { Attachment, ChatCore, Conversation } from '@widget/sdk/core';
import { SupportChatError } from '@widget/sdk/core';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AttachButton, dropTarget, UploadChips, useUploads } from '../attachments';
import { t } from '../i18n';
import type { View } from '../ui-state';
import { ErrorNote, type Props } from './common';

export type SendFn = (text: string, attachments: Attachment[]) => Promise<void>;

/**
 * Text and, when the widget takes files (features.attachments), files by the
 * paper-clip button, a drop on the panel or a paste: each a chip with its
 * upload's progress and a ×. `ensureConversation` gives the conversation the
 * files go to when there is none yet (a new conversation).
 */
export function Composer(props: { core: ChatCore; onSend: SendFn; conversationId?: string; ensureConversation?: () => Promise<string>; prefill?: string }) {
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

export function NewConversation({ core, ui, view }: Props & { view: Extract<View, { name: 'new' }> }) {
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
