import { Body, Param, Res } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { FormsRpc, PublicForm, ROUTES, SessionContext, Submission, submissionBody, SubmissionBody, WidgetAccess } from '@widget/contracts';
import type { FastifyReply } from 'fastify';
import { CurrentSession, CurrentWidget } from '../auth/request-state';
import { IdParam } from '../http/id-param.pipe';
import { Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';

const formParam = new IdParam('form');

@WidgetController()
export class FormsController {
  constructor(private readonly bus: NatsBus) {}

  @Route(ROUTES.widget.listForms)
  list(@CurrentSession() session: SessionContext, @CurrentWidget() widget: WidgetAccess): Promise<{ data: PublicForm[]; nextCursor: null }> {
    return this.bus.send(FormsRpc.list, { session, visibleFormIds: widget.visibleFormIds });
  }

  @Route(ROUTES.widget.getForm)
  get(@Param('id', formParam) formId: string, @CurrentSession() session: SessionContext, @CurrentWidget() widget: WidgetAccess): Promise<PublicForm> {
    return this.bus.send(FormsRpc.get, { session, visibleFormIds: widget.visibleFormIds, formId });
  }

  /** 201 for a new submission; 200 with the first result when the clientSubmissionId was seen before. */
  @Route(ROUTES.widget.submitForm)
  async submit(
    @Param('id', formParam) formId: string,
    @Body(new ZodPipe(submissionBody)) body: SubmissionBody,
    @CurrentSession() session: SessionContext,
    @CurrentWidget() widget: WidgetAccess,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<Submission> {
    const { submission, created } = await this.bus.send(FormsRpc.submit, { session, visibleFormIds: widget.visibleFormIds, routing: widget.routing, formId, ...body });
    reply.status(created ? 201 : 200);
    return submission;
  }
}
