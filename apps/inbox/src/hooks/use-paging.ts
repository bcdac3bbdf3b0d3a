import type { ConversationStatus } from '@widget/contracts';
import { useCallback, useState } from 'preact/hooks';
import type { OperatorApi } from '@widget/sdk/core';
import type { Upsert } from './use-conversations';

const LIST_PAGE = 50;

/** The conversation list in pages: the first page (all, or one status), then "Load more" from its cursor. */
export function useListPaging(api: OperatorApi, upsert: Upsert, fail: (err: unknown) => void) {
  const [moreCursor, setMoreCursor] = useState<string | null>(null);

  const loadList = useCallback(
    async (status?: ConversationStatus) => {
      const page = await api.listConversations({ status, limit: LIST_PAGE });
      upsert(page.data);
      if (!status) setMoreCursor(page.nextCursor);
    },
    [api, upsert],
  );

  const loadMore = useCallback(async () => {
    if (!moreCursor) return;
    try {
      const page = await api.listConversations({ cursor: moreCursor, limit: LIST_PAGE });
      upsert(page.data);
      setMoreCursor(page.nextCursor);
    } catch (err) {
      fail(err);
    }
  }, [api, upsert, fail, moreCursor]);

  return { moreCursor, loadList, loadMore };
}
