import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { AuditLog, IdempotencyStore } from '@widget/common';
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
    private readonly idempotency: IdempotencyStore,
    private readonly audit: AuditLog,
  ) {}

  @MessagePattern(KnowledgeRpc.createCollection.subject)
  createCollection(@Payload() req: Req<'createCollection'>): Res<'createCollection'> {
    return this.idempotency.run(req.idempotency, (m) => this.collections.create(req.workspaceId, req.name, req.audit, m));
  }

  @MessagePattern(KnowledgeRpc.listCollections.subject)
  listCollections(@Payload() req: Req<'listCollections'>): Res<'listCollections'> {
    return this.collections.list(req.workspaceId, req.cursor, req.limit);
  }

  @MessagePattern(KnowledgeRpc.createArticle.subject)
  createArticle(@Payload() req: Req<'createArticle'>): Res<'createArticle'> {
    return this.articles.create(req.workspaceId, req.body, req.idempotency, req.audit);
  }

  @MessagePattern(KnowledgeRpc.listArticles.subject)
  listArticles(@Payload() req: Req<'listArticles'>): Res<'listArticles'> {
    const { workspaceId, ...query } = req;
    return this.articles.list(workspaceId, query);
  }

  @MessagePattern(KnowledgeRpc.adminGetArticle.subject)
  getArticle(@Payload() req: Req<'adminGetArticle'>): Res<'adminGetArticle'> {
    return this.articles.adminGet(req.articleId);
  }

  @MessagePattern(KnowledgeRpc.updateArticle.subject)
  updateArticle(@Payload() req: Req<'updateArticle'>): Res<'updateArticle'> {
    return this.articles.update(req.articleId, req.patch, req.audit);
  }

  @MessagePattern(KnowledgeRpc.getSynonyms.subject)
  getSynonyms(@Payload() req: Req<'getSynonyms'>): Res<'getSynonyms'> {
    return this.synonyms.get(req.workspaceId);
  }

  @MessagePattern(KnowledgeRpc.putSynonyms.subject)
  putSynonyms(@Payload() req: Req<'putSynonyms'>): Res<'putSynonyms'> {
    return this.synonyms.put(req.workspaceId, req.groups, req.audit);
  }

  @MessagePattern(KnowledgeRpc.auditLog.subject)
  auditLog(@Payload() req: Req<'auditLog'>): Res<'auditLog'> {
    return this.audit.page(req.workspaceId, req.cursor, req.limit);
  }
}
