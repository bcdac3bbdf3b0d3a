import { Controller } from '@nestjs/common';
import { Errors, Handles, UnitOfWork } from '@widget/common';
import { EmailRpc, RpcReply, RpcRequest } from '@widget/contracts';
import { EmailRepository } from './email.repository';
import { MemberMailService } from './member-mail.service';
import { hashEmailToken, isEmailToken } from './reply-address';
import { TranscriptsService } from './transcripts.service';

type Req<K extends keyof typeof EmailRpc> = RpcRequest<(typeof EmailRpc)[K]>;
type Res<K extends keyof typeof EmailRpc> = Promise<RpcReply<(typeof EmailRpc)[K]>>;

/** Email's NATS subjects (docs/email.md): the gateway's transcript and unsubscribe, the team service's invitations. */
@Controller()
export class EmailHandler {
  constructor(
    private readonly transcripts: TranscriptsService,
    private readonly members: MemberMailService,
    private readonly repo: EmailRepository,
    private readonly uow: UnitOfWork,
  ) {}

  @Handles(EmailRpc.transcript)
  transcript(req: Req<'transcript'>): Res<'transcript'> {
    return this.transcripts.request(req.session, req.conversationId);
  }

  @Handles(EmailRpc.unsubscribe)
  async unsubscribe(req: Req<'unsubscribe'>): Res<'unsubscribe'> {
    const token = typeof req.token === 'string' && isEmailToken(req.token) ? await this.repo.findToken(hashEmailToken(req.token), 'unsubscribe') : null;
    if (!token) throw Errors.notFound('emailToken');
    await this.uow.run({}, (tx) => this.repo.unsubscribe(token, tx));
    return { unsubscribed: true };
  }

  @Handles(EmailRpc.invitation)
  invitation(req: Req<'invitation'>): Res<'invitation'> {
    return this.members.invitation(req);
  }
}
