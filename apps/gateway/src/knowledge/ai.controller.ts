import { Body } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { AiAnswerReply, AnswerBody, answerBody, KnowledgeRpc, ROUTES, SessionContext, WidgetAccess } from '@widget/contracts';
import { CurrentSession, CurrentWidget } from '../auth/request-state';
import { Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';
import { scopeOf } from './scope';

/**
 * Longer than the usual NATS wait: the knowledge service may spend up to its
 * provider time-out (at most 8 s) before falling back, then post the answer.
 */
const ANSWER_TIMEOUT_MS = 15_000;

/** ai.enabled false or features.aiAnswers false: the knowledge service refuses (validation_error, ai_disabled). */
@WidgetController()
export class AiController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.widget.answerQuestion)
  answer(
    @Body(new ZodPipe(answerBody)) body: AnswerBody,
    @CurrentSession() session: SessionContext,
    @CurrentWidget() widget: WidgetAccess,
  ): Promise<AiAnswerReply> {
    return this.bus.send(
      KnowledgeRpc.answer,
      {
        ...body,
        session,
        scope: scopeOf(widget),
        ai: { enabled: widget.ai.enabled && widget.features.aiAnswers, mode: widget.ai.mode, minConfidence: widget.ai.minConfidence },
        suggestArticles: widget.features.knowledgeBase,
      },
      { timeoutMs: ANSWER_TIMEOUT_MS },
    );
  }
}
