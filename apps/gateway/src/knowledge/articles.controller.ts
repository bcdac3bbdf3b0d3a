import { Get, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { ArticleSearchHit, ArticleView, KnowledgeRpc, Page, SearchQuery, searchQuery, SessionContext, WidgetAccess } from '@widget/contracts';
import { CurrentSession, CurrentWidget, RequireFeature } from '../auth/request-state';
import { IdParam } from '../http/id-param.pipe';
import { WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { scopeOf } from './scope';

@WidgetController('articles')
@RequireFeature('knowledgeBase')
export class ArticlesController {
  constructor(private readonly bus: NatsBus) {}

  @Get('search')
  search(@Query(new ZodPipe(searchQuery)) query: SearchQuery, @CurrentWidget() widget: WidgetAccess): Promise<Page<ArticleSearchHit>> {
    return this.bus.send(KnowledgeRpc.search, { scope: scopeOf(widget), ...query });
  }

  @Get(':id')
  get(
    @Param('id', new IdParam('article')) articleId: string,
    @CurrentSession() session: SessionContext,
    @CurrentWidget() widget: WidgetAccess,
  ): Promise<ArticleView> {
    return this.bus.send(KnowledgeRpc.getArticle, { scope: scopeOf(widget), session, articleId });
  }
}
