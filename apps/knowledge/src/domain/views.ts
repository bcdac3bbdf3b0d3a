import type { AdminArticle, ArticleSearchHit, ArticleView, Collection } from '@widget/contracts';
import type { ArticleRow, SearchRow } from '../persistence/article.repository';
import { MARK_END, MARK_START } from '../persistence/article.repository';
import type { CollectionEntity } from '../persistence/entities';
import { escapeHtml } from './html';

export const iso = (d: Date | string) => new Date(d).toISOString();

export function collectionView(c: CollectionEntity): Collection {
  return { id: c.id, workspaceId: c.workspaceId, name: c.name, createdAt: iso(c.createdAt) };
}

export function adminArticleView(a: ArticleRow): AdminArticle {
  return {
    id: a.id,
    workspaceId: a.workspace_id,
    collectionId: a.collection_id,
    title: a.title,
    body: a.body_html,
    locale: a.locale,
    status: a.status,
    createdAt: iso(a.created_at),
    updatedAt: iso(a.updated_at),
    publishedAt: a.published_at ? iso(a.published_at) : null,
  };
}

export function articleView(a: ArticleRow): ArticleView {
  return { id: a.id, title: a.title, body: a.body_html, collectionId: a.collection_id, locale: a.locale, updatedAt: iso(a.updated_at) };
}

/** The headline is plain text with private-use marks: escape it, then turn the marks into <mark>. */
export function snippetHtml(headline: string): string {
  return escapeHtml(headline).split(MARK_START).join('<mark>').split(MARK_END).join('</mark>');
}

export function searchHit(r: SearchRow): ArticleSearchHit {
  return {
    id: r.id,
    title: r.title,
    snippet: snippetHtml(r.snippet),
    collectionId: r.collection_id,
    locale: r.locale,
    updatedAt: iso(r.updated_at),
    score: Number(r.score),
  };
}
