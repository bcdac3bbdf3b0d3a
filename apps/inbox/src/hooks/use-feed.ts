import { useEffect, useRef, useState } from 'preact/hooks';
import type { OperatorApi } from '../api';
import { Feed, FeedHandlers, FeedState } from '../feed';

/**
 * The workspace's realtime feed for as long as the inbox is on screen, started once `ready` (the first list page)
 * settles so the replay starts from what the list shows. Handlers may change on every render.
 */
export function useFeed(api: OperatorApi, handlers: Omit<FeedHandlers, 'state'> & { state?: FeedHandlers['state'] }, ready: () => Promise<unknown>) {
  const [state, setState] = useState<FeedState>('connecting');
  const on = useRef(handlers);
  on.current = handlers;
  const feedRef = useRef<Feed | null>(null);
  const readyRef = useRef(ready);
  readyRef.current = ready;

  useEffect(() => {
    let stopped = false;
    const feed = new Feed(api, {
      state: (s, err) => {
        setState(s);
        on.current.state?.(s, err);
      },
      conversation: (c) => on.current.conversation(c),
      message: (c, m) => on.current.message(c, m),
      typing: (p, typing) => on.current.typing(p, typing),
      resynced: () => on.current.resynced(),
    });
    feedRef.current = feed;
    void readyRef.current().finally(() => {
      if (!stopped) feed.start(null);
    });
    return () => {
      stopped = true;
      feed.stop();
      feedRef.current = null;
    };
  }, [api]);

  /** The newest message id seen by HTTP reads too: the replay cursor of the next reconnect. */
  const seen = (messageId: string | null | undefined) => feedRef.current?.seen(messageId);
  return { state, seen };
}
