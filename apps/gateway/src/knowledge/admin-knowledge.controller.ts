import { Body, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import {
  AdminArticle,
  AdminArticlesQuery,
  adminArticlesQuery,
  ArticleCreateBody,
  articleCreateBody,
  ArticlePatchBody,
  articlePatchBody,
  AuditContext,
  Collection,
  IdempotencyRequest,
  collectionBody,
  KnowledgeRpc,
  Page,
  PageQuery,
  pageQuery,
  ROUTES,
  SynonymGroups,
  SynonymsBody,
  synonymsBody,
} from '@widget/contracts';
import { z } from 'zod';
import { IdParam } from '../http/id-param.pipe';
import { IdempotencyKey } from '../http/idempotency-key';
import { AdminController, Route } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { Access, Audit } from '../auth/access';

const workspaceParam = new IdParam('workspace');
const articleParam = new IdParam('article');

@AdminController()
export class AdminWorkspaceKnowledgeController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.createCollection)
  @Access.inWorkspace('admin')
  createCollection(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(collectionBody)) body: z.infer<typeof collectionBody>,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<Collection> {
    return this.bus.send(KnowledgeRpc.createCollection, { workspaceId, name: body.name, audit, idempotency });
  }

  @Route(ROUTES.admin.listCollections)
  @Access.inWorkspace('agent')
  listCollections(@Param('ws', workspaceParam) workspaceId: string, @Query(new ZodPipe(pageQuery)) query: PageQuery): Promise<Page<Collection>> {
    return this.bus.send(KnowledgeRpc.listCollections, { workspaceId, ...query });
  }

  @Route(ROUTES.admin.createArticle)
  @Access.inWorkspace('admin')
  createArticle(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(articleCreateBody)) body: ArticleCreateBody,
    @Audit() audit: AuditContext,
    @IdempotencyKey() idempotency?: IdempotencyRequest,
  ): Promise<AdminArticle> {
    return this.bus.send(KnowledgeRpc.createArticle, { workspaceId, body, audit, idempotency });
  }

  @Route(ROUTES.admin.listArticles)
  @Access.inWorkspace('agent')
  listArticles(@Param('ws', workspaceParam) workspaceId: string, @Query(new ZodPipe(adminArticlesQuery)) query: AdminArticlesQuery): Promise<Page<AdminArticle>> {
    return this.bus.send(KnowledgeRpc.listArticles, { workspaceId, ...query });
  }

  @Route(ROUTES.admin.getSynonyms)
  @Access.inWorkspace('agent')
  getSynonyms(@Param('ws', workspaceParam) workspaceId: string): Promise<SynonymGroups> {
    return this.bus.send(KnowledgeRpc.getSynonyms, { workspaceId });
  }

  @Route(ROUTES.admin.putSynonyms)
  @Access.inWorkspace('admin')
  putSynonyms(
    @Param('ws', workspaceParam) workspaceId: string,
    @Body(new ZodPipe(synonymsBody)) body: SynonymsBody,
    @Audit() audit: AuditContext,
  ): Promise<SynonymGroups> {
    return this.bus.send(KnowledgeRpc.putSynonyms, { workspaceId, groups: body.groups, audit });
  }
}

@AdminController()
export class AdminArticlesController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.admin.getArticle)
  @Access.onResource('agent', 'article')
  get(@Param('id', articleParam) articleId: string): Promise<AdminArticle> {
    return this.bus.send(KnowledgeRpc.adminGetArticle, { articleId });
  }

  @Route(ROUTES.admin.patchArticle)
  @Access.onResource('admin', 'article')
  patch(
    @Param('id', articleParam) articleId: string,
    @Body(new ZodPipe(articlePatchBody)) patch: ArticlePatchBody,
    @Audit() audit: AuditContext,
  ): Promise<AdminArticle> {
    return this.bus.send(KnowledgeRpc.updateArticle, { articleId, patch, audit });
  }
}
