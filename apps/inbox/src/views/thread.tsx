import type { Conversation, ConversationStatus } from '@widget/contracts';
import { ConversationChange, formatSize, LoggedMessage, OperatorApi } from '@widget/sdk/core';
import { useEffect, useRef } from 'preact/hooks';
import { MessageFiles } from '../attachments';
import type { Thread } from '../hooks/use-thread';
import { authorLabel, Said, shortTime, titleOf } from './text';

const STATUSES: ConversationStatus[] = ['open', 'pending', 'resolved', 'closed'];

/** The open conversation's title and what an operator does to it: status, resolve, assign to me. */
export function ThreadHead({ conversation, me, onChange }: { conversation: Conversation; me: { id: string; name: string }; onChange: (change: ConversationChange) => void }) {
  const mine = conversation.assignee?.id === me.id;
  return (
    <div class="thread-head">
      <h2 dir="auto">{titleOf(conversation)}</h2>
      <div class="actions">
        <label>
          Status{' '}
          <select value={conversation.status} onChange={(e) => onChange({ status: (e.currentTarget as HTMLSelectElement).value as ConversationStatus })}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={() => onChange({ status: 'resolved' })} disabled={conversation.status === 'resolved'}>
          Resolve
        </button>
        <button type="button" onClick={() => onChange({ assignee: mine ? null : me })}>
          {mine ? 'Unassign me' : 'Assign to me'}
        </button>
        <span class="assignee">
          {conversation.assignee ? (
            <>
              Assigned to <Said text={conversation.assignee.name ?? conversation.assignee.id} />
            </>
          ) : (
            'Unassigned'
          )}
        </span>
      </div>
    </div>
  );
}

/** The thread, oldest first, then this operator's replies still on their way (or failed, with Retry and Discard). */
export function Messages(props: {
  api: OperatorApi;
  thread: Thread;
  messages: LoggedMessage[];
  /** The agent message the visitor has read up to (issue 21's "seen" mark), if any. */
  seenId?: string | null;
  onOlder: () => void;
  onRetry: (m: LoggedMessage) => void;
  onDiscard: (m: LoggedMessage) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const { messages } = props;
  const newest = messages[messages.length - 1]?.id;
  const stick = useRef(true);
  // Follow the newest message unless the operator scrolled up to read; paging back keeps the view still.
  useEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [newest, messages.length, props.thread.conversationId]);
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
        {messages.map((m) =>
          m.delivery === 'sent' ? (
            <li key={m.id} class={`message from-${m.author.type}`}>
              <span class="meta">
                <Said text={authorLabel(m)} /> · <time dateTime={m.createdAt}>{shortTime(m.createdAt)}</time>
                {m.channel === 'email' && <span class="channel-mark"> · by email</span>}
              </span>
              {m.text && (
                <p class="text" dir="auto">
                  {m.text}
                </p>
              )}
              <MessageFiles api={props.api} conversationId={m.conversationId} attachments={m.attachments} />
              {m.id === props.seenId && <span class="seen-mark">✓ Seen by the visitor</span>}
            </li>
          ) : (
            <Pending key={m.id} message={m} onRetry={props.onRetry} onDiscard={props.onDiscard} />
          ),
        )}
      </ol>
    </div>
  );
}

function Pending({ message: m, onRetry, onDiscard }: { message: LoggedMessage; onRetry: (m: LoggedMessage) => void; onDiscard: (m: LoggedMessage) => void }) {
  const failed = m.delivery === 'failed';
  return (
    <li class="message from-agent pending">
      <span class="meta">{failed ? `Not sent: ${m.error?.message ?? ''}` : 'Sending…'}</span>
      {m.text && (
        <p class="text" dir="auto">
          {m.text}
        </p>
      )}
      {(m.attachments ?? []).length > 0 && (
        <ul class="files">
          {m.attachments.map((a) => (
            <li key={a.id} class="file-chip">
              <span class="said file-name" dir="auto">
                {a.name}
              </span>{' '}
              <span class="file-size">{formatSize(a.size)}</span>
            </li>
          ))}
        </ul>
      )}
      {failed && (
        <span class="retry">
          <button type="button" onClick={() => onRetry(m)}>
            Retry
          </button>{' '}
          <button type="button" class="link" onClick={() => onDiscard(m)}>
            Discard
          </button>
        </span>
      )}
    </li>
  );
}
