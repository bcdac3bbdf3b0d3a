import { Controller } from '@nestjs/common';
import { AuditLog, Handles } from '@widget/common';
import { KnowledgeRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { ArticlesService } from '../domain/articles.service';
import { CollectionsService } from '../domain/collections.service';
import { SynonymsService } from '../domain/synonyms.service';

type Req<K extends keyof typeof KnowledgeRpc> = RpcRequest<(typeof KnowledgeRpc)[K]>;
type Res<K extends keyof typeof KnowledgeRpc> = Promise<RpcReply<(typeof KnowledgeRpc)[K]>>;

/** Operator subjects for collections, articles and synonyms. */
@Controller()
export class AdminHandler {
  constructor(
    private readonly collections: CollectionsService,
    private readonly articles: ArticlesService,
    private readonly synonyms: SynonymsService,
    private readonly audit: AuditLog,
  ) {}

  @Handles(KnowledgeRpc.createCollection)
  createCollection(req: Req<'createCollection'>): Res<'createCollection'> {
    return this.collections.create(req.workspaceId, req.name, req.audit, req.idempotency);
  }

  @Handles(KnowledgeRpc.listCollections)
  listCollections(req: Req<'listCollections'>): Res<'listCollections'> {
    return this.collections.list(req.workspaceId, req.cursor, req.limit);
  }

  @Handles(KnowledgeRpc.createArticle)
  createArticle(req: Req<'createArticle'>): Res<'createArticle'> {
    return this.articles.create(req.workspaceId, req.body, req.idempotency, req.audit);
  }

  @Handles(KnowledgeRpc.listArticles)
  listArticles(req: Req<'listArticles'>): Res<'listArticles'> {
    const { workspaceId, ...query } = req;
    return this.articles.list(workspaceId, query);
  }

  @Handles(KnowledgeRpc.adminGetArticle)
  getArticle(req: Req<'adminGetArticle'>): Res<'adminGetArticle'> {
    return this.articles.adminGet(req.articleId);
  }

  @Handles(KnowledgeRpc.updateArticle)
  updateArticle(req: Req<'updateArticle'>): Res<'updateArticle'> {
    return this.articles.update(req.articleId, req.patch, req.audit);
  }

  @Handles(KnowledgeRpc.getSynonyms)
  getSynonyms(req: Req<'getSynonyms'>): Res<'getSynonyms'> {
    return this.synonyms.get(req.workspaceId);
  }

  @Handles(KnowledgeRpc.putSynonyms)
  putSynonyms(req: Req<'putSynonyms'>): Res<'putSynonyms'> {
    return this.synonyms.put(req.workspaceId, req.groups, req.audit);
  }

  @Handles(KnowledgeRpc.auditLog)
  auditLog(req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
