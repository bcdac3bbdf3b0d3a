import type { Conversation } from '@widget/contracts';
import type { ComponentChildren } from 'preact';
import { isUnread, StatusFilter } from '../state';
import { authorLabel, Said, shortTime, titleOf } from './text';

interface ListProps {
  shown: Conversation[];
  filter: StatusFilter;
  seen: Record<string, string>;
  selectedId: string | null;
  typing: Record<string, number>;
  moreCursor: string | null;
  onOpen(id: string): void;
  onMore(): void;
  /** Above the list (the filters) and below it (the shortcuts). */
  head?: ComponentChildren;
  foot?: ComponentChildren;
}

/** The conversations as filtered, last activity first, with "Load more" while the server has older ones. */
export function ConversationList(props: ListProps) {
  const { shown, filter, selectedId } = props;
  return (
    <nav class="list" aria-label="Conversations">
      {props.head}
      {shown.length === 0 ? (
        <p class="empty">No {filter === 'all' ? '' : `${filter} `}conversations yet.</p>
      ) : (
        <ul class="conversations">
          {shown.map((c) => (
            <ConversationItem
              key={c.id}
              conversation={c}
              unread={isUnread(c, props.seen) && c.id !== selectedId}
              current={c.id === selectedId}
              typing={props.typing[c.id] !== undefined}
              onOpen={() => props.onOpen(c.id)}
            />
          ))}
        </ul>
      )}
      {props.moreCursor && (
        <button type="button" class="more" onClick={props.onMore}>
          Load more conversations
        </button>
      )}
      {props.foot}
    </nav>
  );
}

export function ConversationItem(props: { conversation: Conversation; unread: boolean; current: boolean; typing: boolean; onOpen: () => void }) {
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
