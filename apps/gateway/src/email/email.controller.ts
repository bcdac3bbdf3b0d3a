import { Module, Param, Query } from '@nestjs/common';
import { NatsBus } from '@widget/common';
import { EmailRpc, ROUTES, SessionContext, TranscriptReply, unsubscribeQuery, UnsubscribeQuery } from '@widget/contracts';
import { CurrentSession } from '../auth/request-state';
import { IdParam } from '../http/id-param.pipe';
import { Route, WidgetController } from '../http/route-decorators';
import { ZodPipe } from '../http/zod.pipe';

/** SPEC §15 (issue 22): a transcript by email, and the unsubscribe link of every visitor mail (docs/email.md). */
@WidgetController()
export class EmailController {
  constructor(private readonly bus: NatsBus) {}

  /** 202: the mail is queued in the integrations service; limited per session (RATE_LIMIT_SESSION_TRANSCRIPTS). */
  @Route(ROUTES.widget.requestTranscript)
  transcript(@CurrentSession() session: SessionContext, @Param('id', new IdParam('conversation')) conversationId: string): Promise<TranscriptReply> {
    return this.bus.send(EmailRpc.transcript, { session, conversationId });
  }

  /** No session: the token in the link names the conversation (not_found when unknown or expired). */
  @Route(ROUTES.widget.unsubscribeEmail)
  unsubscribe(@Query(new ZodPipe(unsubscribeQuery)) query: UnsubscribeQuery): Promise<{ unsubscribed: true }> {
    return this.bus.send(EmailRpc.unsubscribe, { token: query.token });
  }
}

@Module({ controllers: [EmailController] })
export class EmailGatewayModule {}
