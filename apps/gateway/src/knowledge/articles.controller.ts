import { Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { ArticleSearchHit, ArticleView, KnowledgeRpc, Page, ROUTES, SearchQuery, searchQuery, SessionContext, WidgetAccess } from '@widget/contracts';
import { CurrentSession, CurrentWidget } from '../auth/request-state';
import { IdParam } from '../http/id-param.pipe';
import { Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { scopeOf } from './scope';

@WidgetController()
export class ArticlesController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.widget.searchArticles)
  search(@Query(new ZodPipe(searchQuery)) query: SearchQuery, @CurrentWidget() widget: WidgetAccess): Promise<Page<ArticleSearchHit>> {
    return this.bus.send(KnowledgeRpc.search, { scope: scopeOf(widget), ...query });
  }

  @Route(ROUTES.widget.getArticle)
  get(
    @Param('id', new IdParam('article')) articleId: string,
    @CurrentSession() session: SessionContext,
    @CurrentWidget() widget: WidgetAccess,
  ): Promise<ArticleView> {
    return this.bus.send(KnowledgeRpc.getArticle, { scope: scopeOf(widget), session, articleId });
  }
}
