import { AppError } from '@widget/common';
import type { ArticleScope, WidgetAccess } from '@widget/contracts';

export const articleNotFound = () => new AppError('article_not_found', 'No such article.', { reason: 'article_not_found' });

/** What a widget may read: its workspace and enabled collections (null: all of them). */
export function scopeOf(widget: WidgetAccess): ArticleScope {
  return { workspaceId: widget.workspaceId, collectionIds: widget.enabledCollectionIds };
}
