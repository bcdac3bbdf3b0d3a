import { Injectable } from '@nestjs/common';
import { AuditLog, Errors, InjectLogger, NatsBus, UnitOfWork } from '@widget/common';
import type { Logger } from 'pino';
import {
  AdminArticle,
  AdminArticlesQuery,
  ArticleCreateBody,
  ArticlePatchBody,
  ArticleScope,
  ArticleSearchHit,
  ArticleView,
  AuditContext,
  IdempotencyRequest,
  KnowledgeEvents,
  Page,
  SearchQuery,
  SessionContext,
} from '@widget/contracts';
import { ArticleRepository, ArticleRow, ArticleWrite, ReadScope } from '../persistence/article.repository';
import { EmbeddingRepository } from '../persistence/embedding.repository';
import { CollectionRepository } from '../persistence/collection.repository';
import { htmlToText, sanitizeArticleHtml } from './html';
import { localeInfo } from './locale';
import { EmbeddingsProvider } from './retrieval/embeddings';
import { allConceptsQuery, anyConceptQuery } from './retrieval/expansion';
import { QueryExpander } from './retrieval/query-expander';
import { decodeCursor, encodeCursor, queryFingerprint, queryWords } from './search-terms';
import { adminArticleView, articleView, searchHit } from './views';

export const articleNotFound = () => Errors.notFound('article');

/** A widget's scope, narrowed to one language when the visitor asked for one. */
export function readScope(scope: ArticleScope, locale?: string): ReadScope {
  return { workspaceId: scope.workspaceId, collectionIds: scope.collectionIds, language: locale ? localeInfo(locale).language : null };
}

@Injectable()
export class ArticlesService {
  private readonly logger: Logger;

  constructor(
    private readonly articles: ArticleRepository,
    private readonly collections: CollectionRepository,
    private readonly bus: NatsBus,
    private readonly expander: QueryExpander,
    private readonly embeddings: EmbeddingsProvider,
    private readonly vectors: EmbeddingRepository,
    private readonly audit: AuditLog,
    private readonly uow: UnitOfWork,
    @InjectLogger() logger: Logger,
  ) {
    this.logger = logger.child({ component: 'ArticlesService' });
  }

  // ---- Operator ----

  /**
   * The article, its vocabulary and its audit entry commit together, with
   * the Idempotency-Key when one was sent (a replayed reply records nothing
   * again). Its vector is written after that commit (an embeddings call is
   * no reason to hold the key's row lock), and only by the call that inserted.
   */
  async create(workspaceId: string, body: ArticleCreateBody, idempotency?: IdempotencyRequest, audit?: AuditContext): Promise<AdminArticle> {
    const collectionId = body.collectionId ?? null;
    if (collectionId) await this.assertCollection(workspaceId, collectionId);
    // Set only when this call's work ran (a retry answering the stored reply runs none) and committed.
    const inserted: { row?: ArticleRow } = {};
    const view = await this.uow.run({ idempotency }, async (tx) => {
      const row = await this.articles.insert(tx.newId('article'), workspaceId, prepare({ ...body, collectionId }), tx.now(), tx);
      await this.audit.append(tx, audit, { workspaceId, action: 'article.created', targetType: 'article', targetId: row.id });
      tx.afterCommit(() => (inserted.row = row));
      return adminArticleView(row);
    });
    if (inserted.row) await this.embed(inserted.row);
    return view;
  }

  /** The change and its audit entry commit together; the vector is remade after that commit. */
  async update(articleId: string, patch: ArticlePatchBody, audit?: AuditContext): Promise<AdminArticle> {
    const row = await this.uow.run({}, async (tx) => {
      const current = await this.articles.lockById(articleId, tx);
      if (!current) return null;
      if (patch.collectionId) await this.assertCollection(current.workspace_id, patch.collectionId);
      const next = prepare(
        {
          title: patch.title ?? current.title,
          body: patch.body ?? current.body_html,
          collectionId: patch.collectionId === undefined ? current.collection_id : patch.collectionId,
          locale: patch.locale ?? current.locale,
          status: patch.status ?? current.status,
        },
        patch.body === undefined ? { html: current.body_html, text: current.body_text } : undefined,
      );
      const written = await this.articles.update(current, next, tx.now(), tx);
      await this.audit.append(tx, audit, { workspaceId: written.workspace_id, action: 'article.updated', targetType: 'article', targetId: articleId });
      return written;
    });
    if (!row) throw articleNotFound();
    await this.embed(row);
    return adminArticleView(row);
  }

  /**
   * With an embeddings endpoint: a published article's vector is (re)made on
   * every write, before the reply, so what an operator saved is retrievable
   * at once; a draft has none. When the endpoint fails the article is saved
   * all the same and retrieved lexically (logged by the provider). The
   * endpoint is asked outside any transaction; the vector is then its own
   * unit of work.
   */
  private async embed(row: ArticleRow): Promise<void> {
    if (!this.embeddings.enabled) return;
    if (row.status !== 'published') return this.uow.run({}, (tx) => this.vectors.remove(row.id, tx));
    const vector = await this.embeddings.embedArticle(row.title, row.body_text);
    if (vector) await this.uow.run({}, (tx) => this.vectors.put(row.id, row.workspace_id, this.embeddings.model, vector, tx.now(), tx));
  }

  async adminGet(articleId: string): Promise<AdminArticle> {
    const row = await this.articles.findById(articleId);
    if (!row) throw articleNotFound();
    return adminArticleView(row);
  }

  async list(workspaceId: string, query: AdminArticlesQuery): Promise<Page<AdminArticle>> {
    const rows = await this.articles.page(workspaceId, query, query.cursor, query.limit + 1);
    const data = rows.slice(0, query.limit).map(adminArticleView);
    return { data, nextCursor: rows.length > query.limit ? data[data.length - 1].id : null };
  }

  private async assertCollection(workspaceId: string, collectionId: string): Promise<void> {
    if (!(await this.collections.findInWorkspace(workspaceId, collectionId))) {
      throw Errors.validation([{ field: 'collectionId', reason: 'no such collection in this workspace' }]);
    }
  }

  // ---- Visitor ----

  async getForVisitor(scope: ArticleScope, session: SessionContext, articleId: string): Promise<ArticleView> {
    const row = await this.articles.findReadable(readScope(scope), articleId);
    if (!row) throw articleNotFound();
    this.bus
      .emit(KnowledgeEvents.articleViewed, {
        workspaceId: session.workspaceId,
        widgetId: session.widgetId,
        sessionId: session.sessionId,
        articleId: row.id,
        at: this.uow.now().toISOString(),
      })
      .catch((err: unknown) => this.logger.warn(`article.viewed not published: ${(err as Error).message}`));
    return articleView(row);
  }

  /**
   * Every word must match, by itself or an alternative (a correction, a
   * synonym); when no article has them all, any word may ("any" mode). The
   * cursor's fingerprint carries the mode, so later pages stay in it.
   */
  async search(scope: ArticleScope, query: SearchQuery): Promise<Page<ArticleSearchHit>> {
    const read = readScope(scope, query.locale);
    const words = queryWords(query.q);
    const fingerprints = { all: queryFingerprint([...words, read.language]), any: queryFingerprint([...words, read.language, 'any']) };
    let after: { score: string; id: string } | null = null;
    let mode: 'all' | 'any' | null = null;
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      mode = cursor?.fingerprint === fingerprints.all ? 'all' : cursor?.fingerprint === fingerprints.any ? 'any' : null;
      if (!cursor || !mode) {
        throw Errors.validation([{ field: 'cursor', reason: 'is not a cursor of this search' }]);
      }
      after = cursor;
    }
    if (words.length === 0 || (read.collectionIds && read.collectionIds.length === 0)) return { data: [], nextCursor: null };
    const tsConfig = query.locale ? localeInfo(query.locale).tsConfig : null;
    const concepts = await this.expander.expand(read.workspaceId, words, { prefixLast: true, language: read.language });
    const exact = concepts.some((c) => c.alternatives.length > 1) ? anyConceptQuery(concepts, true) : null;
    let rows = mode === 'any' ? [] : await this.articles.search(read, tsConfig, allConceptsQuery(concepts), after, query.limit + 1, exact);
    if (mode === 'any' || (mode === null && rows.length === 0 && concepts.length > 1)) {
      mode = 'any';
      rows = await this.articles.search(read, tsConfig, anyConceptQuery(concepts), after, query.limit + 1, exact);
    }
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(searchHit),
      nextCursor: rows.length > query.limit ? encodeCursor({ score: last.score, id: last.id, fingerprint: fingerprints[mode ?? 'all'] }) : null,
    };
  }
}

/** Sanitizes and derives what is stored; the previous html/text are reused when the body did not change. */
function prepare(
  a: { title: string; body: string; collectionId: string | null; locale: string; status: ArticleWrite['status'] },
  unchanged?: { html: string; text: string },
): ArticleWrite {
  const bodyHtml = unchanged?.html ?? sanitizeArticleHtml(a.body);
  const { locale, language, tsConfig } = localeInfo(a.locale);
  return {
    collectionId: a.collectionId,
    title: a.title,
    bodyHtml,
    bodyText: unchanged?.text ?? htmlToText(bodyHtml),
    locale,
    language,
    tsConfig,
    status: a.status,
  };
}

