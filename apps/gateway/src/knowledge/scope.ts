import type { ArticleScope, WidgetAccess } from '@widget/contracts';

/** What a widget may read: its workspace and enabled collections (null: all of them). */
export function scopeOf(widget: WidgetAccess): ArticleScope {
  return { workspaceId: widget.workspaceId, collectionIds: widget.enabledCollectionIds };
}
