import type { ChatCore, LoggedMessage } from '@widget/sdk/core';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MessageAttachments } from '../attachments';
import { isolated, t } from '../i18n';
import { authorName, ErrorNote, type Props, timeFormat, useAsync } from './common';
import { Composer } from './composer';
import { TranscriptRequest } from './transcript';

export function Thread({ core, ui, id }: Props & { id: string }) {
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
      {/* aria-busy while the thread's messages are being read: assistive technology waits for the list to settle. */}
      <ol class="messages" ref={listRef} aria-label={conversation?.subject ?? t('yourConversations')} aria-live="polite" aria-busy={loaded.loading || undefined} data-testid="messages">
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
      {messages.length > 0 && <TranscriptRequest core={core} conversationId={id} />}
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
        {message.channel === 'email' && <span class="channel"> · {t('byEmail')}</span>}
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
