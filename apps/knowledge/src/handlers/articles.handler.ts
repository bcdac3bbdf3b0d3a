import { Controller } from '@nestjs/common';
import { Handles } from '@widget/common';
import { KnowledgeRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { AnswerService } from '../domain/answer/answer.service';
import { ArticlesService } from '../domain/articles.service';

type Req<K extends keyof typeof KnowledgeRpc> = RpcRequest<(typeof KnowledgeRpc)[K]>;
type Res<K extends keyof typeof KnowledgeRpc> = Promise<RpcReply<(typeof KnowledgeRpc)[K]>>;

/** Visitor subjects: search, read, answers. The gateway has already checked the session and feature switches. */
@Controller()
export class ArticlesHandler {
  constructor(
    private readonly articles: ArticlesService,
    private readonly answers: AnswerService,
  ) {}

  @Handles(KnowledgeRpc.search)
  search(req: Req<'search'>): Res<'search'> {
    const { scope, ...query } = req;
    return this.articles.search(scope, query);
  }

  @Handles(KnowledgeRpc.getArticle)
  get(req: Req<'getArticle'>): Res<'getArticle'> {
    return this.articles.getForVisitor(req.scope, req.session, req.articleId);
  }

  @Handles(KnowledgeRpc.answer)
  answer(req: Req<'answer'>): Res<'answer'> {
    return this.answers.answer(req);
  }

  @Handles(KnowledgeRpc.answerRecord)
  answerRecord(req: Req<'answerRecord'>): Res<'answerRecord'> {
    return this.answers.record(req.session, req.answerId);
  }
}
