import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
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

  @MessagePattern(KnowledgeRpc.search.subject)
  search(@Payload() req: Req<'search'>): Res<'search'> {
    const { scope, ...query } = req;
    return this.articles.search(scope, query);
  }

  @MessagePattern(KnowledgeRpc.getArticle.subject)
  get(@Payload() req: Req<'getArticle'>): Res<'getArticle'> {
    return this.articles.getForVisitor(req.scope, req.session, req.articleId);
  }

  @MessagePattern(KnowledgeRpc.answer.subject)
  answer(@Payload() req: Req<'answer'>): Res<'answer'> {
    return this.answers.answer(req);
  }

  @MessagePattern(KnowledgeRpc.answerRecord.subject)
  answerRecord(@Payload() req: Req<'answerRecord'>): Res<'answerRecord'> {
    return this.answers.record(req.session, req.answerId);
  }
}
