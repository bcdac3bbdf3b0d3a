import type { Conversation, ConversationCounts, ConversationView } from '@widget/contracts';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { inView } from './rules';
import type { TeamApi } from './team-api';

/** How long a burst of feed events waits before the counts are asked again (one request per burst). */
const RECOUNT_DELAY_MS = 400;

/**
 * The views "mine", "unassigned", "all" (issue 21): the chosen one, its conversations fetched from the server
 * when chosen (so a view shows more than the pages of "all" loaded so far), and the server's counts, asked
 * again after changes the feed reports.
 */
export function useViews(team: TeamApi, meId: string, upsert: (c: Conversation[]) => void, fail: (err: unknown) => void) {
  const [view, setView] = useState<ConversationView>('all');
  const [counts, setCounts] = useState<ConversationCounts | null>(null);
  const timer = useRef<number | undefined>(undefined);

  const recount = useCallback(() => {
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => team.counts().then(setCounts, fail), RECOUNT_DELAY_MS);
  }, [team, fail]);

  useEffect(() => {
    team.counts().then(setCounts, fail);
    return () => window.clearTimeout(timer.current);
  }, [team, fail]);

  useEffect(() => {
    if (view !== 'all') team.conversations(view).then((page) => upsert(page.data), fail);
  }, [team, view, upsert, fail]);

  const filter = useCallback((shown: Conversation[]) => shown.filter((c) => inView(c, view, meId)), [view, meId]);
  return { view, setView, counts, recount, filter };
}
